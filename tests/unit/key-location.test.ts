import fc from 'fast-check';
import { loadLambdaConfig, loadLocalConfig } from '../../src/config.js';
import { contentIdSegment, keyUrl } from '../../src/keys/key-location.js';

/** The segment rule spelled out byte by byte: unreserved bytes as themselves, every other byte %XX; an all-dots segment fully encoded. */
function segmentByDefinition(contentId: string): string {
  const bytes = [...Buffer.from(contentId, 'utf8')];
  const unreserved = (b: number) => /[A-Za-z0-9._~-]/.test(String.fromCharCode(b));
  const encoded = bytes.map((b) => (unreserved(b) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  return /^\.+$/.test(encoded) ? encoded.replace(/\./g, '%2E') : encoded;
}

describe('content ID as one key-URL segment', () => {
  it.each([
    ['channel-1', 'channel-1'],
    ['a/b', 'a%2Fb'],
    ['..', '%2E%2E'],
    ['.', '%2E'],
    ['a..b', 'a..b'],
    ['é ü', '%C3%A9%20%C3%BC'],
    ['back\\slash', 'back%5Cslash'],
    ['', ''],
  ])('%j → %j', (contentId, segment) => {
    expect(contentIdSegment(contentId)).toBe(segment);
  });

  it('encodes any string exactly as the byte-by-byte rule does, never with "/" or "\\" or a dot segment', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[a-z.~_-]{0,12}$/)), (contentId) => {
        const segment = contentIdSegment(contentId);
        expect(segment).toBe(segmentByDefinition(contentId));
        expect(segment).not.toMatch(/[/\\]/);
        expect(segment === '' || !/^\.+$/.test(segment)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('puts the segment between the prefix (trailing slashes dropped) and the KID', () => {
    expect(keyUrl('https://keys.example.com/k//', 'a/b', 'kid')).toBe('https://keys.example.com/k/a%2Fb/kid');
  });
});

// A prefix with a query or fragment had the key path appended after it (the key URL named another
// resource), and one with a quote broke the HLS tag's quoted URI (RFC 8216 §4.2); found by review.
describe('SPEKE_KEY_URL_PREFIX', () => {
  const lambda = (prefix: string) => loadLambdaConfig({ SPEKE_KEY_BUCKET: 'b', SPEKE_MASTER_SECRET_ID: 'm', SPEKE_KEY_URL_PREFIX: prefix });
  const local = (prefix: string) => loadLocalConfig({ SPEKE_KEY_URL_PREFIX: prefix });

  it.each([
    'https://keys.example.com/k?sig=abc',
    'https://keys.example.com/k#f',
    'https://keys.example.com/a"b',
    'https://keys.example.com/a b',
    'https://keys.example.com/é',
  ])('refuses %j at start-up, naming the variable', (prefix) => {
    expect(() => lambda(prefix)).toThrow(/SPEKE_KEY_URL_PREFIX must be a URL without query, fragment, quotes, spaces/);
    expect(() => local(prefix)).toThrow(/SPEKE_KEY_URL_PREFIX/);
  });

  it('takes a plain URL, with a path and without its trailing slashes, and builds key URLs under it', () => {
    expect(lambda('https://d111111abcdef8.cloudfront.net/').keyUrlPrefix).toBe('https://d111111abcdef8.cloudfront.net');
    expect(local('http://127.0.0.1:8080/keys/v1~x').keyUrlPrefix).toBe('http://127.0.0.1:8080/keys/v1~x');
    expect(keyUrl('https://keys.example.com/p', 'ch 1', '98ee5596-cd3e-a20d-163a-e382420c6eff')).toBe(
      'https://keys.example.com/p/ch%201/98ee5596-cd3e-a20d-163a-e382420c6eff',
    );
  });
});
