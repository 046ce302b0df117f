import { SpekeValidationError } from '../../../src/errors.js';
import { createContentKeyProtection } from '../../../src/speke/encrypted-key-protection.js';
import { answer, testContext } from '../../support/core.js';
import { certificateBase64, openAnswer, privateKey, withDeliveryData, type DeliveryDataSpec } from '../../support/encryption.js';
import { readFileSync } from 'node:fs';
import { v1Aes128, v2Request } from '../../support/requests.js';

/** Certificates no recipient could use, public keys only (tests/fixtures/certificates/generate-unusable.py). */
function unusable(name: 'unknown-alg' | 'rsa-garbage' | 'rsa-16392' | 'rsa-4096-e65bits'): { text: string } {
  return { text: readFileSync(new URL(`../../fixtures/certificates/${name}.b64`, import.meta.url), 'utf8').trim() };
}

const NOW = new Date('2030-01-01T00:00:00Z');

function protection(options: { allowExpiredCertificates?: boolean; drawn?: number[] } = {}) {
  return createContentKeyProtection({
    entropy: {
      randomBytes: (size) => {
        options.drawn?.push(size);
        return Buffer.alloc(size, 7);
      },
    },
    clock: { now: () => NOW },
    allowExpiredCertificates: options.allowExpiredCertificates ?? false,
  });
}

/** The refusal of a v1 (or v2) request naming the given recipients: status, text, reason. */
function refusal(recipients: DeliveryDataSpec[], version?: '2.0', options: Parameters<typeof protection>[0] = {}) {
  const body = withDeliveryData(version ? v2Request() : v1Aes128(), recipients);
  try {
    answer(body, version, { context: testContext({ protection: protection(options) }) });
  } catch (error) {
    if (!(error instanceof SpekeValidationError)) throw error;
    return { status: error.status, message: error.message, reason: error.reason };
  }
  throw new Error('expected the request to be refused');
}

describe('DeliveryData certificates are checked', () => {
  it('refuses a certificate that is not parseable', () => {
    const garbage = Buffer.from('not a certificate at all').toString('base64');
    expect(refusal([{ id: 'd1', certificate: { text: garbage } }])).toEqual({
      status: 422,
      message: 'DeliveryData d1: certificate is not a base64 DER X.509 certificate',
      reason: 'invalid-certificate',
    });
  });

  it('refuses certificate text that is not base64', () => {
    expect(refusal([{ id: 'd1', certificate: { text: 'MIID*not-base64*' } }], '2.0')).toMatchObject({
      status: 422,
      message: 'DeliveryData d1: certificate is not a base64 DER X.509 certificate',
    });
  });

  it('refuses a certificate whose key is not RSA (EC P-256)', () => {
    expect(refusal([{ id: 'd1', certificate: 'ec-p256' }])).toEqual({
      status: 422,
      message: 'DeliveryData d1: certificate is not RSA (its key type is ec)',
      reason: 'certificate-not-rsa',
    });
  });

  it('refuses an RSA key under 2048 bits', () => {
    expect(refusal([{ id: 'd1', certificate: 'rsa-1024' }], '2.0')).toEqual({
      status: 422,
      message: 'DeliveryData d1: certificate RSA key has 1024 bits, at least 2048 are required',
      reason: 'certificate-key-too-short',
    });
  });

  // Each of these parsed, then failed in OpenSSL when the document key was wrapped: a 500 (found by review).
  it.each([
    ['an unknown key algorithm', 'unknown-alg', "certificate's public key cannot be read", 'invalid-certificate'],
    ['RSA key bytes that are no key', 'rsa-garbage', "certificate's public key cannot be read", 'invalid-certificate'],
    ['an RSA key over 16384 bits', 'rsa-16392', 'certificate RSA key has 16392 bits, at most 16384 are taken', 'certificate-key-too-long'],
    [
      'a 65-bit public exponent',
      'rsa-4096-e65bits',
      'certificate RSA public exponent is larger than 4294967297 (65537 is usual)',
      'certificate-exponent-too-large',
    ],
  ] as const)('refuses (422) a certificate with %s', (_what, name, message, reason) => {
    expect(refusal([{ id: 'd1', certificate: unusable(name) }], '2.0')).toEqual({ status: 422, message: `DeliveryData d1: ${message}`, reason });
  });

  it('refuses more than 16 DeliveryData (each costs RSA work)', () => {
    const recipients = Array.from({ length: 17 }, (_, i) => ({ id: `d${i}`, certificate: 'rsa-2048' as const }));
    expect(refusal(recipients)).toEqual({ status: 422, message: 'Too many DeliveryData elements: 17 (limit 16)', reason: 'too-many-delivery-data' });
    expect(() =>
      answer(withDeliveryData(v1Aes128(), recipients.slice(0, 16)), undefined, { context: testContext({ protection: protection() }) }),
    ).not.toThrow();
  });

  it('refuses an expired certificate', () => {
    expect(refusal([{ id: 'd1', certificate: 'rsa-2048-expired' }])).toEqual({
      status: 422,
      message: 'DeliveryData d1: certificate expired on 2021-01-01T00:00:00.000Z',
      reason: 'certificate-expired',
    });
  });

  it('uses an expired certificate when allowExpiredCertificates is set', () => {
    const body = withDeliveryData(v1Aes128(), [{ id: 'd1', certificate: 'rsa-2048-expired' }]);
    const out = answer(body, undefined, { context: testContext({ protection: protection({ allowExpiredCertificates: true }) }) });
    expect(openAnswer(out.body, privateKey('rsa-2048-expired')).keys.size).toBe(1);
  });

  it('refuses a DeliveryData without a certificate', () => {
    expect(refusal([{ id: 'd1' }])).toEqual({
      status: 422,
      message: 'DeliveryData d1: DeliveryKey has no ds:X509Data/ds:X509Certificate',
      reason: 'missing-certificate',
    });
  });

  it('refuses a DeliveryDataList without DeliveryData', () => {
    expect(refusal([], '2.0')).toEqual({ status: 422, message: 'DeliveryDataList has no DeliveryData', reason: 'missing-delivery-data' });
  });

  it('names a DeliveryData without id by its position, and checks every recipient before any key is drawn', () => {
    const drawn: number[] = [];
    expect(refusal([{ id: 'd1', certificate: 'rsa-2048' }, { certificate: 'ec-p256' }], undefined, { drawn })).toMatchObject({
      status: 422,
      message: 'DeliveryData #2: certificate is not RSA (its key type is ec)',
    });
    expect(drawn).toEqual([]);
  });

  it('accepts a certificate wrapped over several lines', () => {
    const wrapped = certificateBase64('rsa-2048').replace(/.{64}/g, '$&\n        ');
    const body = withDeliveryData(v1Aes128(), [{ id: 'd1', certificate: { text: wrapped } }]);
    const out = answer(body, undefined, { context: testContext({ protection: protection() }) });
    expect(openAnswer(out.body, privateKey('rsa-2048')).keys.size).toBe(1);
  });
});
