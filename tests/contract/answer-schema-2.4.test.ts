import { loadLocalConfig } from '../../src/config.js';
import { answer, testContext } from '../support/core.js';
import { cpixSchemaErrors } from '../support/cpix-schema.js';
import { withDeliveryData } from '../support/encryption.js';
import { KID_A, KID_B, SYSTEM, v21Request, type V2Period } from '../support/requests.js';

/**
 * Answers to SPEKE v2.1 requests against the CPIX 2.4 schema (tests/fixtures/cpix-2.4), where the
 * schema and SPEKE agree. They disagree on two points, where the answers follow SPEKE:
 * - SPEKE v2.1 keeps HLSSignalingData@playlist="master", which CPIX 2.4 renamed "multiVariant"
 *   (SPEKE-v2.1.md §a);
 * - encrypted answers keep DocumentKey@Algorithm (AES-256-CBC) as SPEKE's content-key-encryption
 *   page shows it for v2.0 (the v2.1 page could not be read; the digest says to treat it as the
 *   v2.0 one), while CPIX 2.4's DocumentKey has no attributes but id and encryptsKey.
 * The schema check maps both to CPIX 2.4 first; tests below show the mapping is the only change
 * needed. Request ids are valid xs:IDs (real ones need not be).
 */
const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
const ALL_DRMS = [
  { systemId: SYSTEM.widevine, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` },
  { systemId: SYSTEM.playready, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}<cpix:SmoothStreamingProtectionHeaderData/>` },
  { systemId: SYSTEM.fairplay, children: HLS_PAIR },
  { systemId: SYSTEM.commonPssh, children: '<cpix:PSSH/><cpix:ContentProtectionData/>' },
];
const KEYS = [
  { kid: KID_A, trackType: 'HD', filter: '<cpix:VideoFilter minPixels="589825"/>' },
  { kid: KID_B, trackType: 'STEREO_AUDIO', filter: '<cpix:AudioFilter maxChannels="2"/>' },
];
const LIVE: V2Period[] = [
  { id: 'keyPeriod_1', attributes: 'index="1" start="2026-01-01T00:00:00Z" end="2026-01-01T00:00:06Z"' },
  { id: 'keyPeriod_2', attributes: 'start="2026-01-01T00:00:06.000+00:00" end="2026-01-01T00:00:12Z"' },
];
const VOD: V2Period[] = [
  { id: 'p0', attributes: 'index="0" startOffset="PT0S" endOffset="PT30S"' },
  { id: 'p1', attributes: 'index="1" startOffset="PT30S" duration="PT30S"' },
];
const LEVELS = loadLocalConfig({
  SPEKE_HDCP_LEVELS: 'HD=TYPE-1,STEREO_AUDIO=NONE',
  SPEKE_ROBUSTNESS: 'widevine:HD=HW_SECURE_ALL,playready:*=3000',
  SPEKE_HLS_ALLOWED_CPC: 'fairplay:*=AppleMain/Main,widevine:HD=Main',
}).protectionLevels;

/** SPEKE's playlist="master" as CPIX 2.4 calls it, and its DocumentKey without @Algorithm. */
const asCpix24 = (xml: string) => xml.replaceAll('playlist="master"', 'playlist="multiVariant"').replace(/(<cpix:DocumentKey) Algorithm="[^"]*"/g, '$1');
const run = (body: string) => answer(body, '2.1', { context: testContext({ protectionLevels: LEVELS }) }).body;

describe('SPEKE v2.1 answers validate against the CPIX 2.4 schema', () => {
  it.each([
    [
      'live, start/end periods, Widevine + PlayReady + FairPlay + common PSSH, HDCP and robustness',
      v21Request({ keys: KEYS, systems: ALL_DRMS, periodList: LIVE }),
    ],
    ['VOD, offset periods, SAMPLE-AES', v21Request({ keys: KEYS, scheme: 'SAMPLE-AES', systems: ALL_DRMS.slice(0, 3), periodList: VOD })],
    [
      'ClearKey AES-128 with the AES-128 method, no periods',
      v21Request({ scheme: 'AES-128', systems: [{ systemId: SYSTEM.clearKeyAes128, children: HLS_PAIR }] }),
    ],
    [
      'Widevine + PlayReady, SAMPLE-AES-CTR, DASH only',
      v21Request({
        keys: KEYS,
        scheme: 'SAMPLE-AES-CTR',
        systems: [ALL_DRMS[0]!, ALL_DRMS[1]!].map((s) => ({ ...s, children: '<cpix:PSSH/><cpix:ContentProtectionData/>' })),
      }),
    ],
  ])('%s', async (_name, body) => {
    const out = run(body);
    expect(await cpixSchemaErrors(asCpix24(out), '2.4')).toEqual([]);
  });

  it('with HDCPData carrying the HDCP level and the DASH output protection, in its schema position', async () => {
    const out = run(v21Request({ keys: KEYS, systems: ALL_DRMS, periodList: LIVE }));
    expect(out).toContain('HLSHDCPLevel="TYPE-1"');
    expect(out).toContain('<cpix:HDCPOutputProtectionData>');
    expect(out).toContain('robustness="HW_SECURE_ALL"');
    expect(out).toContain('HLSAllowedCPC="com.apple.streamingkeydelivery:AppleMain/Main"');
    // The schema's sequence is HDCPData, Data: the other order is refused by the same check.
    const swapped = out.replace(/(<cpix:HDCPData[\s\S]*?<\/cpix:HDCPData>)(\s*)(<cpix:Data>[\s\S]*?<\/cpix:Data>)/, '$3$2$1');
    expect(swapped).not.toBe(out);
    expect((await cpixSchemaErrors(asCpix24(swapped), '2.4')).length).toBeGreaterThan(0);
  });

  it('an encrypted answer (DeliveryData, one recipient)', async () => {
    const out = run(withDeliveryData(v21Request({ keys: KEYS, systems: ALL_DRMS.slice(0, 2), periodList: LIVE })));
    expect(await cpixSchemaErrors(asCpix24(out), '2.4')).toEqual([]);
  });

  it('differs from CPIX 2.4 only in SPEKE\'s playlist="master"', async () => {
    const out = run(v21Request({ keys: KEYS, systems: ALL_DRMS, periodList: LIVE }));
    const errors = await cpixSchemaErrors(out, '2.4');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => /HLSSignalingData', attribute 'playlist'/.test(e))).toBe(true);
    expect(errors.some((e) => /The value 'master' is not an element of the set/.test(e))).toBe(true);
  });

  it('and, encrypted, in DocumentKey@Algorithm', async () => {
    const out = run(withDeliveryData(v21Request({ keys: KEYS, systems: [ALL_DRMS[0]!].map((s) => ({ ...s, children: '<cpix:PSSH/>' })) })));
    expect(out).toMatch(/<cpix:DocumentKey Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#aes256-cbc"/);
    const errors = await cpixSchemaErrors(out, '2.4');
    expect(errors).toEqual([expect.stringMatching(/DocumentKey', attribute 'Algorithm': The attribute 'Algorithm' is not allowed/)]);
  });

  it('the schema itself refuses what CPIX 2.4 dropped (URIExtXKey, a non-UUID systemId, an empty list)', async () => {
    const out = asCpix24(run(v21Request({ systems: [ALL_DRMS[2]!] })));
    expect(await cpixSchemaErrors(out, '2.4')).toEqual([]);
    expect(
      (await cpixSchemaErrors(out.replace('<cpix:HLSSignalingData', '<cpix:URIExtXKey>aGk=</cpix:URIExtXKey><cpix:HLSSignalingData'), '2.4')).length,
    ).toBeGreaterThan(0);
    expect((await cpixSchemaErrors(out.replace(`systemId="${SYSTEM.fairplay}"`, 'systemId="fairplay"'), '2.4')).length).toBeGreaterThan(0);
    expect(
      (await cpixSchemaErrors(out.replace(/<cpix:ContentKeyUsageRuleList>[\s\S]*<\/cpix:ContentKeyUsageRuleList>/, '<cpix:ContentKeyUsageRuleList/>'), '2.4'))
        .length,
    ).toBeGreaterThan(0);
  });
});
