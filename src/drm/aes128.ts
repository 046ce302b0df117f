import type { DrmSystem } from './drm-system.js';
import { isHlsMethodScheme } from './hls-method-schemes.js';
import { SYSTEM_IDS } from './system-ids.js';

/**
 * HLS AES-128 (whole-segment AES-CBC): the player fetches the 16 raw key bytes from the key URL.
 * Two system IDs ask for it: AWS's ad-hoc 81376844-… (SPEKE v1) and the DASH-IF ClearKey AES-128
 * 3ea8778f-… (SPEKE v2). Both are answered in either version: URIExtXKey/KeyFormat for v1
 * children, HLSSignalingData for v2 children.
 */
function aes128(systemId: string, name: string): DrmSystem {
  return {
    systemId,
    name,
    needsIv: false,
    publishesKey: true,
    // Segment encryption is independent of the CENC scheme; MediaPackage sends cbc1, others vary.
    // Of the HLS methods (v2.1) only AES-128 is whole-segment encryption with an identity key.
    supportsScheme: (scheme) => !isHlsMethodScheme(scheme) || scheme === 'AES-128',
    signal: ({ keyUrl }) => ({
      uriExtXKey: keyUrl,
      keyFormat: 'identity',
      keyFormatVersions: '1',
      hls: { method: 'AES-128', keyFormat: 'identity', keyFormatVersions: '1', uri: keyUrl },
    }),
  };
}

export const hlsAes128 = aes128(SYSTEM_IDS.hlsAes128, 'HLS AES-128');
export const clearKeyAes128 = aes128(SYSTEM_IDS.clearKeyAes128, 'ClearKey AES-128');
