import type { DrmSettings } from './drm-settings.js';
import type { DrmSystem, HlsKeyAttributes } from './drm-system.js';
import { isHlsMethodScheme, psshScheme, supportsPsshScheme, type ContentKeyScheme } from './hls-method-schemes.js';
import { cencPsshElementOf, psshBox } from './pssh.js';
import { SYSTEM_IDS } from './system-ids.js';
import { widevinePsshData } from './widevine-pssh-data.js';

/**
 * HLS METHOD for a scheme: AES-CBC schemes are SAMPLE-AES, AES-CTR ones SAMPLE-AES-CTR; an HLS
 * method sent as the scheme (v2.1) is the METHOD itself.
 */
export function hlsMethod(scheme: ContentKeyScheme): HlsKeyAttributes['method'] {
  if (isHlsMethodScheme(scheme)) return scheme;
  return scheme === 'cbcs' || scheme === 'cbc1' ? 'SAMPLE-AES' : 'SAMPLE-AES-CTR';
}

const KEY_FORMAT = `urn:uuid:${SYSTEM_IDS.widevine}`;

/**
 * Google Widevine (SPEKE.md §5.3): a version-0 pssh box whose data is a WidevinePsshData with the
 * KID, the scheme (unless cenc) and, when a provider is configured, provider and content ID.
 * The same box goes into the DASH `cenc:pssh` and the HLS data URI. A v1 request has no scheme and
 * is treated as cenc. An HLS-method scheme (v2.1) is written as the CENC scheme it behaves as, and
 * the HLS METHOD is that method.
 */
export function widevine(settings: Pick<DrmSettings, 'widevineProvider'>): DrmSystem {
  const provider = settings.widevineProvider;
  return {
    systemId: SYSTEM_IDS.widevine,
    name: 'Widevine',
    needsIv: false,
    publishesKey: false,
    supportsScheme: supportsPsshScheme,
    signal: ({ kid, contentId, scheme: requested }) => {
      const scheme = psshScheme(requested);
      const data = widevinePsshData({
        kid,
        scheme,
        ...(provider === undefined ? {} : { provider, contentId: Buffer.from(contentId, 'utf8') }),
      });
      const box = psshBox(SYSTEM_IDS.widevine, data);
      const boxBase64 = box.toString('base64');
      return {
        pssh: box,
        contentProtectionData: cencPsshElementOf(boxBase64),
        hls: {
          method: hlsMethod(requested ?? scheme),
          keyFormat: KEY_FORMAT,
          keyFormatVersions: '1',
          uri: `data:text/plain;base64,${boxBase64}`,
        },
      };
    },
  };
}
