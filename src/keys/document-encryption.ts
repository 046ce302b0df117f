import { constants, createCipheriv, createHmac, publicEncrypt, type KeyObject } from 'node:crypto';

/**
 * The cryptography of an encrypted CPIX document (SPEKE.md §4.2), as pure functions: the caller
 * supplies every key and IV, so nothing here draws randomness of its own except the OAEP seed
 * that RSA-OAEP needs internally.
 */

/** Algorithm URIs written into encrypted answers (SPEKE.md §4.3). */
export const ALGORITHM = {
  /** Content keys under the document key: AES-256-CBC, PKCS#7 padding, IV prepended. */
  aes256Cbc: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  /** Document key and MAC key under each recipient's RSA key: RSA-OAEP, SHA-1, MGF1-SHA-1, empty label. */
  rsaOaepMgf1p: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  /** ValueMAC: HMAC-SHA512 under the MAC key. */
  hmacSha512: 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha512',
} as const;

/** The document key is an AES-256 key. */
export const DOCUMENT_KEY_BYTES = 32;
/** HMAC-SHA512 accepts any key length; 64 bytes is its output size (and what the reference server uses). */
export const MAC_KEY_BYTES = 64;
export const IV_BYTES = 16;

/** RSA-OAEP (SHA-1, MGF1-SHA-1) of a document or MAC key for one recipient. */
export function wrapForRecipient(publicKey: KeyObject, secret: Buffer): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, secret);
}

/** `IV ‖ AES-256-CBC(documentKey, IV, contentKey)`: the bytes of a content key's CipherValue. */
export function encryptContentKey(documentKey: Buffer, iv: Buffer, contentKey: Buffer): Buffer {
  if (documentKey.length !== DOCUMENT_KEY_BYTES) throw new RangeError(`document key must be ${DOCUMENT_KEY_BYTES} bytes`);
  if (iv.length !== IV_BYTES) throw new RangeError(`IV must be ${IV_BYTES} bytes`);
  const cipher = createCipheriv('aes-256-cbc', documentKey, iv);
  return Buffer.concat([iv, cipher.update(contentKey), cipher.final()]);
}

/** HMAC-SHA512 under the MAC key: the ValueMAC of an encrypted value. */
export function valueMac(macKey: Buffer, bytes: Buffer): Buffer {
  return createHmac('sha512', macKey).update(bytes).digest();
}
