import { hkdfDeriver } from '../../src/keys/content-key-deriver.js';
import {
  checkReferenceContentId,
  REFERENCE_CONTENT_ID_MAX,
  referenceContentKey,
  referenceDeriver,
  referenceSecretName,
} from '../../src/keys/reference-deriver.js';
import { answerCpix, readCpixRequest } from '../../src/speke/answer.js';
import { SpekeValidationError } from '../../src/errors.js';
import { ConfigError, loadLambdaConfig, loadLocalConfig } from '../../src/config.js';
import { TEST_MASTER_SECRET, testContext } from '../support/core.js';
import { KID_A, KID_B, SYSTEM, v1Aes128, v2Request, VIDEO_AUDIO_KEYS } from '../support/requests.js';
import { all, parse, PSKC } from '../support/xml.js';

/**
 * Known answers computed outside this project, with Python's hashlib (the same PBKDF2 as the
 * reference server's `cryptography` PBKDF2HMAC: password = KID string, salt = secret string):
 *
 *   python3 -c 'import hashlib,sys; print(hashlib.pbkdf2_hmac("sha256", sys.argv[2].encode(), sys.argv[1].encode(), 5000, 16).hex())' "$SECRET" "$KID"
 *
 * and cross-checked with OpenSSL 3:
 *
 *   openssl kdf -keylen 16 -kdfopt digest:SHA256 -kdfopt "pass:$KID" -kdfopt "salt:$SECRET" -kdfopt iter:5000 PBKDF2
 *
 * SECRET is a 64-character string in the shape Secrets Manager GetRandomPassword returns.
 */
const SECRET = 'q9#Tz!w2^Lk7@pV$e4&Rb8*Xn1(Hs6)Mj3_Gd5+Fc0-Ya=Ku[Wi]Zo{Qt}Ux|Ev;';
const VECTORS: [secret: string, kid: string, keyHex: string][] = [
  [SECRET, '98ee5596-cd3e-a20d-163a-e382420c6eff', 'e0b3958a45d8c8802d720a0b586083dd'],
  [SECRET, '98EE5596-CD3E-A20D-163A-E382420C6EFF', '24358843a37bb0729127cbffdb10b954'],
  [SECRET, '6c5f5206-7d98-4808-84d8-94f132c1e9fe', 'd56f38991ed51e1ecc004552ac5257b6'],
  [SECRET, '6C5F5206-7D98-4808-84D8-94F132C1E9FE', '142fa21cfe05a048f606f1b7d11739d3'],
  ['clé secrète', '98ee5596-cd3e-a20d-163a-e382420c6eff', 'f05acaed4e95717f63ffe2fe5624e719'],
];

function plainValues(xml: string): string[] {
  return all(parse(xml), PSKC, 'PlainValue').map((n) => n.text);
}

describe('reference key derivation (migration from the Python reference server)', () => {
  it.each(VECTORS)('reproduces the reference key for secret %p and KID %p', (secret, kid, keyHex) => {
    expect(referenceContentKey(secret, kid).toString('hex')).toBe(keyHex);
  });

  it('derives from the KID exactly as the request spelled it, as the reference did', () => {
    const deriver = referenceDeriver(SECRET, TEST_MASTER_SECRET, 'movie-1');
    const lower = KID_A.toLowerCase();
    expect(deriver.contentKey(lower, KID_A.toUpperCase()).toString('hex')).toBe('24358843a37bb0729127cbffdb10b954');
    expect(deriver.contentKey(lower, lower).toString('hex')).toBe('e0b3958a45d8c8802d720a0b586083dd');
  });

  it('keeps IVs from HKDF over the master secret, never the key (the reference set IV = key)', () => {
    const deriver = referenceDeriver(SECRET, TEST_MASTER_SECRET, 'movie-1');
    const iv = deriver.iv(KID_A, KID_A);
    expect(iv).toEqual(hkdfDeriver(TEST_MASTER_SECRET, 'movie-1').iv(KID_A, KID_A));
    expect(iv).not.toEqual(deriver.contentKey(KID_A, KID_A));
  });

  it.each([
    // v1 with the KID in upper case: the reference keyed it on that spelling.
    ['v1', v1Aes128({ contentId: 'channel-1', kid: KID_B.toUpperCase() }), undefined, '142fa21cfe05a048f606f1b7d11739d3'],
    [
      'v2',
      v2Request({ contentId: 'movie-1', keys: [{ kid: KID_A, trackType: 'ALL', filter: '<cpix:VideoFilter/><cpix:AudioFilter/>' }] }),
      '2.0',
      'e0b3958a45d8c8802d720a0b586083dd',
    ],
  ])('answers a %s request with the reference key', (_version, body, header, keyHex) => {
    const context = testContext();
    const validated = readCpixRequest({ body: Buffer.from(body, 'utf8'), spekeVersionHeader: header }, context);
    const answer = answerCpix(validated, context, referenceDeriver(SECRET, TEST_MASTER_SECRET, validated.contentId), header);
    const expected = Buffer.from(keyHex, 'hex');
    expect(plainValues(answer.body)).toEqual([expected.toString('base64')]);
    expect(answer.keysToPublish.map((k) => k.key)).toContainEqual(expected);
  });

  // The reference server answered every ContentKey of a clear request that had a PlayReady
  // DRMSystem with the static key of its PLAYREADY_CONTENT_KEY variable, Widevine's and FairPlay's
  // too (key_server_common.py, use_playready_content_key): this server never does; each KID gets its
  // derived key, as the reference gave it in encrypted answers (docs/migration.md says so).
  it("answers a request with a PlayReady DRMSystem with each KID's derived key, never one static key", () => {
    const body = v2Request({
      contentId: 'movie-1',
      scheme: 'cenc',
      keys: VIDEO_AUDIO_KEYS,
      systems: [
        { systemId: SYSTEM.playready, children: '<cpix:PSSH/><cpix:ContentProtectionData/>' },
        { systemId: SYSTEM.widevine, children: '<cpix:PSSH/><cpix:ContentProtectionData/>' },
      ],
    });
    const context = testContext();
    const validated = readCpixRequest({ body: Buffer.from(body, 'utf8'), spekeVersionHeader: '2.0' }, context);
    const answer = answerCpix(validated, context, referenceDeriver(SECRET, TEST_MASTER_SECRET, validated.contentId), '2.0');
    expect(plainValues(answer.body)).toEqual([referenceContentKey(SECRET, KID_A), referenceContentKey(SECRET, KID_B)].map((k) => k.toString('base64')));
    expect(plainValues(answer.body)[0]).toBe(Buffer.from('e0b3958a45d8c8802d720a0b586083dd', 'hex').toString('base64'));
  });

  describe('content IDs (they become the Secrets Manager name speke/<content ID>)', () => {
    it.each([
      ['movie-1', 'movie-1'],
      ['channel_2/event.3', 'channel_2/event.3'],
      ['a+b=c@d', 'a+b=c@d'],
      ['506 characters', 'x'.repeat(REFERENCE_CONTENT_ID_MAX)],
    ])('accepts %s', (_what, contentId) => {
      expect(referenceSecretName(contentId)).toBe(`speke/${contentId}`);
    });

    it.each([
      ['a space', 'movie 1', 'only ASCII letters, digits and the characters / _ + = . @ -'],
      ['a non-ASCII letter', 'été', 'only ASCII letters, digits'],
      ['a colon', 'urn:movie', 'only ASCII letters, digits'],
      ['more than 506 characters', 'x'.repeat(REFERENCE_CONTENT_ID_MAX + 1), 'longer than 506 characters'],
    ])('refuses a content ID with %s (422, names the problem)', (_what, contentId, message) => {
      let caught: unknown;
      try {
        checkReferenceContentId(contentId);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SpekeValidationError);
      expect((caught as SpekeValidationError).status).toBe(422);
      expect((caught as SpekeValidationError).message).toContain(message);
    });
  });

  describe('the SPEKE_KEY_DERIVATION setting', () => {
    const lambdaEnv = { SPEKE_KEY_BUCKET: 'b', SPEKE_KEY_URL_PREFIX: 'https://d.example.com', SPEKE_MASTER_SECRET_ID: 'm' };

    it('defaults to our HKDF derivation', () => {
      expect(loadLambdaConfig(lambdaEnv).keyDerivation).toBe('hkdf');
      expect(loadLocalConfig({}).keyDerivation).toBe('hkdf');
    });

    it('selects the reference derivation', () => {
      expect(loadLambdaConfig({ ...lambdaEnv, SPEKE_KEY_DERIVATION: 'reference' }).keyDerivation).toBe('reference');
      expect(loadLocalConfig({ SPEKE_KEY_DERIVATION: 'reference' }).keyDerivation).toBe('reference');
    });

    it('refuses an unknown value, naming the variable and the choices', () => {
      expect(() => loadLocalConfig({ SPEKE_KEY_DERIVATION: 'pbkdf2' })).toThrow(ConfigError);
      expect(() => loadLocalConfig({ SPEKE_KEY_DERIVATION: 'pbkdf2' })).toThrow('SPEKE_KEY_DERIVATION must be one of hkdf, reference (got "pbkdf2")');
    });
  });
});
