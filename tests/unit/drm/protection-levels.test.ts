import { ConfigError, LAMBDA_ENV, loadLambdaConfig, loadLocalConfig } from '../../../src/config.js';
import { hdcpLevelFor, NO_PROTECTION_LEVELS, systemSettingFor, type ProtectionLevels } from '../../../src/drm/protection-levels.js';
import { parseProtectionLevels } from '../../../src/drm/protection-levels-settings.js';
import { answer, testContext } from '../../support/core.js';
import { fromBase64 } from '../../support/drm-decoders.js';
import { KID_A, KID_B, SYSTEM, v21Request, v2Request } from '../../support/requests.js';
import { all, CPIX, parse, PSKC, type Node } from '../../support/xml.js';

const LAMBDA_ENV_BASE = { SPEKE_KEY_BUCKET: 'b', SPEKE_KEY_URL_PREFIX: 'https://k.example.com', SPEKE_MASTER_SECRET_ID: 's' };
const SETTINGS = {
  SPEKE_HDCP_LEVELS: 'SD=NONE, HD=TYPE-0, UHD=TYPE-1',
  SPEKE_ROBUSTNESS: 'widevine:SD=SW_SECURE_CRYPTO,widevine:HD=HW_SECURE_DECODE,widevine:UHD=HW_SECURE_ALL,playready:*=2000,playready:UHD=3000',
  SPEKE_HLS_ALLOWED_CPC: 'fairplay:*=AppleBaseline/AppleMain/Baseline/Main,fairplay:UHD=AppleMain/Main',
};
const levels = (): ProtectionLevels => loadLocalConfig(SETTINGS).protectionLevels;

describe('HDCP and robustness settings (src/config.ts, checked at start-up)', () => {
  it('are read by both configurations and listed for the template', () => {
    expect(LAMBDA_ENV).toEqual(expect.arrayContaining(['SPEKE_HDCP_LEVELS', 'SPEKE_ROBUSTNESS', 'SPEKE_HLS_ALLOWED_CPC']));
    const lambda = loadLambdaConfig({ ...LAMBDA_ENV_BASE, ...SETTINGS }).protectionLevels;
    expect([...lambda.hdcp]).toEqual([
      ['SD', 'NONE'],
      ['HD', 'TYPE-0'],
      ['UHD', 'TYPE-1'],
    ]);
    expect([...lambda.robustness.get(SYSTEM.playready)!]).toEqual([
      ['*', '2000'],
      ['UHD', '3000'],
    ]);
    expect([...lambda.allowedCpc.get(SYSTEM.fairplay)!]).toEqual([
      ['*', 'AppleBaseline/AppleMain/Baseline/Main'],
      ['UHD', 'AppleMain/Main'],
    ]);
  });

  it('are empty by default: nothing is signalled', () => {
    expect(loadLocalConfig({}).protectionLevels).toEqual(NO_PROTECTION_LEVELS);
  });

  it.each([
    [{ SPEKE_HDCP_LEVELS: 'HD=TYPE-2' }, 'SPEKE_HDCP_LEVELS: HD must be one of NONE, TYPE-0, TYPE-1 (got "TYPE-2")'],
    [{ SPEKE_HDCP_LEVELS: 'HD' }, 'SPEKE_HDCP_LEVELS entry "HD" must be TRACK=VALUE'],
    [{ SPEKE_HDCP_LEVELS: 'H D=NONE' }, 'SPEKE_HDCP_LEVELS entry "H D=NONE": track type must be an intendedTrackType such as HD, UHD1 or SD+HD1, or *'],
    [{ SPEKE_HDCP_LEVELS: 'HD=NONE,HD=TYPE-1' }, 'SPEKE_HDCP_LEVELS sets HD twice'],
    [{ SPEKE_ROBUSTNESS: 'fairplay:HD=x' }, 'SPEKE_ROBUSTNESS: unknown DRM "fairplay"; allowed: widevine, playready'],
    [{ SPEKE_ROBUSTNESS: 'HD=HW_SECURE_ALL' }, 'SPEKE_ROBUSTNESS entry "HD=HW_SECURE_ALL" must be DRM:TRACK=VALUE'],
    [{ SPEKE_ROBUSTNESS: 'widevine:HD=<x>' }, 'SPEKE_ROBUSTNESS: widevine:HD must be 1 to 64 letters, digits, "_", ".", ":" or "-" (got "<x>")'],
    [
      { SPEKE_HLS_ALLOWED_CPC: 'fairplay:HD=Apple Main' },
      'SPEKE_HLS_ALLOWED_CPC: fairplay:HD must be CPC labels separated by "/", e.g. AppleMain/Main (got "Apple Main")',
    ],
    [{ SPEKE_HLS_ALLOWED_CPC: 'clearkey:HD=Main' }, 'SPEKE_HLS_ALLOWED_CPC: unknown DRM "clearkey"; allowed: fairplay, widevine, playready'],
  ])('stops start-up on %p', (env, problem) => {
    let error: unknown;
    try {
      loadLocalConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([problem]);
  });

  it('reports every problem at once', () => {
    expect(parseProtectionLevels({ SPEKE_HDCP_LEVELS: 'HD=x,UHD=y', SPEKE_ROBUSTNESS: 'nope', SPEKE_HLS_ALLOWED_CPC: undefined }).problems).toHaveLength(3);
  });
});

describe('which setting applies to a track type', () => {
  it.each([
    ['SD', 'NONE'],
    ['HD', 'TYPE-0'],
    ['HD1', 'TYPE-0'],
    ['HD2', 'TYPE-0'],
    ['UHD1', 'TYPE-1'],
    ['UHD2', 'TYPE-1'],
    ['SD+HD1', 'TYPE-0'],
    ['HDR+HFR+UHD', 'TYPE-1'],
    ['AUDIO', undefined],
    ['ALL', undefined],
    [undefined, undefined],
  ])('HDCP for %p is %p (combined types take the strictest part)', (trackType, level) => {
    expect(hdcpLevelFor(levels(), trackType)).toBe(level);
  });

  it('an exact track type wins over its family, and * covers the rest', () => {
    const custom = loadLocalConfig({ SPEKE_HDCP_LEVELS: 'HD=TYPE-0,HD2=TYPE-1,SD+HD1=NONE,*=TYPE-0' }).protectionLevels;
    expect(hdcpLevelFor(custom, 'HD1')).toBe('TYPE-0');
    expect(hdcpLevelFor(custom, 'HD2')).toBe('TYPE-1');
    expect(hdcpLevelFor(custom, 'SD+HD1')).toBe('NONE');
    expect(hdcpLevelFor(custom, 'AUDIO')).toBe('TYPE-0');
    expect(hdcpLevelFor(custom, undefined)).toBe('TYPE-0');
  });

  it('robustness and CPC come per system, the last configured part deciding for combined types', () => {
    expect(systemSettingFor(levels().robustness, SYSTEM.widevine, 'UHD1')).toBe('HW_SECURE_ALL');
    expect(systemSettingFor(levels().robustness, SYSTEM.widevine, 'SD+HD1')).toBe('HW_SECURE_DECODE');
    expect(systemSettingFor(levels().robustness, SYSTEM.widevine, 'AUDIO')).toBeUndefined();
    expect(systemSettingFor(levels().robustness, SYSTEM.playready, 'AUDIO')).toBe('2000');
    expect(systemSettingFor(levels().robustness, SYSTEM.fairplay, 'HD')).toBeUndefined();
    expect(systemSettingFor(levels().allowedCpc, SYSTEM.fairplay, 'UHD')).toBe('AppleMain/Main');
  });
});

describe('HDCP and robustness in answers', () => {
  const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
  const SYSTEMS = [
    { systemId: SYSTEM.widevine, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` },
    { systemId: SYSTEM.playready, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` },
    { systemId: SYSTEM.fairplay, children: HLS_PAIR },
  ];
  const KID_C = 'a1b2c3d4-0003-4000-8000-000000000003';
  const KID_D = 'a1b2c3d4-0004-4000-8000-000000000004';
  const KEYS = [
    { kid: KID_A, trackType: 'SD', filter: '<cpix:VideoFilter maxPixels="589824"/>' },
    { kid: KID_B, trackType: 'HD', filter: '<cpix:VideoFilter minPixels="589825" maxPixels="2073600"/>' },
    { kid: KID_C, trackType: 'UHD', filter: '<cpix:VideoFilter minPixels="2073601"/>' },
    { kid: KID_D, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
  ];
  const context = () => testContext({ protectionLevels: levels() });
  const run = (body: string, header: string) => parse(answer(body, header, { context: context() }).body);
  const key = (doc: Node, kid: string) => all(doc, CPIX, 'ContentKey').find((k) => k.attrs.kid === kid)!;
  const drm = (doc: Node, kid: string, systemId: string) => all(doc, CPIX, 'DRMSystem').find((d) => d.attrs.kid === kid && d.attrs.systemId === systemId)!;

  it('puts HDCPData first in each configured ContentKey, before Data, with the HLS level and the DASH OutputProtection', () => {
    const doc = run(v21Request({ keys: KEYS, systems: SYSTEMS }), '2.1');
    const hdcp = (kid: string) => all(key(doc, kid), CPIX, 'HDCPData')[0];
    expect(key(doc, KID_C).children.map((c) => c.name)).toEqual(['HDCPData', 'Data']);
    expect(hdcp(KID_A)!.attrs).toEqual({ HLSHDCPLevel: 'NONE' });
    expect(hdcp(KID_A)!.children).toEqual([]);
    expect(hdcp(KID_B)!.attrs).toEqual({ HLSHDCPLevel: 'TYPE-0' });
    expect(fromBase64(all(hdcp(KID_B)!, CPIX, 'HDCPOutputProtectionData')[0]!.text).toString('utf8')).toBe(
      '<OutputProtection xmlns="urn:mpeg:dash:schema:mpd:2011" schemeIdUri="urn:mpeg:dash:output-protection:hdcp:2020" value="1.4"/>',
    );
    expect(fromBase64(all(hdcp(KID_C)!, CPIX, 'HDCPOutputProtectionData')[0]!.text).toString('utf8')).toContain('value="2.2"');
    expect(hdcp(KID_D)).toBeUndefined();
    expect(key(doc, KID_D).children.map((c) => c.name)).toEqual(['Data']);
    expect(all(key(doc, KID_C), PSKC, 'PlainValue')).toHaveLength(1);
  });

  it('sets ContentProtectionData@robustness and DRMSystem@HLSAllowedCPC per system and track type', () => {
    const doc = run(v21Request({ keys: KEYS, systems: SYSTEMS }), '2.1');
    const robustness = (kid: string, systemId: string) => all(drm(doc, kid, systemId), CPIX, 'ContentProtectionData')[0]!.attrs.robustness;
    expect(robustness(KID_A, SYSTEM.widevine)).toBe('SW_SECURE_CRYPTO');
    expect(robustness(KID_C, SYSTEM.widevine)).toBe('HW_SECURE_ALL');
    expect(robustness(KID_D, SYSTEM.widevine)).toBeUndefined();
    expect(robustness(KID_B, SYSTEM.playready)).toBe('2000');
    expect(robustness(KID_C, SYSTEM.playready)).toBe('3000');
    expect(drm(doc, KID_C, SYSTEM.fairplay).attrs.HLSAllowedCPC).toBe('com.apple.streamingkeydelivery:AppleMain/Main');
    expect(drm(doc, KID_A, SYSTEM.fairplay).attrs.HLSAllowedCPC).toBe('com.apple.streamingkeydelivery:AppleBaseline/AppleMain/Baseline/Main');
    expect(drm(doc, KID_A, SYSTEM.widevine).attrs.HLSAllowedCPC).toBeUndefined();
  });

  // One key in two usage rules (v2 allows it when their track types differ) protects both: it gets
  // the stricter protection, whichever rule comes first. With its first rule only, SD's NONE and
  // SW_SECURE_CRYPTO went to a key that also protects UHD (found by review).
  it.each([
    ['SD then UHD1', 'SD', 'UHD1'],
    ['UHD1 then SD', 'UHD1', 'SD'],
  ])('a key in two usage rules (%s) gets the protection of the stricter one', (_order, first, second) => {
    const body = v21Request({ keys: [{ kid: KID_A, trackType: first, filter: '<cpix:VideoFilter/>' }], systems: SYSTEMS });
    const rule = /<cpix:ContentKeyUsageRule [^>]*>.*?<\/cpix:ContentKeyUsageRule>/s.exec(body)![0];
    const twoRules = body.replace(rule, rule + rule.replace(`intendedTrackType="${first}"`, `intendedTrackType="${second}"`));
    const doc = run(twoRules, '2.1');
    expect(all(key(doc, KID_A), CPIX, 'HDCPData')[0]!.attrs).toEqual({ HLSHDCPLevel: 'TYPE-1' });
    expect(all(drm(doc, KID_A, SYSTEM.widevine), CPIX, 'ContentProtectionData')[0]!.attrs.robustness).toBe('HW_SECURE_ALL');
    expect(all(drm(doc, KID_A, SYSTEM.playready), CPIX, 'ContentProtectionData')[0]!.attrs.robustness).toBe('3000');
    expect(drm(doc, KID_A, SYSTEM.fairplay).attrs.HLSAllowedCPC).toBe('com.apple.streamingkeydelivery:AppleMain/Main');
  });

  it('puts robustness only where DASH signalling is returned and allowed CPC only where HLS signalling is', () => {
    const dashOnly = [{ systemId: SYSTEM.widevine, children: '<cpix:PSSH/>' }];
    const doc = run(v21Request({ keys: KEYS, systems: dashOnly }), '2.1');
    expect(all(drm(doc, KID_C, SYSTEM.widevine), CPIX, 'ContentProtectionData')).toHaveLength(0);
    const cpcOnPssh = loadLocalConfig({ SPEKE_HLS_ALLOWED_CPC: 'widevine:*=Main' }).protectionLevels;
    const out = parse(answer(v21Request({ keys: KEYS, systems: dashOnly }), '2.1', { context: testContext({ protectionLevels: cpcOnPssh }) }).body);
    expect(drm(out, KID_C, SYSTEM.widevine).attrs.HLSAllowedCPC).toBeUndefined();
  });

  it('signals nothing of it in v2.0 answers', () => {
    const doc = run(v2Request({ keys: KEYS, systems: SYSTEMS }), '2.0');
    expect(all(doc, CPIX, 'HDCPData')).toHaveLength(0);
    expect(all(doc, CPIX, 'ContentProtectionData').every((c) => c.attrs.robustness === undefined)).toBe(true);
    expect(all(doc, CPIX, 'DRMSystem').every((d) => d.attrs.HLSAllowedCPC === undefined)).toBe(true);
  });

  it('signals nothing when nothing is configured, and removes an empty HDCPData the request carried', () => {
    const body = v21Request({ keys: KEYS, systems: SYSTEMS }).replace(
      `<cpix:ContentKey kid="${KID_C}" commonEncryptionScheme="cbcs"/>`,
      `<cpix:ContentKey kid="${KID_C}" commonEncryptionScheme="cbcs"><cpix:HDCPData/></cpix:ContentKey>`,
    );
    const doc = parse(answer(body, '2.1').body);
    expect(all(doc, CPIX, 'HDCPData')).toHaveLength(0);
    expect(all(doc, CPIX, 'DRMSystem').every((d) => d.attrs.HLSAllowedCPC === undefined)).toBe(true);
    // with settings, the request's HDCPData is replaced by one filled in
    const filled = run(body, '2.1');
    expect(all(key(filled, KID_C), CPIX, 'HDCPData').map((h) => h.attrs.HLSHDCPLevel)).toEqual(['TYPE-1']);
  });
});
