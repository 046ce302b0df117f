import { constants, createDecipheriv, createHmac, createPrivateKey, privateDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { all, CPIX, one, parse, PSKC, type Node } from './xml.js';

/**
 * Encrypted CPIX for tests: requests with a DeliveryDataList naming the test certificates of
 * tests/fixtures/certificates, and a receiver that opens an encrypted answer with node:crypto
 * alone (independently of the server's code), the way an encryptor does.
 */

export const DS = 'http://www.w3.org/2000/09/xmldsig#';
export const ENC = 'http://www.w3.org/2001/04/xmlenc#';
export const URI = {
  aes256Cbc: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  rsaOaepMgf1p: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  hmacSha512: 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha512',
};

/** The test certificates (see tests/fixtures/certificates/README.md). */
export type FixtureName = 'rsa-2048' | 'rsa-3072' | 'rsa-2048-expired' | 'rsa-1024' | 'ec-p256';

const FIXTURES = new URL('../fixtures/certificates/', import.meta.url);

/** Base64 DER of a test certificate, as it goes into ds:X509Certificate. */
export function certificateBase64(name: FixtureName): string {
  const pem = readFileSync(new URL(`${name}.cert.pem`, FIXTURES), 'utf8');
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

export function privateKey(name: FixtureName): KeyObject {
  return createPrivateKey(readFileSync(new URL(`${name}.key.pem`, FIXTURES), 'utf8'));
}

export interface DeliveryDataSpec {
  id?: string;
  /** A fixture name, or the raw text to put into ds:X509Certificate. */
  certificate?: FixtureName | { text: string };
  /** Extra children after DeliveryKey (e.g. a Description). */
  extra?: string;
}

function certificateText(spec: DeliveryDataSpec['certificate']): string | undefined {
  if (spec === undefined) return undefined;
  return typeof spec === 'string' ? certificateBase64(spec) : spec.text;
}

export function deliveryDataList(recipients: DeliveryDataSpec[]): string {
  const items = recipients.map((r) => {
    const cert = certificateText(r.certificate);
    const key = cert === undefined ? '' : `<ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data>`;
    return `<cpix:DeliveryData${r.id ? ` id="${r.id}"` : ''}><cpix:DeliveryKey>${key}</cpix:DeliveryKey>${r.extra ?? ''}</cpix:DeliveryData>`;
  });
  return `<cpix:DeliveryDataList xmlns:ds="${DS}">${items.join('')}</cpix:DeliveryDataList>`;
}

/** Puts a DeliveryDataList first under the root (its place in the CPIX schema) of a request built in tests/support/requests.ts. */
export function withDeliveryData(request: string, recipients: DeliveryDataSpec[] = [{ id: 'recipient-1', certificate: 'rsa-2048' }]): string {
  const rootStart = request.indexOf('<cpix:CPIX');
  const end = request.indexOf('>', rootStart) + 1;
  return `${request.slice(0, end)}\n  ${deliveryDataList(recipients)}${request.slice(end)}`;
}

function b64(node: Node): Buffer {
  return Buffer.from(node.text, 'base64');
}

function child(node: Node, ns: string, name: string): Node {
  const found = node.children.filter((c) => c.ns === ns && c.name === name);
  if (found.length !== 1) throw new Error(`expected one ${name} under ${node.name}, found ${found.length}`);
  return found[0]!;
}

/** The EncryptedValue/ValueMAC pair under a pskc:Secret or cpix:Key: algorithm, cipher bytes, MAC bytes. */
export function encryptedParts(holder: Node): { algorithm: string; cipher: Buffer; mac: Buffer } {
  const encrypted = child(holder, PSKC, 'EncryptedValue');
  return {
    algorithm: child(encrypted, ENC, 'EncryptionMethod').attrs.Algorithm ?? '',
    cipher: b64(child(child(encrypted, ENC, 'CipherData'), ENC, 'CipherValue')),
    mac: b64(child(holder, PSKC, 'ValueMAC')),
  };
}

function checkMac(macKey: Buffer, bytes: Buffer, mac: Buffer, what: string): void {
  const expected = createHmac('sha512', macKey).update(bytes).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new Error(`ValueMAC mismatch for ${what}`);
}

function unwrap(key: KeyObject, wrapped: Buffer): Buffer {
  return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, wrapped);
}

export interface OpenedAnswer {
  documentKey: Buffer;
  macKey: Buffer;
  /** Content key per ContentKey@kid, each MAC verified before decryption. */
  keys: Map<string, Buffer>;
}

/**
 * Opens an encrypted answer as the recipient `deliveryDataId` (or the only DeliveryData): unwraps
 * the document and MAC keys with the private key, verifies every ValueMAC, decrypts every content key.
 * Throws on any MAC mismatch.
 */
export function openAnswer(xml: string, key: KeyObject, deliveryDataId?: string): OpenedAnswer {
  const root = parse(xml);
  const deliveries = all(root, CPIX, 'DeliveryData').filter((d) => deliveryDataId === undefined || d.attrs.id === deliveryDataId);
  if (deliveries.length !== 1) throw new Error(`expected one DeliveryData ${deliveryDataId ?? ''}, found ${deliveries.length}`);
  const delivery = deliveries[0]!;
  const docKey = encryptedParts(child(child(child(delivery, CPIX, 'DocumentKey'), CPIX, 'Data'), PSKC, 'Secret'));
  const macKey = encryptedParts(child(child(delivery, CPIX, 'MACMethod'), CPIX, 'Key'));
  const documentKey = unwrap(key, docKey.cipher);
  const macKeyBytes = unwrap(key, macKey.cipher);
  checkMac(macKeyBytes, docKey.cipher, docKey.mac, 'DocumentKey');
  checkMac(macKeyBytes, macKey.cipher, macKey.mac, 'MACMethod/Key');
  const keys = new Map<string, Buffer>();
  for (const contentKey of all(root, CPIX, 'ContentKey')) {
    const parts = encryptedParts(one(contentKey, PSKC, 'Secret'));
    checkMac(macKeyBytes, parts.cipher, parts.mac, `ContentKey ${contentKey.attrs.kid}`);
    const decipher = createDecipheriv('aes-256-cbc', documentKey, parts.cipher.subarray(0, 16));
    keys.set(contentKey.attrs.kid!, Buffer.concat([decipher.update(parts.cipher.subarray(16)), decipher.final()]));
  }
  return { documentKey, macKey: macKeyBytes, keys };
}

/** The PlainValue key per ContentKey@kid of a clear answer. */
export function clearKeys(xml: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const contentKey of all(parse(xml), CPIX, 'ContentKey')) keys.set(contentKey.attrs.kid!, b64(one(contentKey, PSKC, 'PlainValue')));
  return keys;
}
