import { SpekeHttpError } from '../../../src/errors.js';
import { answer } from '../../support/core.js';
import { decodeProtobuf, decodePssh, fromBase64, parseHlsTag, wrmHeaderOf } from '../../support/drm-decoders.js';
import { KID_A, SYSTEM, v21Request, v2Request } from '../../support/requests.js';
import { all, CPIX, parse, type Node } from '../../support/xml.js';

/**
 * SPEKE v2.1: ContentKey@commonEncryptionScheme may be an HLS method (SPEKE-v2.1.md §c). Each DRM
 * system takes only the methods it can use, and its HLS tags carry the matching METHOD.
 */
const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
const CHILDREN: Record<string, string> = {
  [SYSTEM.widevine]: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}`,
  [SYSTEM.playready]: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}`,
  [SYSTEM.fairplay]: HLS_PAIR,
  [SYSTEM.clearKeyAes128]: HLS_PAIR,
  [SYSTEM.hlsAes128]: HLS_PAIR,
  [SYSTEM.commonPssh]: '<cpix:PSSH/><cpix:ContentProtectionData/>',
};
const NAMES: Record<string, string> = Object.fromEntries(Object.entries(SYSTEM).map(([name, id]) => [id, name]));

/** Which (scheme, system) pairs are usable: AES-128 only for the identity-key systems, never for FairPlay with CTR. */
const USABLE: Record<string, string[]> = {
  'AES-128': [SYSTEM.clearKeyAes128, SYSTEM.hlsAes128],
  'SAMPLE-AES': [SYSTEM.widevine, SYSTEM.playready, SYSTEM.fairplay, SYSTEM.commonPssh],
  'SAMPLE-AES-CTR': [SYSTEM.widevine, SYSTEM.playready, SYSTEM.commonPssh],
};

const request = (scheme: string, systemId: string) => v21Request({ scheme, systems: [{ systemId, children: CHILDREN[systemId]! }] });

function refusal(body: string, header: string): { status: number; message: string } {
  try {
    answer(body, header);
  } catch (error) {
    if (error instanceof SpekeHttpError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

const hlsTags = (drm: Node) => all(drm, CPIX, 'HLSSignalingData').map((h) => parseHlsTag(fromBase64(h.text).toString('utf8')));

describe.each(Object.keys(USABLE))('commonEncryptionScheme %s (v2.1)', (scheme) => {
  const systems = Object.values(SYSTEM);
  it.each(systems.filter((s) => USABLE[scheme]!.includes(s)).map((s) => [NAMES[s]!, s]))(
    'is answered for %s, with METHOD=%s in both HLS tags',
    (_name, systemId) => {
      const doc = parse(answer(request(scheme, systemId), '2.1').body);
      const drm = all(doc, CPIX, 'DRMSystem')[0]!;
      expect(all(doc, CPIX, 'ContentKey')[0]!.attrs.commonEncryptionScheme).toBe(scheme);
      const tags = hlsTags(drm);
      if (systemId !== SYSTEM.commonPssh)
        expect(tags.map((t) => [t.tag, t.attributes.METHOD])).toEqual([
          ['#EXT-X-KEY', scheme],
          ['#EXT-X-SESSION-KEY', scheme],
        ]);
    },
  );

  it.each(systems.filter((s) => !USABLE[scheme]!.includes(s)).map((s) => [NAMES[s]!, s]))(
    'is refused for %s with the §3.9 #9 text naming the system',
    (_name, systemId) => {
      expect(refusal(request(scheme, systemId), '2.1')).toEqual({
        status: 422,
        message: `ContentKey@commonEncryptionScheme non compatible with DRMSystem ${systemId}`,
      });
    },
  );

  it('is not a v2.0 scheme', () => {
    expect(refusal(v2Request({ scheme, systems: [{ systemId: USABLE[scheme]![0]!, children: HLS_PAIR }] }), '2.0')).toEqual({
      status: 422,
      message: `Unsupported ContentKey@commonEncryptionScheme ${scheme}`,
    });
  });
});

describe('HLS methods map onto the CENC scheme they stand for in fMP4', () => {
  const psshOf = (scheme: string, systemId: string) => decodePssh(fromBase64(all(parse(answer(request(scheme, systemId), '2.1').body), CPIX, 'PSSH')[0]!.text));

  it('Widevine writes protection_scheme cbcs for SAMPLE-AES and none (cenc) for SAMPLE-AES-CTR', () => {
    const field9 = (scheme: string) => decodeProtobuf(psshOf(scheme, SYSTEM.widevine).data).find((f) => f.field === 9)?.value;
    expect(field9('SAMPLE-AES')).toBe(0x63626373);
    expect(field9('SAMPLE-AES-CTR')).toBeUndefined();
  });

  it('PlayReady writes an AESCBC 4.3 header for SAMPLE-AES and AESCTR for SAMPLE-AES-CTR', () => {
    expect(wrmHeaderOf(psshOf('SAMPLE-AES', SYSTEM.playready).data)).toMatch(/version="4\.3\.0\.0".*ALGID="AESCBC"/);
    expect(wrmHeaderOf(psshOf('SAMPLE-AES-CTR', SYSTEM.playready).data)).toMatch(/<ALGID>AESCTR<\/ALGID>/);
  });

  it('FairPlay with SAMPLE-AES gets an IV, as with cbcs', () => {
    const doc = parse(answer(request('SAMPLE-AES', SYSTEM.fairplay), '2.1').body);
    expect(fromBase64(all(doc, CPIX, 'ContentKey')[0]!.attrs.explicitIV!)).toHaveLength(16);
  });
});

describe('schemes that are not HLS methods or CENC schemes', () => {
  it.each(['NONE', 'aes-128', 'SAMPLE-AES-CBC', 'cbcs1'])('%p is refused under v2.1', (scheme) => {
    expect(refusal(request(scheme, SYSTEM.widevine), '2.1')).toEqual({ status: 422, message: `Unsupported ContentKey@commonEncryptionScheme ${scheme}` });
  });
});

it('a document mixing a CENC scheme with its HLS method is a mixed-scheme combination', () => {
  const body = v21Request({
    keys: [
      { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
      { kid: '6c5f5206-7d98-4808-84d8-94f132c1e9fe', trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
    ],
    scheme: 'cbcs',
    systems: [{ systemId: SYSTEM.fairplay, children: HLS_PAIR }],
  }).replace(
    'kid="6c5f5206-7d98-4808-84d8-94f132c1e9fe" commonEncryptionScheme="cbcs"',
    'kid="6c5f5206-7d98-4808-84d8-94f132c1e9fe" commonEncryptionScheme="SAMPLE-AES"',
  );
  expect(refusal(body, '2.1')).toEqual({ status: 422, message: 'Non compliant ContentKey@commonEncryptionScheme combination' });
});

describe('CPIX 2.4\'s playlist="multiVariant"', () => {
  const body = (playlist: string) =>
    v21Request({
      systems: [{ systemId: SYSTEM.fairplay, children: `<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="${playlist}"/>` }],
    });

  it('is taken in v2.1 as the multivariant playlist (#EXT-X-SESSION-KEY) and echoed as sent', () => {
    const doc = parse(answer(body('multiVariant'), '2.1').body);
    const hls = all(doc, CPIX, 'HLSSignalingData');
    expect(hls.map((h) => h.attrs.playlist)).toEqual(['media', 'multiVariant']);
    expect(hlsTags(all(doc, CPIX, 'DRMSystem')[0]!).map((t) => t.tag)).toEqual(['#EXT-X-KEY', '#EXT-X-SESSION-KEY']);
  });

  it('is not a SPEKE v2.0 value: the pair is incomplete there', () => {
    const v20 = v2Request({
      systems: [{ systemId: SYSTEM.fairplay, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="multiVariant"/>' }],
    });
    expect(refusal(v20, '2.0').message).toMatch(/HLSSignalingData must come as a pair/);
  });
});
