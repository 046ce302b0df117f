import { required } from '../required.js';

/**
 * Where an AES-128 key is published. The content ID becomes a single path segment: every byte
 * outside the URL-unreserved set is percent-encoded (so '/' and '\' never appear), and a segment
 * made only of dots is encoded too, so no content ID can climb out of its folder in a URL, a
 * file system or an object store.
 */
export function contentIdSegment(contentId: string): string {
  // Most content IDs are unreserved characters only, which encode as themselves.
  const encoded = UNRESERVED.test(contentId) ? contentId : encodeBytes(contentId);
  return /^\.+$/.test(encoded) ? encoded.replace(/\./g, '%2E') : encoded;
}

const UNRESERVED = /^[A-Za-z0-9._~-]*$/;

/** Each byte's form in a segment: itself when URL-unreserved, else %XX (upper-case hex). Built once. */
const BYTE_FORMS: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const ch = String.fromCharCode(byte);
  return /[A-Za-z0-9._~-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});

function encodeBytes(contentId: string): string {
  let out = '';
  for (const byte of Buffer.from(contentId, 'utf8')) out += required(BYTE_FORMS[byte], 'the form of a byte');
  return out;
}

/** The URL a player fetches the key from: `<prefix>/<content ID, percent-encoded>/<kid>`. */
export function keyUrl(prefix: string, contentId: string, kid: string): string {
  return `${prefix.replace(/\/+$/, '')}/${contentIdSegment(contentId)}/${kid}`;
}
