import type { CpixDocument } from '../cpix/document.js';
import type { XmlElement } from '../cpix/xml-tree.js';
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
 * Clear answers: pskc:PlainValue, whatever the request asks. It is the clear path of
 * createContentKeyProtection (src/speke/encrypted-key-protection.ts), which encrypts instead when
 * the request has a DeliveryDataList; wire that one, not this, into a server.
 */
export const clearKeyProtection: ContentKeyProtection = {
  prepare() {
    return { secret: (key) => [plainValue(key)], finish: () => undefined };
  },
};
