/**
 * The fixed documents of `npm run bench`, generated deterministically (same bytes on every run and
 * every machine): KIDs and IVs come from SHA-256 of a label, never from a random source.
 *
 * Shapes follow what the AWS encryptors send (SPEKE.md §2.8, §3.4–§3.8):
 * - v1 live HLS AES-128 (MediaPackage v1): one key, a key period, every v1 child requested;
 * - v2 live CMAF (MediaPackage v2): Widevine and PlayReady ask for PSSH, ContentProtectionData and
 *   the HLSSignalingData pair, FairPlay for the HLS pair; cbcs with explicitIV; one key period;
 * - v2 VOD (MediaConvert): the same three systems, no period list and no explicitIV, so the
 *   FairPlay IV of every key is derived.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const SYSTEM = {
  hlsAes128: '81376844-f976-481e-a84e-cc25d39b0b33',
  widevine: 'edef8ba9-79d6-4ace-a3c8-27dcd51d21ed',
  playready: '9a04f079-9840-4286-ab92-e65be0885f95',
  fairplay: '94ce86fb-07ff-4f43-adb8-93d2fa968ca2',
} as const;

function digest(label: string): Buffer {
  return createHash('sha256').update(`speke-bench/${label}`).digest();
}

/** A version-4-shaped UUID from a label. */
export function fixedKid(label: string): string {
  const b = digest(`kid/${label}`).subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function fixedIv(label: string): string {
  return digest(`iv/${label}`).subarray(0, 16).toString('base64');
}

export interface BenchKey {
  kid: string;
  trackType: string;
  /** Filter elements of the usage rule (the encryption contract). */
  filter: string;
  explicitIV?: string;
}

/** PRESET-VIDEO-5 (SPEKE.md §3.7): SD, HD1, HD2, UHD1, UHD2 with their pixel bounds. */
export const VIDEO_PRESET_5: ReadonlyArray<[string, string]> = [
  ['SD', '<cpix:VideoFilter maxPixels="589824"/>'],
  ['HD1', '<cpix:VideoFilter minPixels="589825" maxPixels="921600"/>'],
  ['HD2', '<cpix:VideoFilter minPixels="921601" maxPixels="2073600"/>'],
  ['UHD1', '<cpix:VideoFilter minPixels="2073601" maxPixels="8847360"/>'],
  ['UHD2', '<cpix:VideoFilter minPixels="8847361"/>'],
];

/** PRESET-AUDIO-3: STEREO_AUDIO, MULTICHANNEL_AUDIO_3_6, MULTICHANNEL_AUDIO_7 with channel bounds. */
export const AUDIO_PRESET_3: ReadonlyArray<[string, string]> = [
  ['STEREO_AUDIO', '<cpix:AudioFilter maxChannels="2"/>'],
  ['MULTICHANNEL_AUDIO_3_6', '<cpix:AudioFilter minChannels="3" maxChannels="6"/>'],
  ['MULTICHANNEL_AUDIO_7', '<cpix:AudioFilter minChannels="7"/>'],
];

/** DRMSystem children MediaPackage v2 (CMAF) asks for, per system. */
const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
const CMAF_CHILDREN: ReadonlyArray<[string, string]> = [
  [SYSTEM.widevine, `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}`],
  [SYSTEM.playready, `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}`],
  [SYSTEM.fairplay, HLS_PAIR],
];

const PERIOD_ID = '3f2c1d0e-9b8a-4c7d-8e6f-5a4b3c2d1e0f';

/** A SPEKE v2 request (one DRMSystem per key and system), laid out one element a line as MediaPackage does. */
export function v2Document(options: { contentId: string; keys: BenchKey[]; live: boolean; deliveryData?: string }): string {
  const { contentId, keys, live } = options;
  const periodFilter = live ? `<cpix:KeyPeriodFilter periodId="${PERIOD_ID}"/>` : '';
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<cpix:CPIX contentId="${contentId}" version="2.3" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">`,
  ];
  if (options.deliveryData) lines.push(`  ${options.deliveryData}`);
  lines.push('  <cpix:ContentKeyList>');
  for (const k of keys) {
    const iv = k.explicitIV === undefined ? '' : ` explicitIV="${k.explicitIV}"`;
    lines.push(`    <cpix:ContentKey kid="${k.kid}" commonEncryptionScheme="cbcs"${iv}/>`);
  }
  lines.push('  </cpix:ContentKeyList>', '  <cpix:DRMSystemList>');
  for (const k of keys) {
    for (const [systemId, children] of CMAF_CHILDREN) lines.push(`    <cpix:DRMSystem kid="${k.kid}" systemId="${systemId}">${children}</cpix:DRMSystem>`);
  }
  lines.push('  </cpix:DRMSystemList>');
  if (live) {
    lines.push('  <cpix:ContentKeyPeriodList>', `    <cpix:ContentKeyPeriod id="${PERIOD_ID}" index="0"/>`, '  </cpix:ContentKeyPeriodList>');
  }
  lines.push('  <cpix:ContentKeyUsageRuleList>');
  for (const k of keys) {
    lines.push(`    <cpix:ContentKeyUsageRule kid="${k.kid}" intendedTrackType="${k.trackType}">${periodFilter}${k.filter}</cpix:ContentKeyUsageRule>`);
  }
  lines.push('  </cpix:ContentKeyUsageRuleList>', '</cpix:CPIX>', '');
  return lines.join('\n');
}

/** (a) SPEKE v1, MediaPackage live HLS AES-128: one key, a key period, every v1 child requested. */
export function v1HlsAes128(): string {
  const kid = fixedKid('a/0');
  const period = 'keyPeriod_e64248f6-f307-4b99-aa67-b05f5b1b1b6b';
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX id="live-hls-channel-1" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:speke="urn:aws:amazon:com:speke">
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="${kid}"></cpix:ContentKey>
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="${kid}" systemId="${SYSTEM.hlsAes128}">
      <cpix:ContentProtectionData />
      <speke:KeyFormat />
      <speke:KeyFormatVersions />
      <speke:ProtectionHeader />
      <cpix:PSSH />
      <cpix:URIExtXKey />
    </cpix:DRMSystem>
  </cpix:DRMSystemList>
  <cpix:ContentKeyPeriodList>
    <cpix:ContentKeyPeriod id="${period}" index="11425" />
  </cpix:ContentKeyPeriodList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="${kid}">
      <cpix:KeyPeriodFilter periodId="${period}" />
    </cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>
`;
}

function liveKeys(name: string, tracks: ReadonlyArray<[string, string]>): BenchKey[] {
  return tracks.map(([trackType, filter], i) => ({
    kid: fixedKid(`${name}/${i}`),
    trackType,
    filter,
    explicitIV: fixedIv(`${name}/${i}`),
  }));
}

/** (b) SPEKE v2 live CMAF: video and audio keys × Widevine, PlayReady, FairPlay. */
export function v2TwoKeys(deliveryData?: string): string {
  const keys = liveKeys('b', [
    ['VIDEO', '<cpix:VideoFilter/>'],
    ['AUDIO', '<cpix:AudioFilter/>'],
  ]);
  return v2Document({ contentId: 'live-cmaf-channel-2', keys, live: true, ...(deliveryData ? { deliveryData } : {}) });
}

/** (c) SPEKE v2 live CMAF: PRESET-VIDEO-5 + PRESET-AUDIO-3 (8 keys) × the same three systems. */
export function v2EightKeys(): string {
  return v2Document({ contentId: 'live-cmaf-channel-8', keys: liveKeys('c', [...VIDEO_PRESET_5, ...AUDIO_PRESET_3]), live: true });
}

/** (d), (e) SPEKE v2 VOD (MediaConvert): n keys, each its own track type, no periods, no explicitIV. */
export function v2Vod(n: number): string {
  const keys: BenchKey[] = [];
  for (let i = 0; i < n; i++) {
    const video = i % 2 === 0;
    keys.push({
      kid: fixedKid(`vod-${n}/${i}`),
      trackType: `${video ? 'VIDEO' : 'AUDIO'}_${String(i).padStart(4, '0')}`,
      filter: video ? `<cpix:VideoFilter minPixels="${i * 1000}" maxPixels="${i * 1000 + 999}"/>` : `<cpix:AudioFilter minChannels="${i}" maxChannels="${i}"/>`,
    });
  }
  return v2Document({ contentId: `vod-title-${n}`, keys, live: false });
}

/** The DeliveryDataList of (f): one recipient with the 2048-bit test certificate. */
export function deliveryDataList(): string {
  const pem = readFileSync(new URL('../tests/fixtures/certificates/rsa-2048.cert.pem', import.meta.url), 'utf8');
  const der = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return (
    '<cpix:DeliveryDataList xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><cpix:DeliveryData id="recipient-1"><cpix:DeliveryKey>' +
    `<ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey></cpix:DeliveryData></cpix:DeliveryDataList>`
  );
}

export interface BenchCase {
  /** 'a'–'f' for the fixed documents, the baseline's own ids for the reference comparison. */
  id: string;
  title: string;
  body: Buffer;
  spekeVersionHeader: string | undefined;
  keys: number;
  /** Median target in µs, when the issue sets one. */
  targetMedianUs?: number;
}

export function benchCases(): BenchCase[] {
  const doc = (s: string) => Buffer.from(s, 'utf8');
  return [
    { id: 'a', title: 'v1, 1 key, HLS AES-128', body: doc(v1HlsAes128()), spekeVersionHeader: undefined, keys: 1, targetMedianUs: 50 },
    { id: 'b', title: 'v2, 2 keys × WV+PR+FP, cbcs', body: doc(v2TwoKeys()), spekeVersionHeader: '2.0', keys: 2, targetMedianUs: 150 },
    { id: 'c', title: 'v2, 8 keys (video 5 + audio 3) × WV+PR+FP', body: doc(v2EightKeys()), spekeVersionHeader: '2.0', keys: 8, targetMedianUs: 500 },
    { id: 'd', title: 'v2 VOD, 100 keys × WV+PR+FP', body: doc(v2Vod(100)), spekeVersionHeader: '2.0', keys: 100 },
    { id: 'e', title: 'v2 VOD, 1,000 keys × WV+PR+FP', body: doc(v2Vod(1000)), spekeVersionHeader: '2.0', keys: 1000 },
    { id: 'f', title: '(b) with an encrypted answer (RSA-2048)', body: doc(v2TwoKeys(deliveryDataList())), spekeVersionHeader: '2.0', keys: 2 },
  ];
}
