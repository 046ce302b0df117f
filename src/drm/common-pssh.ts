import type { DrmSystem } from './drm-system.js';
import { cencPsshElement, psshBox } from './pssh.js';
import { SYSTEM_IDS } from './system-ids.js';
import { supportsPsshScheme } from './hls-method-schemes.js';

/**
 * W3C common PSSH (SPEKE.md §5.2): a version-1 box listing the KID with no data, which EME
 * ClearKey players read as "cenc" init data. DASH signalling carries the same box.
 */
export const commonPssh: DrmSystem = {
  systemId: SYSTEM_IDS.commonPssh,
  name: 'W3C Common PSSH',
  needsIv: false,
  publishesKey: false,
  supportsScheme: supportsPsshScheme,
  signal: ({ kid }) => {
    const box = psshBox(SYSTEM_IDS.commonPssh, new Uint8Array(0), [kid]);
    return { pssh: box, contentProtectionData: cencPsshElement(box) };
  },
};
