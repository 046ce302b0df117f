import { createCipheriv } from 'node:crypto';
import { createDrmRegistry } from '../../../src/composition.js';
import { SpekeHttpError } from '../../../src/errors.js';
import { answer, testContext } from '../../support/core.js';
import { decodePro, decodePssh, fromBase64, parseHlsTag, wrmHeaderOf } from '../../support/drm-decoders.js';
import { KID_A, KID_B, SYSTEM, v2Request } from '../../support/requests.js';
import { all, CPIX, one, parse, PSKC, SPEKE, type Node } from '../../support/xml.js';

const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
const VIDEO_AUDIO = [
  { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
  { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
];

function failure(run: () => unknown): { status: number; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof SpekeHttpError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected the request to be refused');
}

function drmSystem(root: Node, kid: string, systemId: string): Node {
  const found = all(root, CPIX, 'DRMSystem').filter((d) => d.attrs.kid === kid && d.attrs.systemId === systemId);
  if (found.length !== 1) throw new Error(`expected one DRMSystem ${kid} ${systemId}`);
  return found[0]!;
}

function contentKey(root: Node, kid: string): Node {
  return all(root, CPIX, 'ContentKey').find((k) => k.attrs.kid === kid)!;
}

const text = (node: Node) => fromBase64(node.text).toString('utf8');

function v1Request(systemId: string, children: string, explicitIV = ''): string {
  return `<cpix:CPIX id="ch-1" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:speke="urn:aws:amazon:com:speke">
  <cpix:ContentKeyList><cpix:ContentKey kid="${KID_A}" ${explicitIV}/></cpix:ContentKeyList>
  <cpix:DRMSystemList><cpix:DRMSystem kid="${KID_A}" systemId="${systemId}">${children}</cpix:DRMSystem></cpix:DRMSystemList>
</cpix:CPIX>`;
}

const ALL_V1_CHILDREN = '<cpix:ContentProtectionData/><speke:KeyFormat/><speke:KeyFormatVersions/><speke:ProtectionHeader/><cpix:PSSH/><cpix:URIExtXKey/>';

describe('DRM signalling through the core', () => {
  it.each(['cenc', 'cbc1', 'cens'])('refuses FairPlay with %s using the SPEKE.md §3.9 #9 text', (scheme) => {
    const body = v2Request({ scheme, systems: [{ systemId: SYSTEM.fairplay, children: HLS_PAIR }] });
    expect(failure(() => answer(body, '2.0'))).toEqual({
      status: 422,
      message: `ContentKey@commonEncryptionScheme non compatible with DRMSystem ${SYSTEM.fairplay}`,
    });
  });

  it('still refuses an unknown system ID with a 4xx that names it', () => {
    const unknown = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const result = failure(() => answer(v2Request({ systems: [{ systemId: unknown, children: '<cpix:PSSH/>' }] }), '2.0'));
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
    expect(result.message).toContain(unknown);
  });

  it('answers FairPlay v2 with HLS only, dropping PSSH and ContentProtectionData, and keeps the explicitIV', () => {
    const iv = Buffer.from('00112233445566778899aabbccddeeff', 'hex').toString('base64');
    const body = v2Request({ systems: [{ systemId: SYSTEM.fairplay, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` }] }).replace(
      'commonEncryptionScheme="cbcs"',
      `commonEncryptionScheme="cbcs" explicitIV="${iv}"`,
    );
    const context = testContext({ registry: createDrmRegistry({ fairPlayKeyUriTemplate: 'skd://{kid}?iv={ivHex}' }) });
    const root = parse(answer(body, '2.0', { context }).body);
    const drm = drmSystem(root, KID_A, SYSTEM.fairplay);
    expect(drm.children.map((c) => c.name)).toEqual(['HLSSignalingData', 'HLSSignalingData']);
    expect(contentKey(root, KID_A).attrs.explicitIV).toBe(iv);
    for (const hls of drm.children) {
      expect(parseHlsTag(text(hls)).attributes.URI).toBe(`skd://${KID_A}?iv=00112233445566778899aabbccddeeff`);
    }
  });

  it('gives a FairPlay key without explicitIV the IV it names in its skd URI', () => {
    const body = v2Request({ systems: [{ systemId: SYSTEM.fairplay, children: HLS_PAIR }] });
    const context = testContext({ registry: createDrmRegistry({ fairPlayKeyUriTemplate: 'skd://{kidHex}:{ivHex}' }) });
    const root = parse(answer(body, '2.0', { context }).body);
    const iv = fromBase64(contentKey(root, KID_A).attrs.explicitIV!);
    expect(iv).toHaveLength(16);
    const media = parseHlsTag(text(all(drmSystem(root, KID_A, SYSTEM.fairplay), CPIX, 'HLSSignalingData')[0]!));
    expect(media.attributes.URI).toBe(`skd://${KID_A.replace(/-/g, '')}:${iv.toString('hex')}`);
  });

  it('answers a v1 FairPlay request (no scheme) with skd URI, KeyFormat and KeyFormatVersions, and an IV', () => {
    const root = parse(answer(v1Request(SYSTEM.fairplay, ALL_V1_CHILDREN)).body);
    const drm = drmSystem(root, KID_A, SYSTEM.fairplay);
    expect(drm.children.map((c) => c.name).sort()).toEqual(['KeyFormat', 'KeyFormatVersions', 'URIExtXKey']);
    expect(text(one(drm, CPIX, 'URIExtXKey'))).toBe(`skd://${KID_A}`);
    expect(text(one(drm, SPEKE, 'KeyFormat'))).toBe('com.apple.streamingkeydelivery');
    expect(text(one(drm, SPEKE, 'KeyFormatVersions'))).toBe('1');
    expect(fromBase64(contentKey(root, KID_A).attrs.explicitIV!)).toHaveLength(16);
  });

  it('answers a v1 PlayReady request with the PRO as ProtectionHeader and a PSSH carrying it', () => {
    const root = parse(answer(v1Request(SYSTEM.playready, ALL_V1_CHILDREN)).body);
    const drm = drmSystem(root, KID_A, SYSTEM.playready);
    const pro = fromBase64(one(drm, SPEKE, 'ProtectionHeader').text);
    const box = decodePssh(fromBase64(one(drm, CPIX, 'PSSH').text));
    expect(decodePro(pro).records).toHaveLength(1);
    expect(box.data.equals(pro)).toBe(true);
    expect(wrmHeaderOf(pro)).toContain('version="4.0.0.0"');
    expect(all(drm, CPIX, 'URIExtXKey')).toHaveLength(0);
    expect(all(drm, SPEKE, 'KeyFormat')).toHaveLength(0);
    expect(contentKey(root, KID_A).attrs.explicitIV).toBeUndefined();
  });

  it('answers a v1 Widevine request with a cenc PSSH (no protection_scheme)', () => {
    const root = parse(answer(v1Request(SYSTEM.widevine, '<cpix:PSSH/>')).body);
    const box = decodePssh(fromBase64(one(drmSystem(root, KID_A, SYSTEM.widevine), CPIX, 'PSSH').text));
    expect(box.systemId).toBe(SYSTEM.widevine);
    expect(box.data.toString('hex')).toBe(`1210${KID_A.replace(/-/g, '')}`);
  });

  it('writes a PlayReady checksum that matches the key returned in the same answer', () => {
    const body = v2Request({ scheme: 'cenc', keys: VIDEO_AUDIO, systems: [{ systemId: SYSTEM.playready, children: '<cpix:PSSH/>' }] });
    const root = parse(answer(body, '2.0').body);
    const checksums = new Set<string>();
    for (const kid of [KID_A, KID_B]) {
      const key = fromBase64(one(contentKey(root, kid), PSKC, 'PlainValue').text);
      const header = parse(wrmHeaderOf(decodePssh(fromBase64(one(drmSystem(root, kid, SYSTEM.playready), CPIX, 'PSSH').text)).data));
      const ns = header.ns;
      const kidLe = fromBase64(one(header, ns, 'KID').text);
      const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
      expect(one(header, ns, 'CHECKSUM').text).toBe(
        Buffer.concat([cipher.update(kidLe), cipher.final()])
          .subarray(0, 8)
          .toString('base64'),
      );
      checksums.add(one(header, ns, 'CHECKSUM').text);
    }
    expect(checksums.size).toBe(2);
  });

  it('writes the configured Widevine provider and PlayReady LA_URL into the answer', () => {
    const registry = createDrmRegistry({ widevineProvider: 'acme', playReadyLaUrl: 'https://pr.example.com/la', fairPlayKeyUriTemplate: 'skd://{kid}' });
    const body = v2Request({
      contentId: 'film-9',
      scheme: 'cenc',
      systems: [
        { systemId: SYSTEM.widevine, children: '<cpix:PSSH/>' },
        { systemId: SYSTEM.playready, children: '<cpix:SmoothStreamingProtectionHeaderData/>' },
      ],
    });
    const root = parse(answer(body, '2.0', { context: testContext({ registry }) }).body);
    const wvData = decodePssh(fromBase64(one(drmSystem(root, KID_A, SYSTEM.widevine), CPIX, 'PSSH').text)).data;
    expect(wvData.includes(Buffer.from('\x1a\x04acme\x22\x06film-9', 'latin1'))).toBe(true);
    const pro = fromBase64(one(drmSystem(root, KID_A, SYSTEM.playready), CPIX, 'SmoothStreamingProtectionHeaderData').text);
    expect(wrmHeaderOf(pro)).toContain('<LA_URL>https://pr.example.com/la</LA_URL>');
  });
});
