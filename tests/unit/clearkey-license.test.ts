import fc from 'fast-check';
import { CLEARKEY_LIMITS, checkLicenseContentId, clearKeyLicense, kidFromBase64Url, kidToBase64Url, parseClearKeyRequest } from '../../src/clearkey/license.js';
import { ClearKeyRequestError } from '../../src/errors.js';
import { hkdfDeriver } from '../../src/keys/content-key-deriver.js';
import { derive } from '../../src/keys/derive.js';
import { KID_A, KID_B } from '../support/requests.js';

const SECRET = Buffer.alloc(32, 7);
const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
/** KID_A = 98ee5596-cd3e-a20d-163a-e382420c6eff as EME writes it. */
const KID_A_B64URL = 'mO5Vls0-og0WOuOCQgxu_w';

function refused(run: () => unknown): ClearKeyRequestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ClearKeyRequestError);
    return error as ClearKeyRequestError;
  }
  throw new Error('expected a ClearKeyRequestError');
}

describe('ClearKey license request', () => {
  it('reads the EME request: base64url KIDs become UUIDs, repeats are dropped, order is kept', () => {
    const request = parseClearKeyRequest(body({ kids: [kidToBase64Url(KID_B), KID_A_B64URL, KID_A_B64URL], type: 'temporary' }));
    expect(request.kids).toEqual([KID_B, KID_A]);
  });

  it('accepts a request without "type" and KIDs with base64 padding', () => {
    expect(parseClearKeyRequest(body({ kids: [`${KID_A_B64URL}==`] })).kids).toEqual([KID_A]);
  });

  it('converts KIDs both ways for any 16 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const b64 = Buffer.from(bytes).toString('base64url');
        const uuid = kidFromBase64Url(b64, 0);
        expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(kidToBase64Url(uuid)).toBe(b64);
      }),
    );
  });

  it.each([
    ['not JSON', '{kids:', 'Body is not JSON'],
    ['not an object', '[1,2]', 'Body must be a JSON object with a "kids" array'],
    ['no kids', { type: 'temporary' }, '"kids" must be a non-empty array'],
    ['empty kids', { kids: [] }, '"kids" must be a non-empty array'],
    ['a KID that is not a string', { kids: [42] }, 'kids[0] must be a string'],
    ['a KID of 15 bytes', { kids: [Buffer.alloc(15).toString('base64url')] }, 'kids[0] is not the base64url encoding of 16 bytes'],
    ['a KID in standard base64 with + and /', { kids: ['mO5Vls0+og0WOuOCQgxu/w'] }, 'kids[0] is not the base64url encoding of 16 bytes'],
    ['a UUID instead of base64url', { kids: [KID_A] }, 'kids[0] is not the base64url encoding of 16 bytes'],
    ['a persistent session', { kids: [KID_A_B64URL], type: 'persistent-license' }, 'Unsupported session type: only "temporary" licenses are issued'],
  ])('refuses %s with a 400 and a message', (_name, value, message) => {
    const error = refused(() => parseClearKeyRequest(body(value)));
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
  });

  it('refuses bodies that are not UTF-8', () => {
    expect(refused(() => parseClearKeyRequest(Buffer.from([0x7b, 0xff, 0x7d]))).message).toBe('Body is not UTF-8');
  });

  it('refuses more KIDs than the limit and bodies over the size limit', () => {
    const many = Array.from({ length: CLEARKEY_LIMITS.maxKids + 1 }, (_, i) => Buffer.alloc(16, i).toString('base64url'));
    expect(refused(() => parseClearKeyRequest(body({ kids: many }))).message).toBe(`Too many KIDs: at most ${CLEARKEY_LIMITS.maxKids} per request`);
    const big = refused(() => parseClearKeyRequest(Buffer.alloc(CLEARKEY_LIMITS.maxBodyBytes + 1, 0x20)));
    expect(big.status).toBe(413);
  });

  it('needs a content ID within the SPEKE length limit', () => {
    expect(checkLicenseContentId('movie-1', 256)).toBe('movie-1');
    expect(refused(() => checkLicenseContentId(undefined, 256)).message).toMatch(/^Missing content ID/);
    expect(refused(() => checkLicenseContentId('', 256)).status).toBe(400);
    expect(refused(() => checkLicenseContentId('x'.repeat(257), 256)).message).toBe('Content ID is longer than 256 characters');
  });
});

describe('ClearKey license answer', () => {
  it('is a JSON Web Key set with the derived key of each (content ID, KID), base64url without padding', () => {
    const license = clearKeyLicense(
      [KID_A, KID_B].map((kid) => ({ kid, kidAsSent: kid })),
      hkdfDeriver(SECRET, 'movie-1'),
    );
    expect(license).toEqual({
      keys: [
        { kty: 'oct', k: derive(SECRET, 'content-key', 'movie-1', KID_A).toString('base64url'), kid: KID_A_B64URL },
        { kty: 'oct', k: derive(SECRET, 'content-key', 'movie-1', KID_B).toString('base64url'), kid: kidToBase64Url(KID_B) },
      ],
      type: 'temporary',
    });
    expect(JSON.stringify(license)).not.toMatch(/[=+/]"/);
  });

  it('gives different keys for the same KID under another content ID', () => {
    const a = clearKeyLicense([{ kid: KID_A, kidAsSent: KID_A }], hkdfDeriver(SECRET, 'movie-1')).keys[0]!.k;
    const b = clearKeyLicense([{ kid: KID_A, kidAsSent: KID_A }], hkdfDeriver(SECRET, 'movie-2')).keys[0]!.k;
    expect(a).not.toBe(b);
  });
});
