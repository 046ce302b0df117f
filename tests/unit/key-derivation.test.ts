import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { derive, parseMasterSecret } from '../../src/keys/derive.js';
import { hkdfDeriver } from '../../src/keys/content-key-deriver.js';
import { answer, TEST_MASTER_SECRET } from '../support/core.js';
import { CPIX, one, parse, PSKC } from '../support/xml.js';
import { KID_A, KID_B, v1Aes128 } from '../support/requests.js';

/** RFC 5869 HKDF-SHA256 written out with HMAC, independent of node's hkdfSync. */
function hkdfReference(ikm: Buffer, salt: Buffer, info: Buffer, length: number): Buffer {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  let t = Buffer.alloc(0);
  let okm = Buffer.alloc(0);
  for (let i = 1; okm.length < length; i++) {
    t = createHmac('sha256', prk)
      .update(Buffer.concat([t, info, Buffer.from([i])]))
      .digest();
    okm = Buffer.concat([okm, t]);
  }
  return okm.subarray(0, length);
}

function lengthPrefixed(...parts: Buffer[]): Buffer {
  return Buffer.concat(parts.flatMap((p) => [Buffer.from([0, 0, (p.length >> 8) & 0xff, p.length & 0xff]), p]));
}

describe('key derivation: HKDF-SHA256(master secret, info = purpose ‖ content ID ‖ KID)', () => {
  it('matches RFC 5869 HKDF computed independently, with the documented info layout', () => {
    const info = lengthPrefixed(
      Buffer.from('speke-key-server/v1'),
      Buffer.from('content-key'),
      Buffer.from('channel-1'),
      Buffer.from(KID_A.replace(/-/g, ''), 'hex'),
    );
    const expected = hkdfReference(TEST_MASTER_SECRET, Buffer.from('speke-key-server/v1/hkdf-salt'), info, 16);
    expect(derive(TEST_MASTER_SECRET, 'content-key', 'channel-1', KID_A)).toEqual(expected);
  });

  it('gives the same 16 bytes for the same (content ID, KID), every time', () => {
    const a = derive(TEST_MASTER_SECRET, 'content-key', 'c', KID_A);
    expect(a).toHaveLength(16);
    expect(derive(Buffer.from(TEST_MASTER_SECRET), 'content-key', 'c', KID_A)).toEqual(a);
  });

  it('gives unrelated keys for other content IDs, KIDs, purposes or secrets', () => {
    const base = derive(TEST_MASTER_SECRET, 'content-key', 'c', KID_A).toString('hex');
    const others = [
      derive(TEST_MASTER_SECRET, 'content-key', 'd', KID_A),
      derive(TEST_MASTER_SECRET, 'content-key', 'c', KID_B),
      derive(TEST_MASTER_SECRET, 'iv', 'c', KID_A),
      derive(Buffer.alloc(32, 1), 'content-key', 'c', KID_A),
    ].map((b) => b.toString('hex'));
    expect(new Set([base, ...others]).size).toBe(5);
  });

  it('cannot be confused by moving characters between content ID and label', () => {
    // length-prefixing keeps ("ab", kid) and ("a", "b"+…) apart
    expect(derive(TEST_MASTER_SECRET, 'content-key', 'ab', KID_A)).not.toEqual(derive(TEST_MASTER_SECRET, 'content-key', 'a', KID_A));
  });

  it('refuses a master secret shorter than 32 bytes', () => {
    expect(() => derive(Buffer.alloc(31), 'content-key', 'c', KID_A)).toThrow('at least 32 bytes');
  });

  it('reads the master secret as base64 of at least 32 bytes', () => {
    expect(parseMasterSecret(Buffer.alloc(32, 5).toString('base64'))).toEqual(Buffer.alloc(32, 5));
    expect(() => parseMasterSecret(Buffer.alloc(16).toString('base64'))).toThrow('at least 32 bytes');
    expect(() => parseMasterSecret('not base64!')).toThrow('not base64');
    // the stack's generated secret: 64 alphanumeric characters are base64 of 48 bytes
    expect(parseMasterSecret('a'.repeat(64))).toHaveLength(48);
  });

  it("one request's deriver gives, for every KID and purpose in any order, what RFC 5869 HKDF gives", () => {
    const hex = fc.constantFrom(...Array.from('0123456789abcdef'));
    const kid = fc.array(hex, { minLength: 32, maxLength: 32 }).map((h) => {
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    });
    const salt = Buffer.from('speke-key-server/v1/hkdf-salt');
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200, unit: 'binary' }),
        fc.array(fc.tuple(fc.constantFrom('content-key' as const, 'iv' as const), kid), { minLength: 1, maxLength: 8 }),
        (contentId, calls) => {
          const deriver = hkdfDeriver(TEST_MASTER_SECRET, contentId);
          for (const [purpose, k] of calls) {
            const info = lengthPrefixed(
              Buffer.from('speke-key-server/v1'),
              Buffer.from(purpose),
              Buffer.from(contentId, 'utf8'),
              Buffer.from(k.replace(/-/g, ''), 'hex'),
            );
            const got = purpose === 'iv' ? deriver.iv(k, k) : deriver.contentKey(k, k);
            expect(got).toEqual(hkdfReference(TEST_MASTER_SECRET, salt, info, 16));
            expect(derive(TEST_MASTER_SECRET, purpose, contentId, k)).toEqual(got);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses, at each derivation, an info string longer than hkdfSync allows (a very long content ID)', () => {
    const deriver = hkdfDeriver(TEST_MASTER_SECRET, 'x'.repeat(1000));
    expect(() => deriver.contentKey(KID_A, KID_A)).toThrow(RangeError);
    expect(() => deriver.contentKey(KID_A, KID_A)).toThrow('The HKDF info must not contain more than 1024 bytes (it has 1062)');
    expect(() => deriver.iv(KID_A, KID_A)).toThrow('(it has 1053)');
  });

  it('derives IVs under their own purpose, never equal to the key', () => {
    const deriver = hkdfDeriver(TEST_MASTER_SECRET, 'c');
    expect(deriver.iv(KID_A, KID_A)).not.toEqual(deriver.contentKey(KID_A, KID_A));
  });
});

describe('keys in answers', () => {
  const key = (body: string, secret = TEST_MASTER_SECRET) => one(parse(answer(body, undefined, { masterSecret: secret }).body), PSKC, 'PlainValue').text;

  it('are the same across requests for the same content ID and KID (retries, restarts)', () => {
    expect(key(v1Aes128({ contentId: 'ch', kid: KID_A }))).toBe(key(v1Aes128({ contentId: 'ch', kid: KID_A, period: 99 })));
  });

  it('differ between content IDs and between KIDs', () => {
    const k = key(v1Aes128({ contentId: 'ch', kid: KID_A }));
    expect(key(v1Aes128({ contentId: 'ch2', kid: KID_A }))).not.toBe(k);
    expect(key(v1Aes128({ contentId: 'ch', kid: KID_B }))).not.toBe(k);
  });

  it('are the derived bytes', () => {
    expect(key(v1Aes128({ contentId: 'ch', kid: KID_A }))).toBe(derive(TEST_MASTER_SECRET, 'content-key', 'ch', KID_A).toString('base64'));
  });

  it('get a derived explicitIV only where a system needs one and none was sent', () => {
    // AES-128 needs none: no IV is added
    expect(one(parse(answer(v1Aes128()).body), CPIX, 'ContentKey').attrs.explicitIV).toBeUndefined();
  });
});
