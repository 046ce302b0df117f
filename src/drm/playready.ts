import type { DrmSettings } from './drm-settings.js';
import type { DrmSystem } from './drm-system.js';
import { wrmHeader } from './playready-header.js';
import { cencPsshElementOf, psshBox } from './pssh.js';
import { SYSTEM_IDS } from './system-ids.js';
import { psshScheme, supportsPsshScheme } from './hls-method-schemes.js';
import { hlsMethod } from './widevine.js';

/** Record type of a PlayReady Header (rights management header) in a PlayReady Object. */
const RIGHTS_MANAGEMENT_HEADER = 0x0001;

/**
 * A PlayReady Object holding one record, the WRM header in UTF-16LE (SPEKE.md §5.4); all
 * integers little-endian: total length (4), record count (2), record type (2), record length (2).
 */
export function playReadyObject(header: string): Buffer {
  const recordLength = Buffer.byteLength(header, 'utf16le');
  const pro = Buffer.alloc(10 + recordLength);
  pro.writeUInt32LE(pro.length, 0);
  pro.writeUInt16LE(1, 4);
  pro.writeUInt16LE(RIGHTS_MANAGEMENT_HEADER, 6);
  pro.writeUInt16LE(recordLength, 8);
  pro.write(header, 10, 'utf16le');
  return pro;
}

/** DASH ContentProtection children for PlayReady (SPEKE.md §5.5): the pssh box and the PRO. */
function playReadyContentProtectionOf(boxBase64: string, proBase64: string): string {
  return `${cencPsshElementOf(boxBase64)}<mspr:pro xmlns:mspr="urn:microsoft:playready">${proBase64}</mspr:pro>`;
}

/**
 * Microsoft PlayReady: the PRO (for Smooth Streaming and HLS), a version-0 pssh box carrying it
 * (for ISO-BMFF), DASH signalling with both, and HLS tags whose URI is the PRO as a UTF-16 data
 * URI (SPEKE.md §5.7). A v1 request has no scheme and is treated as cenc; SAMPLE-AES (v2.1) is an
 * AESCBC header, SAMPLE-AES-CTR an AESCTR one, and AES-128 is refused (no PSSH for whole segments).
 */
export function playReady(settings: Pick<DrmSettings, 'playReadyLaUrl'>): DrmSystem {
  const laUrl = settings.playReadyLaUrl;
  return {
    systemId: SYSTEM_IDS.playready,
    name: 'PlayReady',
    needsIv: false,
    publishesKey: false,
    supportsScheme: supportsPsshScheme,
    signal: ({ kid, key, scheme: requested }) => {
      const scheme = psshScheme(requested);
      const pro = playReadyObject(wrmHeader({ kid, key, scheme, ...(laUrl === undefined ? {} : { laUrl }) }));
      const box = psshBox(SYSTEM_IDS.playready, pro);
      const proBase64 = pro.toString('base64');
      return {
        pssh: box,
        contentProtectionData: playReadyContentProtectionOf(box.toString('base64'), proBase64),
        playReadyObject: pro,
        hls: {
          method: hlsMethod(requested ?? scheme),
          keyFormat: 'com.microsoft.playready',
          keyFormatVersions: '1',
          uri: `data:text/plain;charset=UTF-16;base64,${proBase64}`,
        },
      };
    },
  };
}
