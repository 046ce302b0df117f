import type { Clock, Entropy } from '../ports.js';
import { ALGORITHM, DOCUMENT_KEY_BYTES, encryptContentKey, IV_BYTES, MAC_KEY_BYTES, valueMac, wrapForRecipient } from '../keys/document-encryption.js';
import { clearKeyProtection, type ContentKeyProtection, type DocumentProtection } from './content-key-protection.js';
import { encryptedSecret, readRecipients, writeDeliveredKeys, type Recipient } from './delivery-data.js';

export interface ContentKeyProtectionOptions {
  /** Document key, MAC key and one IV per content key are drawn from here. */
  entropy: Entropy;
  /** Certificates are checked against this time. */
  clock: Clock;
  /** SPEKE_ALLOW_EXPIRED_CERTIFICATES: use certificates past their notAfter date. */
  allowExpiredCertificates: boolean;
}

/**
 * Content keys as SPEKE wants them: in the clear (pskc:PlainValue) when the request has no
 * DeliveryDataList, otherwise encrypted for every recipient it names (SPEKE.md §4).
 */
export function createContentKeyProtection(options: ContentKeyProtectionOptions): ContentKeyProtection {
  return {
    prepare(document) {
      if (document.deliveryDataList === undefined) return clearKeyProtection.prepare(document);
      const recipients = readRecipients(document.deliveryDataList, {
        now: options.clock.now(),
        allowExpired: options.allowExpiredCertificates,
      });
      return encryptedDocument(recipients, options.entropy);
    },
  };
}

/**
 * One document key and one MAC key for the whole answer. Each content key is AES-256-CBC under the
 * document key with a fresh IV and carries a ValueMAC; `finish` wraps both keys for every recipient.
 * No PlainValue is written.
 */
function encryptedDocument(recipients: Recipient[], entropy: Entropy): DocumentProtection {
  const documentKey = entropy.randomBytes(DOCUMENT_KEY_BYTES);
  const macKey = entropy.randomBytes(MAC_KEY_BYTES);
  const sealed = (algorithm: string, cipherValue: Buffer) => ({ algorithm, cipherValue, mac: valueMac(macKey, cipherValue) });
  return {
    secret(key) {
      const cipherValue = encryptContentKey(documentKey, entropy.randomBytes(IV_BYTES), key);
      return encryptedSecret(sealed(ALGORITHM.aes256Cbc, cipherValue));
    },
    finish() {
      for (const recipient of recipients) {
        writeDeliveredKeys(recipient.element, {
          documentKeyAlgorithm: ALGORITHM.aes256Cbc,
          documentKey: sealed(ALGORITHM.rsaOaepMgf1p, wrapForRecipient(recipient.publicKey, documentKey)),
          macAlgorithm: ALGORITHM.hmacSha512,
          macKey: sealed(ALGORITHM.rsaOaepMgf1p, wrapForRecipient(recipient.publicKey, macKey)),
        });
      }
    },
  };
}
