import { MalformedRequestError, SpekeValidationError, UnsupportedVersionError } from '../../src/errors.js';
import { answer, TEST_KEY_URL_PREFIX } from '../support/core.js';
import { all, CPIX, one, parse, PSKC } from '../support/xml.js';
import { KID_A, KID_B, SYSTEM, v2Request } from '../support/requests.js';

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const CLEARKEY = { systemId: SYSTEM.clearKeyAes128, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>' };
const VIDEO_AUDIO = [
  { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
  { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
];

function failure(body: string, header = '2.0'): { error: unknown } {
  try {
    answer(body, header);
  } catch (error) {
    return { error };
  }
  throw new Error('expected the request to be refused');
}

function expectRefusal(body: string, status: number, message: string | RegExp): void {
  const { error } = failure(body);
  expect((error as { status: number }).status).toBe(status);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
}

describe('SPEKE v2 answers', () => {
  it('answers ClearKey AES-128 with media and master HLS tags and the key URL', () => {
    const out = answer(v2Request({ contentId: 'movie-1', scheme: 'cbc1', systems: [CLEARKEY] }), '2.0');
    expect(out.headers).toEqual({
      'Content-Type': 'application/xml',
      'X-Speke-User-Agent': expect.stringMatching(/^speke-key-server\//),
      'X-Speke-Version': '2.0',
    });
    const doc = parse(out.body);
    expect(doc.attrs).toMatchObject({ contentId: 'movie-1', version: '2.3' });
    const [media, master] = all(doc, CPIX, 'HLSSignalingData');
    const url = `${TEST_KEY_URL_PREFIX}/movie-1/${KID_A}`;
    expect(media!.attrs.playlist).toBe('media');
    expect(b64(media!.text)).toBe(`#EXT-X-KEY:METHOD=AES-128,KEYFORMAT="identity",KEYFORMATVERSIONS="1",URI="${url}"`);
    expect(master!.attrs.playlist).toBe('master');
    expect(b64(master!.text)).toBe(`#EXT-X-SESSION-KEY:METHOD=AES-128,KEYFORMAT="identity",KEYFORMATVERSIONS="1",URI="${url}"`);
    expect(one(doc, CPIX, 'ContentKey').attrs.commonEncryptionScheme).toBe('cbc1');
    expect(Buffer.from(one(doc, PSKC, 'PlainValue').text, 'base64')).toHaveLength(16);
    expect(out.keysToPublish).toHaveLength(1);
  });

  it('echoes the X-Speke-Version value and drops CPIX@id', () => {
    const out = answer(v2Request({ rootAttributes: 'id="legacy-id" name="n"' }), ' 2.0');
    expect(out.headers['X-Speke-Version']).toBe(' 2.0');
    const doc = parse(out.body);
    expect(doc.attrs.id).toBeUndefined();
    expect(doc.attrs.name).toBe('n');
  });

  it('answers several keys with their usage rules and periods untouched', () => {
    const out = answer(v2Request({ keys: VIDEO_AUDIO, periods: true, systems: [CLEARKEY] }), '2.0');
    const doc = parse(out.body);
    expect(all(doc, PSKC, 'PlainValue')).toHaveLength(2);
    expect(all(doc, CPIX, 'ContentKeyUsageRule').map((r) => r.attrs)).toEqual([
      { kid: KID_A, intendedTrackType: 'VIDEO' },
      { kid: KID_B, intendedTrackType: 'AUDIO' },
    ]);
    const keys = all(doc, PSKC, 'PlainValue').map((p) => p.text);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('removes requested children that mean nothing for the system (§3.9 #14)', () => {
    const out = answer(v2Request({ systems: [{ ...CLEARKEY, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${CLEARKEY.children}` }] }), '2.0');
    const drm = one(parse(out.body), CPIX, 'DRMSystem');
    expect(drm.children.map((c) => c.name)).toEqual(['HLSSignalingData', 'HLSSignalingData']);
  });

  it('accepts CPIX@version 2.3 with surrounding spaces', () => {
    expect(() => answer(v2Request().replace('version="2.3"', 'version=" 2.3 "'), '2.0')).not.toThrow();
  });

  it('accepts a single VideoFilter for a combined SD+HD1 track type', () => {
    const keys = [{ kid: KID_A, trackType: 'SD+HD1', filter: '<cpix:VideoFilter maxPixels="921600"/>' }];
    expect(() => answer(v2Request({ keys }), '2.0')).not.toThrow();
    const two = [
      { kid: KID_A, trackType: 'SD+HD1', filter: '<cpix:VideoFilter maxPixels="589824"/><cpix:VideoFilter minPixels="589825" maxPixels="921600"/>' },
    ];
    expect(() => answer(v2Request({ keys: two }), '2.0')).not.toThrow();
  });
});

describe('SPEKE v2 validation: every row of SPEKE.md §3.9, with its text and status', () => {
  it('#1 unsupported X-Speke-Version', () => {
    const { error } = failure(v2Request(), '2.2');
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    expect((error as Error).message).toBe('Unsupported SPEKE version');
  });

  it('#2 body not CPIX XML → 400', () => {
    expect(failure('not xml').error).toBeInstanceOf(MalformedRequestError);
    expect(failure('<CPIX/>').error).toBeInstanceOf(MalformedRequestError);
    expect(failure('').error).toBeInstanceOf(MalformedRequestError);
  });

  it('#3 missing or empty CPIX@contentId', () => {
    expectRefusal(v2Request().replace('contentId="movie-1"', ''), 422, 'Missing CPIX@contentId');
    expectRefusal(v2Request({ contentId: '' }), 422, 'Missing CPIX@contentId');
  });

  it('#4 missing CPIX@version', () => {
    expectRefusal(v2Request().replace('version="2.3"', ''), 422, 'Missing CPIX@version');
    expectRefusal(v2Request().replace('version="2.3"', 'version=""'), 422, 'Missing CPIX@version');
  });

  it.each(['2.0', '2.4', '3', 'x'])('#5 CPIX@version %p', (version) => {
    expectRefusal(v2Request().replace('version="2.3"', `version="${version}"`), 422, 'Unsupported CPIX@version');
  });

  it('#6 missing lists and mandatory attributes → 4xx free text', () => {
    const noList = (name: string) => v2Request().replace(new RegExp(`<cpix:${name}>.*</cpix:${name}>`, 's'), '');
    expectRefusal(noList('ContentKeyList'), 422, 'Missing or empty ContentKeyList');
    expectRefusal(noList('DRMSystemList'), 422, 'Missing or empty DRMSystemList');
    expectRefusal(noList('ContentKeyUsageRuleList'), 422, 'Missing or empty ContentKeyUsageRuleList');
    expectRefusal(v2Request().replace(/<cpix:ContentKey kid="[^"]+"/, '<cpix:ContentKey'), 422, 'Missing ContentKey@kid');
    expectRefusal(v2Request().replace(/<cpix:DRMSystem kid="[^"]+"/, '<cpix:DRMSystem'), 422, 'Missing DRMSystem@kid');
    expectRefusal(v2Request().replace(/ systemId="[^"]+"/, ''), 422, /^Missing DRMSystem@systemId/);
    expectRefusal(v2Request().replace(/<cpix:ContentKeyUsageRule kid="[^"]+"/, '<cpix:ContentKeyUsageRule'), 422, 'Missing ContentKeyUsageRule@kid');
    expectRefusal(v2Request().replace(/ intendedTrackType="[^"]+"/, ''), 422, /^Missing ContentKeyUsageRule@intendedTrackType/);
  });

  it('#7 a ContentKey without commonEncryptionScheme', () => {
    const body = v2Request({ keys: VIDEO_AUDIO }).replace(
      `<cpix:ContentKey kid="${KID_B}" commonEncryptionScheme="cbcs"/>`,
      `<cpix:ContentKey kid="${KID_B}"/>`,
    );
    expectRefusal(body, 422, `Missing ContentKey@commonEncryptionScheme for KID ${KID_B}`);
  });

  it('#8 schemes that differ between ContentKeys', () => {
    const body = v2Request({ keys: VIDEO_AUDIO }).replace(
      `<cpix:ContentKey kid="${KID_B}" commonEncryptionScheme="cbcs"/>`,
      `<cpix:ContentKey kid="${KID_B}" commonEncryptionScheme="cenc"/>`,
    );
    expectRefusal(body, 422, 'Non compliant ContentKey@commonEncryptionScheme combination');
  });

  it('#10 no VideoFilter or AudioFilter anywhere', () => {
    expectRefusal(v2Request({ keys: [{ kid: KID_A, trackType: 'VIDEO' }] }), 422, 'Missing CPIX encryption contract');
  });

  describe('#11 malformed contract', () => {
    const cases: Record<string, Parameters<typeof v2Request>[0]> = {
      'duplicate intendedTrackType': {
        keys: [
          { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
          { kid: KID_B, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
        ],
      },
      'ALL mixed with another rule': {
        keys: [
          { kid: KID_A, trackType: 'ALL', filter: '<cpix:VideoFilter/><cpix:AudioFilter/>' },
          { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
        ],
      },
      'ALL without an AudioFilter': { keys: [{ kid: KID_A, trackType: 'ALL', filter: '<cpix:VideoFilter/>' }] },
      'ALL with an attribute on its filter': { keys: [{ kid: KID_A, trackType: 'ALL', filter: '<cpix:VideoFilter maxPixels="10"/><cpix:AudioFilter/>' }] },
      'filter count not matching the + parts': { keys: [{ kid: KID_A, trackType: 'HDR+HFR+UHD', filter: '<cpix:VideoFilter/><cpix:VideoFilter/>' }] },
      'a rule relying on an unsupported filter': {
        keys: [
          { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
          { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:BitrateFilter minBitrate="1"/>' },
        ],
      },
    };
    it.each(Object.keys(cases))('%s', (name) => expectRefusal(v2Request(cases[name]), 422, 'Malformed encryption contract'));

    it('a usage rule for an unknown KID', () => {
      const body = v2Request().replace(`<cpix:ContentKeyUsageRule kid="${KID_A}"`, `<cpix:ContentKeyUsageRule kid="${KID_B}"`);
      expectRefusal(body, 422, 'Malformed encryption contract');
    });
    it('a KeyPeriodFilter naming no period', () => {
      const body = v2Request({ periods: true }).replace('<cpix:KeyPeriodFilter periodId="period-1"/>', '<cpix:KeyPeriodFilter periodId="other"/>');
      expectRefusal(body, 422, 'Malformed encryption contract');
    });
  });

  it('#13 unknown system ID → 4xx naming it', () => {
    const body = v2Request({ systems: [{ systemId: '80a6be7e-1448-4c37-9e70-d5aebe04c8d2', children: '<cpix:PSSH/>' }] });
    expectRefusal(body, 422, 'Unsupported DRMSystem@systemId 80a6be7e-1448-4c37-9e70-d5aebe04c8d2');
  });

  it('#14 a lone HLSSignalingData is a structural gap → 4xx explaining it', () => {
    const body = v2Request({ systems: [{ systemId: SYSTEM.clearKeyAes128, children: '<cpix:HLSSignalingData playlist="media"/>' }] });
    expectRefusal(body, 422, /HLSSignalingData must come as a pair/);
  });

  it('#15 a DRMSystem for a KID not in ContentKeyList', () => {
    const body = v2Request().replace(`<cpix:DRMSystem kid="${KID_A}"`, `<cpix:DRMSystem kid="${KID_B}"`);
    expectRefusal(body, 422, `DRMSystem@kid ${KID_B} is not in ContentKeyList`);
  });

  it('checks run in the order of §3.9: the first failure wins', () => {
    // missing contentId (#3) and unsupported version (#5): #3 is reported
    expectRefusal(v2Request({ contentId: '' }).replace('version="2.3"', 'version="9"'), 422, 'Missing CPIX@contentId');
    // mixed schemes (#8) and malformed contract (#11): #8 is reported
    const mixed = v2Request({
      keys: [
        { kid: KID_A, trackType: 'V', filter: '<cpix:VideoFilter/>' },
        { kid: KID_B, trackType: 'V', filter: '<cpix:VideoFilter/>' },
      ],
    }).replace(`kid="${KID_B}" commonEncryptionScheme="cbcs"`, `kid="${KID_B}" commonEncryptionScheme="cenc"`);
    expectRefusal(mixed, 422, 'Non compliant ContentKey@commonEncryptionScheme combination');
    // missing contract (#10) before unknown system (#13)
    const both = v2Request({ keys: [{ kid: KID_A, trackType: 'VIDEO' }], systems: [{ systemId: '80a6be7e-1448-4c37-9e70-d5aebe04c8d2', children: '' }] });
    expectRefusal(both, 422, 'Missing CPIX encryption contract');
  });

  it('a v1 document under a v2 header, and a v2 document without one, are refused', () => {
    const v1Doc = `<cpix:CPIX id="a" xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList><cpix:ContentKey kid="${KID_A}"/></cpix:ContentKeyList></cpix:CPIX>`;
    expectRefusal(v1Doc, 422, 'Missing CPIX@contentId');
    let error: unknown;
    try {
      answer(v2Request());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpekeValidationError);
    expect((error as Error).message).toBe('Missing CPIX@id');
  });
});
