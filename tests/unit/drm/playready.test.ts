import { createCipheriv } from 'node:crypto';
import type { EncryptionScheme, KeyContext } from '../../../src/drm/drm-system.js';
import { hlsKeyTag } from '../../../src/drm/hls.js';
import { playReady } from '../../../src/drm/playready.js';
import { decodePro, decodePssh, fromBase64, guidText, parseHlsTag, wrmHeaderOf } from '../../support/drm-decoders.js';
import { KID_A, KID_B, SYSTEM } from '../../support/requests.js';
import { all, one, parse, type Node } from '../../support/xml.js';

const PRH = 'http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader';
const KEY = Buffer.from('5dGAgwGuUYu4dHeHtNlxJw==', 'base64');

function context(overrides: Partial<KeyContext> = {}): KeyContext {
  return { contentId: 'movie-1', kid: KID_A, key: KEY, iv: undefined, scheme: 'cenc', keyUrl: 'https://k/x', ...overrides };
}

function header(overrides: Partial<KeyContext> = {}, laUrl?: string): { xml: string; root: Node } {
  const signalling = playReady(laUrl === undefined ? {} : { playReadyLaUrl: laUrl }).signal(context(overrides));
  const xml = wrmHeaderOf(signalling.playReadyObject!);
  return { xml, root: parse(xml) };
}

/** Checks Microsoft's syntax rules: explicit closing tags, namespace first, other attributes alphabetical. */
function expectCanonical(xml: string): void {
  expect(xml.startsWith('<WRMHEADER ')).toBe(true);
  expect(xml).not.toMatch(/\/>/);
  expect(xml).not.toMatch(/>\s+</);
  for (const [, , attributes] of xml.matchAll(/<([A-Z_]+)((?:\s+[A-Za-z:_]+="[^"]*")*)>/g)) {
    const names = [...(attributes ?? '').matchAll(/([A-Za-z:_]+)=/g)].map((m) => m[1]!);
    const rest = names.filter((n) => !n.startsWith('xmlns'));
    expect(names.slice(0, names.length - rest.length).every((n) => n.startsWith('xmlns'))).toBe(true);
    expect(rest).toEqual([...rest].sort());
  }
}

describe('PlayReady KID and checksum', () => {
  it('writes the KID as a little-endian GUID (SPEKE.md §5.4 example)', () => {
    const { root } = header();
    const kid = one(root, PRH, 'KID').text;
    expect(kid).toBe('llXumD7NDaIWOuOCQgxu/w==');
    expect(guidText(fromBase64(kid))).toBe(KID_A);
  });

  it('writes the AESCTR checksum of the SPEKE.md §5.4 example key', () => {
    expect(one(header().root, PRH, 'CHECKSUM').text).toBe('zcka3W6dcno=');
  });

  it('computes the checksum from the key and the little-endian KID for any key', () => {
    const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const { root } = header({ kid: KID_B, key });
    const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    const expected = Buffer.concat([cipher.update(fromBase64(one(root, PRH, 'KID').text)), cipher.final()]).subarray(0, 8);
    expect(one(root, PRH, 'CHECKSUM').text).toBe(expected.toString('base64'));
    expect(guidText(fromBase64(one(root, PRH, 'KID').text))).toBe(KID_B);
  });
});

describe('PlayReady WRM header', () => {
  it.each<EncryptionScheme>(['cenc', 'cens'])('is a 4.0.0.0 AESCTR header with KID and CHECKSUM for %s', (scheme) => {
    const { xml, root } = header({ scheme });
    expect(root).toMatchObject({ ns: PRH, name: 'WRMHEADER', attrs: { version: '4.0.0.0' } });
    const data = one(root, PRH, 'DATA');
    expect(data.children.map((c) => c.name)).toEqual(['PROTECTINFO', 'KID', 'CHECKSUM']);
    expect(one(data, PRH, 'KEYLEN').text).toBe('16');
    expect(one(data, PRH, 'ALGID').text).toBe('AESCTR');
    expectCanonical(xml);
  });

  it('is byte for byte the expected 4.0.0.0 header for the SPEKE.md §5.4 example KID and key', () => {
    const expected =
      '<WRMHEADER xmlns="http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader" version="4.0.0.0"><DATA>' +
      '<PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO>' +
      '<KID>llXumD7NDaIWOuOCQgxu/w==</KID><CHECKSUM>zcka3W6dcno=</CHECKSUM></DATA></WRMHEADER>';
    const pro = playReady({}).signal(context()).playReadyObject!;
    expect(wrmHeaderOf(pro)).toBe(expected);
    expect(pro.readUInt32LE(0)).toBe(10 + 2 * expected.length);
  });

  it('treats a v1 request without scheme as cenc', () => {
    expect(header({ scheme: undefined }).xml).toBe(header({ scheme: 'cenc' }).xml);
  });

  it.each<EncryptionScheme>(['cbcs', 'cbc1'])('is a 4.3.0.0 AESCBC header without CHECKSUM for %s', (scheme) => {
    const { xml, root } = header({ scheme });
    expect(root.attrs.version).toBe('4.3.0.0');
    const kids = all(root, PRH, 'KID');
    expect(kids).toHaveLength(1);
    expect(kids[0]!.attrs).toEqual({ ALGID: 'AESCBC', VALUE: 'llXumD7NDaIWOuOCQgxu/w==' });
    expect(kids[0]!.text).toBe('');
    expect(one(root, PRH, 'KIDS')).toBeDefined();
    expect(all(root, PRH, 'CHECKSUM')).toHaveLength(0);
    expect(xml).not.toContain('CHECKSUM');
    expect(xml).toContain('<KID ALGID="AESCBC" VALUE="llXumD7NDaIWOuOCQgxu/w=="></KID>');
    expectCanonical(xml);
  });

  it('has no LA_URL unless one is configured', () => {
    expect(all(header().root, PRH, 'LA_URL')).toHaveLength(0);
  });

  it.each<EncryptionScheme>(['cenc', 'cbcs'])('carries the configured LA_URL, escaped, for %s', (scheme) => {
    const url = 'https://pr.example.com/rightsmanager.asmx?cfg=a&b=c';
    const { xml, root } = header({ scheme }, url);
    expect(one(root, PRH, 'LA_URL').text).toBe(url);
    expect(xml).toContain('<LA_URL>https://pr.example.com/rightsmanager.asmx?cfg=a&amp;b=c</LA_URL>');
    expectCanonical(xml);
  });
});

describe('PlayReady Object, PSSH, DASH, Smooth Streaming and HLS', () => {
  it('wraps the header in a PRO whose lengths add up (one type-1 record, UTF-16LE, no BOM)', () => {
    const pro = playReady({}).signal(context()).playReadyObject!;
    const decoded = decodePro(pro);
    expect(decoded.length).toBe(pro.length);
    expect(decoded.records).toHaveLength(1);
    expect(decoded.records[0]!.type).toBe(1);
    expect(decoded.length).toBe(10 + decoded.records[0]!.value.length);
    expect(wrmHeaderOf(pro).startsWith('<WRMHEADER xmlns=')).toBe(true);
  });

  it('puts the whole PRO into a PlayReady pssh box', () => {
    const signalling = playReady({}).signal(context());
    const box = decodePssh(signalling.pssh!);
    expect(box).toMatchObject({ type: 'pssh', systemId: SYSTEM.playready, size: signalling.pssh!.length });
    expect(box.data.equals(signalling.playReadyObject!)).toBe(true);
  });

  it('gives DASH both cenc:pssh (equal to the PSSH) and mspr:pro (equal to the PRO)', () => {
    const signalling = playReady({}).signal(context({ scheme: 'cbcs' }));
    const fragment = parse(`<wrapper>${signalling.contentProtectionData!}</wrapper>`);
    expect(fragment.children.map((c) => `${c.ns} ${c.name}`)).toEqual(['urn:mpeg:cenc:2013 pssh', 'urn:microsoft:playready pro']);
    expect(fromBase64(fragment.children[0]!.text).equals(signalling.pssh!)).toBe(true);
    expect(fromBase64(fragment.children[1]!.text).equals(signalling.playReadyObject!)).toBe(true);
  });

  it.each<[EncryptionScheme, string]>([
    ['cbcs', 'SAMPLE-AES'],
    ['cenc', 'SAMPLE-AES-CTR'],
  ])('gives HLS (%s) METHOD=%s, KEYFORMAT com.microsoft.playready and the PRO as a UTF-16 data URI', (scheme, method) => {
    const signalling = playReady({}).signal(context({ scheme }));
    const media = parseHlsTag(hlsKeyTag('media', signalling.hls!));
    const master = parseHlsTag(hlsKeyTag('master', signalling.hls!));
    expect([media.tag, master.tag]).toEqual(['#EXT-X-KEY', '#EXT-X-SESSION-KEY']);
    expect(media.attributes).toEqual({
      METHOD: method,
      KEYFORMAT: 'com.microsoft.playready',
      KEYFORMATVERSIONS: '1',
      URI: `data:text/plain;charset=UTF-16;base64,${signalling.playReadyObject!.toString('base64')}`,
    });
    expect(master.attributes).toEqual(media.attributes);
    const pro = fromBase64(media.attributes.URI!.split('base64,')[1]!);
    expect(decodePro(pro).records[0]!.type).toBe(1);
  });

  it('is not FairPlay: no URIExtXKey, and every scheme is accepted', () => {
    const system = playReady({});
    expect(system.signal(context()).uriExtXKey).toBeUndefined();
    expect((['cenc', 'cbc1', 'cens', 'cbcs'] as const).every((s) => system.supportsScheme(s))).toBe(true);
  });
});
