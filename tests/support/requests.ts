/** Builders for CPIX requests used across tests. KIDs and IDs are fixed so answers are comparable. */
export const KID_A = '98ee5596-cd3e-a20d-163a-e382420c6eff';
export const KID_B = '6c5f5206-7d98-4808-84d8-94f132c1e9fe';

export const SYSTEM = {
  hlsAes128: '81376844-f976-481e-a84e-cc25d39b0b33',
  clearKeyAes128: '3ea8778f-7742-4bf9-b18b-e834b2acbd47',
  commonPssh: '1077efec-c0b2-4d02-ace3-3c1e52e2fb4b',
  widevine: 'edef8ba9-79d6-4ace-a3c8-27dcd51d21ed',
  playready: '9a04f079-9840-4286-ab92-e65be0885f95',
  fairplay: '94ce86fb-07ff-4f43-adb8-93d2fa968ca2',
};

/** SPEKE v1 live HLS AES-128 request with a key period, in the shape MediaPackage sends. */
export function v1Aes128(options: { contentId?: string; kid?: string; period?: number } = {}): string {
  const kid = options.kid ?? KID_B;
  const period = `keyPeriod_e64248f6-f307-4b99-aa67-b05f5b1b1b6b`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX id="${options.contentId ?? 'channel-1'}" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:speke="urn:aws:amazon:com:speke">
  <cpix:ContentKeyList><cpix:ContentKey kid="${kid}"></cpix:ContentKey></cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="${kid}" systemId="${SYSTEM.hlsAes128}">
      <cpix:ContentProtectionData /><speke:KeyFormat /><speke:KeyFormatVersions /><speke:ProtectionHeader /><cpix:PSSH /><cpix:URIExtXKey />
    </cpix:DRMSystem>
  </cpix:DRMSystemList>
  <cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="${period}" index="${options.period ?? 11425}" /></cpix:ContentKeyPeriodList>
  <cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="${kid}"><cpix:KeyPeriodFilter periodId="${period}" /></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
}

export interface V2Key {
  kid: string;
  trackType: string;
  filter?: string;
  /** KeyPeriodFilter@periodId values of this key's usage rule (with `periodList`; default: every period). */
  periods?: string[];
}

/** One ContentKeyPeriod: its id and the rest of its attributes as written (e.g. `index="1" start="…"`). */
export interface V2Period {
  id: string;
  attributes: string;
}

/** SPEKE v2.1 (CPIX 2.4) request: v2Request with version="2.4". */
export function v21Request(options: Parameters<typeof v2Request>[0] = {}): string {
  return v2Request({ cpixVersion: '2.4', ...options });
}

/** SPEKE v2 request: keys with usage rules, and a DRMSystem per (key, system) with the given children. */
/** KID_A for video and KID_B for audio, the key pair of a typical live CMAF request. */
export const VIDEO_AUDIO_KEYS: V2Key[] = [
  { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
  { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
];

export function v2Request(
  options: {
    contentId?: string;
    scheme?: string;
    keys?: V2Key[];
    systems?: { systemId: string; children: string }[];
    periods?: boolean;
    /** The ContentKeyPeriodList; each key's rule filters on `key.periods` or else on every period. */
    periodList?: V2Period[];
    rootAttributes?: string;
    /** CPIX@version (default 2.3, SPEKE v2.0). */
    cpixVersion?: string;
  } = {},
): string {
  const keys = options.keys ?? [{ kid: KID_A, trackType: 'ALL', filter: '<cpix:VideoFilter/><cpix:AudioFilter/>' }];
  const systems = options.systems ?? [
    { systemId: SYSTEM.clearKeyAes128, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>' },
  ];
  const scheme = options.scheme ?? 'cbcs';
  const period = 'period-1';
  const periodList = options.periodList ?? (options.periods ? [{ id: period, attributes: 'index="1"' }] : undefined);
  const periodFilters = (k: V2Key) => (k.periods ?? periodList?.map((p) => p.id) ?? []).map((id) => `<cpix:KeyPeriodFilter periodId="${id}"/>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX contentId="${options.contentId ?? 'movie-1'}" version="${options.cpixVersion ?? '2.3'}" ${options.rootAttributes ?? ''} xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">
  <cpix:ContentKeyList>${keys.map((k) => `<cpix:ContentKey kid="${k.kid}" commonEncryptionScheme="${scheme}"/>`).join('')}</cpix:ContentKeyList>
  <cpix:DRMSystemList>${keys
    .flatMap((k) => systems.map((s) => `<cpix:DRMSystem kid="${k.kid}" systemId="${s.systemId}">${s.children}</cpix:DRMSystem>`))
    .join('')}</cpix:DRMSystemList>
  ${periodList ? `<cpix:ContentKeyPeriodList>${periodList.map((p) => `<cpix:ContentKeyPeriod id="${p.id}" ${p.attributes}/>`).join('')}</cpix:ContentKeyPeriodList>` : ''}
  <cpix:ContentKeyUsageRuleList>${keys
    .map((k) => `<cpix:ContentKeyUsageRule kid="${k.kid}" intendedTrackType="${k.trackType}">${periodFilters(k)}${k.filter ?? ''}</cpix:ContentKeyUsageRule>`)
    .join('')}</cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
}

/**
 * The namespace-declaration attack (issue 14): a valid SPEKE v1 request whose root declares
 * `prefixes` prefixes and which carries `redeclaring` unknown elements that each declare one more.
 * By default about 649 KB: 8,000 prefixes and as many redeclaring elements as fit. Copying the
 * in-scope bindings per declaring element made it cost prefixes × redeclaring map entries.
 */
export function repeatedNamespaceDeclarations(options: { prefixes?: number; redeclaring?: number } = {}): {
  body: string;
  prefixes: number;
  redeclaring: number;
} {
  const prefixes = options.prefixes ?? 8000;
  const decl = Array.from({ length: prefixes }, (_, i) => ` xmlns:p${i}="urn:example:p${i}"`).join('');
  const child = '<x:a xmlns:x="urn:example:x"/>';
  const base = v1Aes128();
  const redeclaring = options.redeclaring ?? Math.floor((649 * 1024 - base.length - decl.length) / child.length);
  const body = base
    .replace('xmlns:cpix="urn:dashif:org:cpix"', `xmlns:cpix="urn:dashif:org:cpix"${decl}`)
    .replace('<cpix:ContentKeyList>', `${child.repeat(redeclaring)}<cpix:ContentKeyList>`);
  return { body, prefixes, redeclaring };
}
