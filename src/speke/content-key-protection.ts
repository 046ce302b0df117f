import type { CpixDocument } from '../cpix/document.js';
import type { XmlElement } from '../cpix/xml-tree.js';
import { SpekeValidationError } from './errors.js';
import { plainValue } from './key-data.js';

/** How the content keys of one answer are written: per document, then per key. */
export interface DocumentProtection {
  /** The children of pskc:Secret for one content key. */
  secret(key: Buffer): XmlElement[];
  /** Completes the document (e.g. writes DeliveryData) once every key is written. */
  finish(): void;
}

export interface ContentKeyProtection {
  /** Reads what the request asks for (e.g. its DeliveryDataList); throws a 4xx for what it cannot do. */
  prepare(document: CpixDocument): DocumentProtection;
}

/**
 * Clear answers: pskc:PlainValue. A request with a DeliveryDataList asks for encrypted keys, and
 * answering it in the clear would make the encryptor fail the event, so it is refused instead.
 */
export const clearKeyProtection: ContentKeyProtection = {
  prepare(document) {
    if (document.deliveryDataList !== undefined) {
      throw new SpekeValidationError('Encrypted content keys (DeliveryDataList) are not supported by this server', 'encryption-unsupported');
    }
    return { secret: (key) => [plainValue(key)], finish: () => undefined };
  },
};
