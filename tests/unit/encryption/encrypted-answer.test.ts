import { answer, testContext } from '../../support/core.js';
import { clearKeys, ENC, encryptedParts, openAnswer, privateKey, URI, withDeliveryData } from '../../support/encryption.js';
import { KID_A, KID_B, SYSTEM, v1Aes128, v2Request } from '../../support/requests.js';
import { all, CPIX, one, parse, PSKC } from '../../support/xml.js';
import { createContentKeyProtection } from '../../../src/speke/encrypted-key-protection.js';
import type { RequestFacts } from '../../../src/speke/answer.js';

const TWO_KEYS_TWO_SYSTEMS = v2Request({
  keys: [
    { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
    { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
  ],
  systems: [
    { systemId: SYSTEM.clearKeyAes128, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>' },
    { systemId: SYSTEM.commonPssh, children: '<cpix:PSSH/>' },
  ],
});

/** The DRMSystem payloads of an answer, which must not depend on whether keys are encrypted. */
function signalling(xml: string): string[] {
  return all(parse(xml), CPIX, 'DRMSystem').flatMap((d) => d.children.map((c) => `${d.attrs.kid} ${c.name} ${c.text}`));
}

describe('encrypted answers (content-key encryption)', () => {
  it('v1: the recipient unwraps the document and MAC keys, verifies every ValueMAC and gets the keys of the clear answer', () => {
    const encrypted = answer(withDeliveryData(v1Aes128()));
    const clear = answer(v1Aes128());

    const opened = openAnswer(encrypted.body, privateKey('rsa-2048'));

    expect(opened.keys).toEqual(clearKeys(clear.body));
    expect(opened.keys.get(KID_B)).toHaveLength(16);
    expect(signalling(encrypted.body)).toEqual(signalling(clear.body));
  });

  it('v2: several content keys and DRM systems, all decrypted to the keys of the clear answer', () => {
    const encrypted = answer(withDeliveryData(TWO_KEYS_TWO_SYSTEMS), '2.0');
    const clear = answer(TWO_KEYS_TWO_SYSTEMS, '2.0');

    const opened = openAnswer(encrypted.body, privateKey('rsa-2048'));

    expect([...opened.keys.keys()].sort()).toEqual([KID_A, KID_B].sort());
    expect(opened.keys).toEqual(clearKeys(clear.body));
    expect(signalling(encrypted.body)).toEqual(signalling(clear.body));
  });

  it('carries no PlainValue anywhere when a DeliveryDataList is present', () => {
    for (const body of [answer(withDeliveryData(v1Aes128())).body, answer(withDeliveryData(TWO_KEYS_TWO_SYSTEMS), '2.0').body]) {
      expect(all(parse(body), PSKC, 'PlainValue')).toHaveLength(0);
      expect(body).not.toContain('PlainValue');
    }
  });

  it('encrypts for every recipient: each opens the same document key, MAC key and content keys', () => {
    const request = withDeliveryData(TWO_KEYS_TWO_SYSTEMS, [
      { id: 'first', certificate: 'rsa-2048' },
      { id: 'second', certificate: 'rsa-3072' },
    ]);
    const body = answer(request, '2.0').body;

    const first = openAnswer(body, privateKey('rsa-2048'), 'first');
    const second = openAnswer(body, privateKey('rsa-3072'), 'second');

    expect(second.documentKey.equals(first.documentKey)).toBe(true);
    expect(second.macKey.equals(first.macKey)).toBe(true);
    expect(second.keys).toEqual(first.keys);
    expect(first.keys).toEqual(clearKeys(answer(TWO_KEYS_TWO_SYSTEMS, '2.0').body));
    // A recipient cannot open what was wrapped for the other.
    expect(() => openAnswer(body, privateKey('rsa-2048'), 'second')).toThrow();
  });

  it('uses the SPEKE algorithms and sizes: AES-256-CBC with IV ‖ ciphertext, RSA-OAEP-MGF1P, HMAC-SHA512', () => {
    const body = answer(withDeliveryData(TWO_KEYS_TWO_SYSTEMS), '2.0').body;
    const root = parse(body);
    const delivery = one(root, CPIX, 'DeliveryData');
    const documentKey = one(delivery, CPIX, 'DocumentKey');
    const macMethod = one(delivery, CPIX, 'MACMethod');
    expect(documentKey.attrs.Algorithm).toBe(URI.aes256Cbc);
    expect(macMethod.attrs.Algorithm).toBe(URI.hmacSha512);

    for (const wrapped of [encryptedParts(one(documentKey, PSKC, 'Secret')), encryptedParts(one(macMethod, CPIX, 'Key'))]) {
      expect(wrapped.algorithm).toBe(URI.rsaOaepMgf1p);
      expect(wrapped.cipher).toHaveLength(256); // one RSA-2048 block
      expect(wrapped.mac).toHaveLength(64);
    }
    const opened = openAnswer(body, privateKey('rsa-2048'));
    expect(opened.documentKey).toHaveLength(32);
    expect(opened.macKey).toHaveLength(64);

    const contentKeys = all(root, CPIX, 'ContentKey').map((k) => encryptedParts(one(k, PSKC, 'Secret')));
    for (const parts of contentKeys) {
      expect(parts.algorithm).toBe(URI.aes256Cbc);
      expect(parts.cipher).toHaveLength(48); // 16-byte IV + 32 bytes of padded AES-256-CBC
      expect(parts.mac).toHaveLength(64);
    }
    const ivs = contentKeys.map((p) => p.cipher.subarray(0, 16).toString('hex'));
    expect(new Set(ivs).size).toBe(ivs.length);
  });

  it('draws a new document key, MAC key and IVs for every answer', () => {
    const request = withDeliveryData(v1Aes128());
    const one_ = openAnswer(answer(request).body, privateKey('rsa-2048'));
    const two = openAnswer(answer(request).body, privateKey('rsa-2048'));
    expect(two.documentKey.equals(one_.documentKey)).toBe(false);
    expect(two.macKey.equals(one_.macKey)).toBe(false);
    expect(two.keys).toEqual(one_.keys);
  });

  it('takes every random byte from the Entropy port', () => {
    const drawn: Buffer[] = [];
    const protection = createContentKeyProtection({
      entropy: { randomBytes: (size) => drawn[drawn.push(Buffer.alloc(size, drawn.length + 1)) - 1]! },
      clock: { now: () => new Date('2030-01-01T00:00:00Z') },
      allowExpiredCertificates: false,
    });
    const body = answer(withDeliveryData(TWO_KEYS_TWO_SYSTEMS), '2.0', { context: testContext({ protection }) }).body;

    const opened = openAnswer(body, privateKey('rsa-2048'));
    const ivs = all(parse(body), CPIX, 'ContentKey').map((k) => encryptedParts(one(k, PSKC, 'Secret')).cipher.subarray(0, 16));
    expect(drawn.map((b) => b.length).sort((a, b) => a - b)).toEqual([16, 16, 32, 64]);
    expect(drawn).toContainEqual(opened.documentKey);
    expect(drawn).toContainEqual(opened.macKey);
    for (const iv of ivs) expect(drawn).toContainEqual(iv);
  });

  it('a tampered CipherValue fails the MAC check', () => {
    const body = answer(withDeliveryData(v1Aes128())).body;
    const contentKey = one(parse(body), CPIX, 'ContentKey');
    const original = one(contentKey, ENC, 'CipherValue').text;
    const bytes = Buffer.from(original, 'base64');
    bytes[20]! ^= 0x01;
    const tampered = body.replace(original, bytes.toString('base64'));
    expect(tampered).not.toBe(body);

    expect(() => openAnswer(body, privateKey('rsa-2048'))).not.toThrow();
    expect(() => openAnswer(tampered, privateKey('rsa-2048'))).toThrow(`ValueMAC mismatch for ContentKey ${KID_B}`);
  });

  it('writes DocumentKey and MACMethod right after DeliveryKey, replacing any the request carried, and keeps the rest', () => {
    const stale = `<cpix:DocumentKey Algorithm="${URI.aes256Cbc}"><cpix:Data><pskc:Secret><pskc:PlainValue>AAAA</pskc:PlainValue></pskc:Secret></cpix:Data></cpix:DocumentKey>`;
    const request = withDeliveryData(v1Aes128(), [{ id: 'd1', certificate: 'rsa-2048', extra: `${stale}<cpix:Description>packager A</cpix:Description>` }]);
    const body = answer(request).body;
    const delivery = one(parse(body), CPIX, 'DeliveryData');

    expect(delivery.children.map((c) => c.name)).toEqual(['DeliveryKey', 'DocumentKey', 'MACMethod', 'Description']);
    expect(one(delivery, CPIX, 'Description').text).toBe('packager A');
    expect(body).not.toContain('PlainValue');
    expect(() => openAnswer(body, privateKey('rsa-2048'))).not.toThrow();
  });

  it('declares the enc and ds namespaces on the root of the answer', () => {
    for (const body of [answer(withDeliveryData(v1Aes128())).body, answer(withDeliveryData(TWO_KEYS_TWO_SYSTEMS), '2.0').body]) {
      const rootTag = /<cpix:CPIX[^>]*>/.exec(body)![0];
      expect(rootTag).toContain(`xmlns:enc="${ENC}"`);
      expect(rootTag).toContain('xmlns:ds="http://www.w3.org/2000/09/xmldsig#"');
      expect(rootTag).toContain('xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"');
    }
  });

  it('reports the answer as encrypted in the request facts', () => {
    const facts: RequestFacts = {};
    answer(withDeliveryData(v1Aes128()), undefined, { facts });
    expect(facts.encrypted).toBe(true);
  });

  it('answers in the clear (PlainValue) when the request has no DeliveryDataList', () => {
    const body = answer(v1Aes128()).body;
    expect(clearKeys(body).get(KID_B)).toHaveLength(16);
    expect(all(parse(body), CPIX, 'DeliveryData')).toHaveLength(0);
    expect(body).not.toContain('EncryptedValue');
  });
});
