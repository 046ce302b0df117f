/**
 * The recipient side of encrypted CPIX (SPEKE.md §4), in the page: an RSA-2048 key pair and a
 * self-signed X.509 certificate made with WebCrypto, and the decryption of an encrypted answer
 * (RSA-OAEP-SHA1 document and MAC keys, AES-256-CBC content keys, HMAC-SHA512 MACs).
 * The private key never leaves the page.
 */
const subtle = crypto.subtle;

function der(tag, ...parts) {
  const body = parts.flatMap((p) => Array.from(p));
  const n = body.length;
  const length = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 255];
  return Uint8Array.from([tag, ...length, ...body]);
}
const seq = (...parts) => der(0x30, ...parts);
const oid = (bytes) => der(0x06, Uint8Array.from(bytes));
const SHA256_RSA = seq(oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]), Uint8Array.from([0x05, 0x00]));
const name = (cn) => seq(der(0x31, seq(oid([0x55, 0x04, 0x03]), der(0x0c, new TextEncoder().encode(cn)))));
const utcTime = (date) => der(0x17, new TextEncoder().encode(date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));
const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (b64) => Uint8Array.from(atob(b64.replace(/\s+/g, '')), (c) => c.charCodeAt(0));

/** A fresh recipient: { certificate (base64 DER), privateKey (RSA-OAEP SHA-1 CryptoKey) }. */
export async function makeRecipient() {
  const pair = await subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, [
    'sign',
    'verify',
  ]);
  const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
  const now = new Date();
  const tbs = seq(
    der(0xa0, der(0x02, Uint8Array.from([2]))),
    der(0x02, Uint8Array.from([0x01, ...crypto.getRandomValues(new Uint8Array(8))])),
    SHA256_RSA,
    name('SPEKE demo page recipient'),
    seq(utcTime(new Date(now.getTime() - 60_000)), utcTime(new Date(now.getTime() + 86_400_000))),
    name('SPEKE demo page recipient'),
    spki,
  );
  const signature = new Uint8Array(await subtle.sign('RSASSA-PKCS1-v1_5', pair.privateKey, tbs));
  const certificate = seq(tbs, SHA256_RSA, der(0x03, Uint8Array.from([0, ...signature])));
  const pkcs8 = await subtle.exportKey('pkcs8', pair.privateKey);
  const privateKey = await subtle.importKey('pkcs8', pkcs8, { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['decrypt']);
  return { certificate: toBase64(certificate), privateKey };
}

const CPIX = 'urn:dashif:org:cpix';
const PSKC = 'urn:ietf:params:xml:ns:keyprov:pskc';
const ENC = 'http://www.w3.org/2001/04/xmlenc#';
const first = (e, ns, local) => e?.getElementsByTagNameNS(ns, local)[0];

/**
 * Decrypts every encrypted content key of an answer. Returns Map(kid → { key, macOk }) or
 * throws when the answer carries no DocumentKey for us.
 */
export async function decryptAnswer(doc, privateKey) {
  const delivery = first(doc, CPIX, 'DeliveryData');
  const wrapped = first(first(delivery, CPIX, 'DocumentKey'), ENC, 'CipherValue');
  if (!wrapped) throw new Error('no DocumentKey in the answer');
  const documentKeyBytes = await subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, fromBase64(wrapped.textContent));
  const documentKey = await subtle.importKey('raw', documentKeyBytes, 'AES-CBC', false, ['decrypt']);
  const macWrapped = first(first(delivery, CPIX, 'MACMethod'), ENC, 'CipherValue');
  const macKey = macWrapped
    ? await subtle.importKey(
        'raw',
        await subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, fromBase64(macWrapped.textContent)),
        { name: 'HMAC', hash: 'SHA-512' },
        false,
        ['verify'],
      )
    : undefined;
  const keys = new Map();
  for (const contentKey of doc.getElementsByTagNameNS(CPIX, 'ContentKey')) {
    const cipher = first(first(contentKey, PSKC, 'EncryptedValue'), ENC, 'CipherValue');
    if (!cipher) continue;
    const bytes = fromBase64(cipher.textContent);
    const key = new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: bytes.slice(0, 16) }, documentKey, bytes.slice(16)));
    const mac = first(contentKey, PSKC, 'ValueMAC');
    const macOk = macKey && mac ? await subtle.verify('HMAC', macKey, fromBase64(mac.textContent), bytes) : undefined;
    keys.set(contentKey.getAttribute('kid').toLowerCase(), { key, macOk });
  }
  return keys;
}
