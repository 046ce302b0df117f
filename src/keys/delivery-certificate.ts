import { X509Certificate, type KeyObject } from 'node:crypto';

/** SPEKE asks for 2048-bit RSA certificates (SPEKE.md §2.1, §4.2); longer keys are accepted too. */
export const MIN_RSA_BITS = 2048;
/** OpenSSL's own RSA limit: a longer modulus cannot be used to wrap the document key. */
export const MAX_RSA_BITS = 16_384;
/** Largest public exponent taken (65537 is the usual one): OpenSSL refuses larger ones above 3072 bits, and they make each wrap slow. */
export const MAX_RSA_PUBLIC_EXPONENT = 2n ** 32n + 1n;

export type CertificateProblemReason =
  | 'invalid-certificate'
  | 'certificate-not-rsa'
  | 'certificate-key-too-short'
  | 'certificate-key-too-long'
  | 'certificate-exponent-too-large'
  | 'certificate-expired';

/** Why a recipient's certificate cannot be used; the message is safe to show to the client. */
export class CertificateProblem extends Error {
  override readonly name = 'CertificateProblem';
  constructor(
    message: string,
    readonly reason: CertificateProblemReason,
  ) {
    super(message);
  }
}

export interface CertificateCheck {
  /** The time the validity period is checked against. */
  now: Date;
  /** When true, a certificate past its notAfter date is still used. */
  allowExpired: boolean;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The RSA public key of a recipient, from the text of a ds:X509Certificate (base64 DER; line
 * breaks allowed). Throws a CertificateProblem when the certificate or its public key cannot be
 * read, is not RSA, has an RSA key under 2048 or over 16384 bits or a public exponent over 2^32+1
 * (which could not, or only slowly, wrap the document key), or has expired (unless expired
 * certificates are allowed). Every such problem is the client's (422), never a 500.
 * Nothing is signed or verified: SPEKE does not use XMLDSIG, so the certificate is a key carrier.
 */
export function deliveryPublicKey(base64Der: string, check: CertificateCheck): KeyObject {
  const compact = base64Der.replace(/\s+/g, '');
  let certificate: X509Certificate;
  try {
    if (!BASE64.test(compact)) throw new Error('not base64');
    certificate = new X509Certificate(Buffer.from(compact, 'base64'));
  } catch {
    throw new CertificateProblem('certificate is not a base64 DER X.509 certificate', 'invalid-certificate');
  }
  let key: KeyObject;
  try {
    // A certificate can parse while its key cannot be used (an unknown algorithm, junk key bytes).
    key = certificate.publicKey;
  } catch {
    throw new CertificateProblem("certificate's public key cannot be read", 'invalid-certificate');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new CertificateProblem(`certificate is not RSA (its key type is ${key.asymmetricKeyType ?? 'unknown'})`, 'certificate-not-rsa');
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new CertificateProblem(`certificate RSA key has ${bits} bits, at least ${MIN_RSA_BITS} are required`, 'certificate-key-too-short');
  }
  if (bits > MAX_RSA_BITS) {
    throw new CertificateProblem(`certificate RSA key has ${bits} bits, at most ${MAX_RSA_BITS} are taken`, 'certificate-key-too-long');
  }
  const exponent = key.asymmetricKeyDetails?.publicExponent ?? 0n;
  if (exponent > MAX_RSA_PUBLIC_EXPONENT) {
    throw new CertificateProblem(
      `certificate RSA public exponent is larger than ${MAX_RSA_PUBLIC_EXPONENT} (65537 is usual)`,
      'certificate-exponent-too-large',
    );
  }
  const validTo = new Date(certificate.validTo);
  if (!check.allowExpired && !(validTo.getTime() >= check.now.getTime())) {
    const when = Number.isNaN(validTo.getTime()) ? certificate.validTo : validTo.toISOString();
    throw new CertificateProblem(`certificate expired on ${when}`, 'certificate-expired');
  }
  return key;
}
