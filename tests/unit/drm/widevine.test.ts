import type { EncryptionScheme, KeyContext } from '../../../src/drm/drm-system.js';
import { widevine } from '../../../src/drm/widevine.js';
import { widevinePsshData } from '../../../src/drm/widevine-pssh-data.js';
import { decodeProtobuf, decodePssh, fromBase64, parseHlsTag } from '../../support/drm-decoders.js';
import { KID_A, SYSTEM } from '../../support/requests.js';
import { parse } from '../../support/xml.js';
import { hlsKeyTag } from '../../../src/drm/hls.js';

const KEY = Buffer.from('5dGAgwGuUYu4dHeHtNlxJw==', 'base64');
const FOURCC: Record<EncryptionScheme, number> = { cenc: 0x63656e63, cbc1: 0x63626331, cens: 0x63656e73, cbcs: 0x63626373 };

function context(overrides: Partial<KeyContext> = {}): KeyContext {
  return { contentId: 'movie-1', kid: KID_A, key: KEY, iv: undefined, scheme: 'cbcs', keyUrl: 'https://k/x', ...overrides };
}

describe('WidevinePsshData protobuf', () => {
  it('matches the worked example of SPEKE.md §5.3 byte for byte (cbcs, no provider)', () => {
    expect(widevinePsshData({ kid: KID_A, scheme: 'cbcs' }).toString('hex')).toBe('121098ee5596cd3ea20d163ae382420c6eff48f3c6899b06');
  });

  it('writes key_id, provider, content_id and protection_scheme in field order', () => {
    const data = widevinePsshData({ kid: KID_A, scheme: 'cens', provider: 'widevine_test', contentId: Buffer.from('movie-1') });
    const fields = decodeProtobuf(data);
    expect(fields.map((f) => [f.field, f.wireType])).toEqual([
      [2, 2],
      [3, 2],
      [4, 2],
      [9, 0],
    ]);
    expect((fields[0]!.value as Buffer).toString('hex')).toBe(KID_A.replace(/-/g, ''));
    expect((fields[1]!.value as Buffer).toString('utf8')).toBe('widevine_test');
    expect((fields[2]!.value as Buffer).toString('utf8')).toBe('movie-1');
    expect(fields[3]!.value).toBe(FOURCC.cens);
  });
});

describe('Widevine signalling', () => {
  it('produces the SPEKE.md §5.3 example box for the example KID with cbcs and no provider', () => {
    const signalling = widevine({}).signal(context());
    expect(signalling.pssh!.toString('base64')).toBe('AAAAOHBzc2gAAAAA7e+LqXnWSs6jyCfc1R0h7QAAABgSEJjuVZbNPqINFjrjgkIMbv9I88aJmwY=');
  });

  it.each<EncryptionScheme>(['cbcs', 'cbc1', 'cens'])('puts a version-0 box with the KID and protection_scheme %s', (scheme) => {
    const box = decodePssh(widevine({}).signal(context({ scheme })).pssh!);
    expect(box).toMatchObject({ type: 'pssh', version: 0, flags: 0, systemId: SYSTEM.widevine, kids: [] });
    const fields = decodeProtobuf(box.data);
    expect(fields.filter((f) => f.field === 2).map((f) => (f.value as Buffer).toString('hex'))).toEqual([KID_A.replace(/-/g, '')]);
    expect(fields.find((f) => f.field === 9)?.value).toBe(FOURCC[scheme]);
  });

  it('leaves protection_scheme out for cenc, and treats a v1 request without scheme as cenc', () => {
    const cenc = widevine({}).signal(context({ scheme: 'cenc' }));
    const v1 = widevine({}).signal(context({ scheme: undefined }));
    expect(decodeProtobuf(decodePssh(cenc.pssh!).data).map((f) => f.field)).toEqual([2]);
    expect(v1.pssh).toEqual(cenc.pssh);
    expect(v1.hls?.method).toBe('SAMPLE-AES-CTR');
  });

  it('names the configured provider and the CPIX content ID', () => {
    const box = decodePssh(widevine({ widevineProvider: 'acme' }).signal(context({ contentId: 'film ü 7' })).pssh!);
    const fields = decodeProtobuf(box.data);
    expect((fields.find((f) => f.field === 3)!.value as Buffer).toString('utf8')).toBe('acme');
    expect((fields.find((f) => f.field === 4)!.value as Buffer).toString('utf8')).toBe('film ü 7');
  });

  it('carries neither provider nor content_id without a configured provider', () => {
    const fields = decodeProtobuf(decodePssh(widevine({}).signal(context()).pssh!).data);
    expect(fields.map((f) => f.field)).toEqual([2, 9]);
  });

  it('writes a different box for a different KID', () => {
    const a = widevine({}).signal(context()).pssh!;
    const b = widevine({}).signal(context({ kid: '6c5f5206-7d98-4808-84d8-94f132c1e9fe' })).pssh!;
    expect(decodePssh(b).data.subarray(2, 18).toString('hex')).toBe('6c5f52067d98480884d894f132c1e9fe');
    expect(a.equals(b)).toBe(false);
  });

  it('gives DASH a namespaced cenc:pssh whose text is the PSSH box', () => {
    const signalling = widevine({ widevineProvider: 'acme' }).signal(context());
    const element = parse(signalling.contentProtectionData!);
    expect(element).toMatchObject({ ns: 'urn:mpeg:cenc:2013', name: 'pssh' });
    expect(fromBase64(element.text).equals(signalling.pssh!)).toBe(true);
    expect(signalling.contentProtectionData).toBe(`<cenc:pssh xmlns:cenc="urn:mpeg:cenc:2013">${signalling.pssh!.toString('base64')}</cenc:pssh>`);
  });

  it.each<[EncryptionScheme, string]>([
    ['cbcs', 'SAMPLE-AES'],
    ['cenc', 'SAMPLE-AES-CTR'],
  ])('gives HLS (%s) METHOD=%s, the urn:uuid KEYFORMAT and the box as a data URI', (scheme, method) => {
    const signalling = widevine({}).signal(context({ scheme }));
    const media = parseHlsTag(hlsKeyTag('media', signalling.hls!));
    const master = parseHlsTag(hlsKeyTag('master', signalling.hls!));
    expect(media.tag).toBe('#EXT-X-KEY');
    expect(master.tag).toBe('#EXT-X-SESSION-KEY');
    expect(media.attributes).toEqual({
      METHOD: method,
      KEYFORMAT: `urn:uuid:${SYSTEM.widevine}`,
      KEYFORMATVERSIONS: '1',
      URI: `data:text/plain;base64,${signalling.pssh!.toString('base64')}`,
    });
    expect(master.attributes).toEqual(media.attributes);
    const uriBox = fromBase64(media.attributes.URI!.slice('data:text/plain;base64,'.length));
    expect(decodePssh(uriBox).systemId).toBe(SYSTEM.widevine);
  });

  it('produces no FairPlay- or PlayReady-only children and needs no IV', () => {
    const system = widevine({});
    const signalling = system.signal(context());
    expect(signalling.playReadyObject).toBeUndefined();
    expect(signalling.uriExtXKey).toBeUndefined();
    expect(system.needsIv).toBe(false);
    expect((['cenc', 'cbc1', 'cens', 'cbcs'] as const).every((s) => system.supportsScheme(s))).toBe(true);
  });
});
