import type { KeyObject } from 'node:crypto';
import { NS } from '../cpix/namespaces.js';
import { attr, childrenNamed, element, firstChild, text, textContent, type XmlElement } from '../cpix/xml-tree.js';
import { CertificateProblem, deliveryPublicKey, type CertificateCheck } from '../keys/delivery-certificate.js';
import { printable } from './common-checks.js';
import { SpekeValidationError } from '../errors.js';

/** One recipient of an encrypted answer: a DeliveryData of the request and its RSA public key. */
export interface Recipient {
  element: XmlElement;
  publicKey: KeyObject;
}

/** How errors name a DeliveryData: by its id, or by its position when it has none. */
function label(deliveryData: XmlElement, index: number): string {
  const id = attr(deliveryData, 'id');
  return id !== undefined && id.trim() !== '' ? `DeliveryData ${printable(id.trim())}` : `DeliveryData #${index + 1}`;
}

/** Recipients of one encrypted answer at most. */
export const MAX_DELIVERY_DATA = 16;

/**
 * Every recipient of a DeliveryDataList, each certificate parsed and checked before any key is
 * touched. A list without DeliveryData, a DeliveryData without a certificate, or an unusable
 * certificate is a 422 naming the DeliveryData and the problem.
 */
export function readRecipients(deliveryDataList: XmlElement, check: CertificateCheck): Recipient[] {
  const all = childrenNamed(deliveryDataList, NS.cpix, 'DeliveryData');
  if (all.length === 0) throw new SpekeValidationError('DeliveryDataList has no DeliveryData', 'missing-delivery-data');
  // Each recipient costs RSA work; encryptors send one (their own certificate).
  if (all.length > MAX_DELIVERY_DATA) {
    throw new SpekeValidationError(`Too many DeliveryData elements: ${all.length} (limit ${MAX_DELIVERY_DATA})`, 'too-many-delivery-data');
  }
  return all.map((deliveryData, index) => {
    const name = label(deliveryData, index);
    const deliveryKey = firstChild(deliveryData, NS.cpix, 'DeliveryKey');
    const certificate = (deliveryKey ? childrenNamed(deliveryKey, NS.ds, 'X509Data') : [])
      .flatMap((x509Data) => childrenNamed(x509Data, NS.ds, 'X509Certificate'))
      .find((c) => textContent(c).trim() !== '');
    if (!certificate) {
      throw new SpekeValidationError(`${name}: DeliveryKey has no ds:X509Data/ds:X509Certificate`, 'missing-certificate');
    }
    try {
      return { element: deliveryData, publicKey: deliveryPublicKey(textContent(certificate), check) };
    } catch (error) {
      if (error instanceof CertificateProblem) throw new SpekeValidationError(`${name}: ${error.message}`, error.reason);
      throw error;
    }
  });
}

/** An encrypted value with its MAC: the children of a pskc:Secret (or of a cpix:Key). */
export interface EncryptedParts {
  algorithm: string;
  cipherValue: Buffer;
  mac: Buffer;
}

function algorithmAttr(uri: string) {
  return [{ ns: '', local: 'Algorithm', prefix: '', value: uri }];
}

export function encryptedSecret(parts: EncryptedParts): XmlElement[] {
  return [
    element(NS.pskc, 'EncryptedValue', [
      element(NS.enc, 'EncryptionMethod', [], algorithmAttr(parts.algorithm)),
      element(NS.enc, 'CipherData', [element(NS.enc, 'CipherValue', [text(parts.cipherValue.toString('base64'))])]),
    ]),
    element(NS.pskc, 'ValueMAC', [text(parts.mac.toString('base64'))]),
  ];
}

export interface DeliveredKeys {
  /** Algorithm of the document key itself (what it encrypts content keys with). */
  documentKeyAlgorithm: string;
  documentKey: EncryptedParts;
  macAlgorithm: string;
  macKey: EncryptedParts;
}

/** DeliveryData children this server writes; any the request carried are replaced. */
const REPLACED = new Set(['DocumentKey', 'MACMethod']);

/**
 * Writes DocumentKey and MACMethod (SPEKE.md §4.3) right after DeliveryKey, the place the CPIX
 * schema gives them, replacing any the request carried; other children keep their order.
 */
export function writeDeliveredKeys(deliveryData: XmlElement, keys: DeliveredKeys): void {
  const documentKey = element(
    NS.cpix,
    'DocumentKey',
    [element(NS.cpix, 'Data', [element(NS.pskc, 'Secret', encryptedSecret(keys.documentKey))])],
    algorithmAttr(keys.documentKeyAlgorithm),
  );
  const macMethod = element(NS.cpix, 'MACMethod', [element(NS.cpix, 'Key', encryptedSecret(keys.macKey))], algorithmAttr(keys.macAlgorithm));
  const kept = deliveryData.children.filter(
    (c) => !(c.kind === 'element' && c.ns === NS.cpix && REPLACED.has(c.local)) && !(c.kind === 'text' && c.text.trim() === ''),
  );
  const at = kept.findIndex((c) => c.kind === 'element' && c.ns === NS.cpix && c.local === 'DeliveryKey');
  kept.splice(at + 1, 0, documentKey, macMethod);
  deliveryData.children = kept;
}
