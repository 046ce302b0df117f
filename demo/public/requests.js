/**
 * Prepared SPEKE requests, shaped like those AWS encryptors send (SPEKE.md §2, §3): v1 with a root
 * id and speke: children, v2 with contentId, version 2.3, a scheme per key and usage rules, v2.1
 * (SPEKE-v2.1.md) as v2 with version 2.4, HLS methods as schemes and timed key periods.
 */
export const SYSTEMS = [
  { id: '81376844-f976-481e-a84e-cc25d39b0b33', name: 'HLS AES-128', kind: 'aes128' },
  { id: '3ea8778f-7742-4bf9-b18b-e834b2acbd47', name: 'ClearKey AES-128', kind: 'aes128' },
  { id: '1077efec-c0b2-4d02-ace3-3c1e52e2fb4b', name: 'W3C common PSSH', kind: 'cenc' },
  { id: 'edef8ba9-79d6-4ace-a3c8-27dcd51d21ed', name: 'Widevine', kind: 'cenc' },
  { id: '9a04f079-9840-4286-ab92-e65be0885f95', name: 'PlayReady', kind: 'playready' },
  { id: '94ce86fb-07ff-4f43-adb8-93d2fa968ca2', name: 'FairPlay', kind: 'fairplay' },
];

export const PRESETS = [
  { name: 'MediaPackage v1 — HLS AES-128 (live)', version: '1', systems: ['81376844-f976-481e-a84e-cc25d39b0b33'], tracks: 'one' },
  {
    name: 'MediaPackage v1 — DASH Widevine + PlayReady',
    version: '1',
    systems: ['edef8ba9-79d6-4ace-a3c8-27dcd51d21ed', '9a04f079-9840-4286-ab92-e65be0885f95'],
    tracks: 'one',
  },
  { name: 'MediaPackage v1 — HLS FairPlay', version: '1', systems: ['94ce86fb-07ff-4f43-adb8-93d2fa968ca2'], tracks: 'one' },
  {
    name: 'SPEKE v2 — DASH cenc, video + audio keys, Widevine + PlayReady + common PSSH',
    version: '2',
    scheme: 'cenc',
    signalling: 'dash',
    tracks: 'av',
    systems: ['edef8ba9-79d6-4ace-a3c8-27dcd51d21ed', '9a04f079-9840-4286-ab92-e65be0885f95', '1077efec-c0b2-4d02-ace3-3c1e52e2fb4b'],
  },
  {
    name: 'SPEKE v2 — CMAF HLS cbcs, FairPlay + Widevine',
    version: '2',
    scheme: 'cbcs',
    signalling: 'hls',
    tracks: 'one',
    systems: ['94ce86fb-07ff-4f43-adb8-93d2fa968ca2', 'edef8ba9-79d6-4ace-a3c8-27dcd51d21ed'],
  },
  { name: 'SPEKE v2 — TS ClearKey AES-128', version: '2', scheme: 'cbc1', signalling: 'hls', tracks: 'one', systems: ['3ea8778f-7742-4bf9-b18b-e834b2acbd47'] },
  {
    name: 'SPEKE v2 — Smooth Streaming PlayReady',
    version: '2',
    scheme: 'cenc',
    signalling: 'mss',
    tracks: 'one',
    systems: ['9a04f079-9840-4286-ab92-e65be0885f95'],
  },
  {
    name: 'SPEKE v2.1 — live CMAF cbcs, key period with start/end, SD/HD/UHD + audio, Widevine + PlayReady + FairPlay',
    version: '2.1',
    scheme: 'cbcs',
    signalling: 'dash+hls',
    tracks: 'sd-hd-uhd',
    periods: 'live',
    systems: ['edef8ba9-79d6-4ace-a3c8-27dcd51d21ed', '9a04f079-9840-4286-ab92-e65be0885f95', '94ce86fb-07ff-4f43-adb8-93d2fa968ca2'],
  },
  {
    name: 'SPEKE v2.1 — VOD, key periods as offsets, SAMPLE-AES, FairPlay + Widevine',
    version: '2.1',
    scheme: 'SAMPLE-AES',
    signalling: 'hls',
    tracks: 'av',
    periods: 'vod',
    systems: ['94ce86fb-07ff-4f43-adb8-93d2fa968ca2', 'edef8ba9-79d6-4ace-a3c8-27dcd51d21ed'],
  },
  {
    name: 'SPEKE v2.1 — TS, AES-128 method, ClearKey AES-128, START_END_ONLY period',
    version: '2.1',
    scheme: 'AES-128',
    signalling: 'hls',
    tracks: 'one',
    periods: 'start-end-only',
    systems: ['3ea8778f-7742-4bf9-b18b-e834b2acbd47'],
  },
];

/** Key periods a request may carry: none, live (MediaPackage INDEX_WITH_START_END / START_END_ONLY), VOD offsets. */
export const PERIODS = ['none', 'index', 'live', 'start-end-only', 'vod'];

/** A live period of 6 s starting at the next whole 6 s, written as MediaPackage writes times (UTC, Z). */
function livePeriod(withIndex, now = Date.now()) {
  const start = Math.ceil(now / 6000) * 6000;
  const time = (ms) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
  return `${withIndex ? `index="${start / 6000}" ` : ''}start="${time(start)}" end="${time(start + 6000)}"`;
}

function periodList(periods) {
  switch (periods) {
    case 'index':
      return [{ id: 'keyPeriod_1', attributes: 'index="1"' }];
    case 'live':
      return [{ id: 'keyPeriod_1', attributes: livePeriod(true) }];
    case 'start-end-only':
      return [{ id: 'keyPeriod_1', attributes: livePeriod(false) }];
    case 'vod':
      return [
        { id: 'vod_period_0', attributes: 'index="0" startOffset="PT0S" endOffset="PT30S"' },
        { id: 'vod_period_1', attributes: 'index="1" startOffset="PT30S" endOffset="PT10M"' },
      ];
    default:
      return [];
  }
}

const TRACKS = {
  one: [{ type: 'ALL', filter: '<cpix:VideoFilter/><cpix:AudioFilter/>' }],
  av: [
    { type: 'VIDEO', filter: '<cpix:VideoFilter/>' },
    { type: 'AUDIO', filter: '<cpix:AudioFilter/>' },
  ],
  // PRESET-VIDEO-3 + PRESET-AUDIO-1: the HDCP level and robustness the server signals differ by track type.
  'sd-hd-uhd': [
    { type: 'SD', filter: '<cpix:VideoFilter maxPixels="589824"/>' },
    { type: 'HD', filter: '<cpix:VideoFilter minPixels="589825" maxPixels="2073600"/>' },
    { type: 'UHD', filter: '<cpix:VideoFilter minPixels="2073601"/>' },
    { type: 'AUDIO', filter: '<cpix:AudioFilter/>' },
  ],
};

const NS = 'xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"';

export function randomKid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const kindOf = (id) => SYSTEMS.find((s) => s.id === id)?.kind ?? 'cenc';

function v1Children(systemId) {
  switch (kindOf(systemId)) {
    case 'aes128':
    case 'fairplay':
      return '<cpix:URIExtXKey/><speke:KeyFormat/><speke:KeyFormatVersions/>';
    case 'playready':
      return '<cpix:PSSH/><cpix:ContentProtectionData/><speke:ProtectionHeader/>';
    default:
      return '<cpix:PSSH/><cpix:ContentProtectionData/>';
  }
}

function v2Children(systemId, signalling) {
  const kind = kindOf(systemId);
  const hls = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
  if (signalling === 'hls' || kind === 'aes128' || kind === 'fairplay') return hls;
  if (signalling === 'dash+hls') return `<cpix:PSSH/><cpix:ContentProtectionData/>${hls}`;
  if (signalling === 'mss') return '<cpix:SmoothStreamingProtectionHeaderData/>';
  return '<cpix:PSSH/><cpix:ContentProtectionData/>';
}

function deliveryDataList(certificate) {
  if (!certificate) return '';
  return `
  <cpix:DeliveryDataList>
    <cpix:DeliveryData id="demo-page-recipient">
      <cpix:DeliveryKey><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey>
    </cpix:DeliveryData>
  </cpix:DeliveryDataList>`;
}

/**
 * The request XML for the chosen options; `certificate` (base64 DER) adds a DeliveryDataList.
 * Version '2.1' writes CPIX 2.4; `periods` adds a ContentKeyPeriodList that every rule filters on.
 */
export function buildRequest({ version, contentId, systems, scheme, signalling, tracks, periods = 'none', certificate }) {
  const keys = (TRACKS[tracks] ?? TRACKS.one).map((t) => ({ ...t, kid: randomKid() }));
  const ds = certificate ? ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#"' : '';
  const drm = (children) =>
    keys.flatMap((k) => systems.map((id) => `\n    <cpix:DRMSystem kid="${k.kid}" systemId="${id}">${children(id)}</cpix:DRMSystem>`)).join('');
  const list = periodList(periods);
  const periodXml =
    list.length === 0
      ? ''
      : `\n  <cpix:ContentKeyPeriodList>${list.map((p) => `\n    <cpix:ContentKeyPeriod id="${p.id}" ${p.attributes}/>`).join('')}\n  </cpix:ContentKeyPeriodList>`;
  const filter = (k) => list.map((p) => `<cpix:KeyPeriodFilter periodId="${p.id}"/>`).join('') + k.filter;
  if (version === '1') {
    return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX id="${escape(contentId)}" ${NS} xmlns:speke="urn:aws:amazon:com:speke"${ds}>${deliveryDataList(certificate)}
  <cpix:ContentKeyList>${keys.map((k) => `\n    <cpix:ContentKey kid="${k.kid}"/>`).join('')}
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>${drm(v1Children)}
  </cpix:DRMSystemList>
</cpix:CPIX>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX contentId="${escape(contentId)}" version="${version === '2.1' ? '2.4' : '2.3'}" ${NS}${ds}>${deliveryDataList(certificate)}
  <cpix:ContentKeyList>${keys.map((k) => `\n    <cpix:ContentKey kid="${k.kid}" commonEncryptionScheme="${scheme}"/>`).join('')}
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>${drm((id) => v2Children(id, signalling))}
  </cpix:DRMSystemList>${periodXml}
  <cpix:ContentKeyUsageRuleList>${keys.map((k) => `\n    <cpix:ContentKeyUsageRule kid="${k.kid}" intendedTrackType="${k.type}">${filter(k)}</cpix:ContentKeyUsageRule>`).join('')}
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
}
