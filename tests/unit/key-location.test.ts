import fc from 'fast-check';
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
