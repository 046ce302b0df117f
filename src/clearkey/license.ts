import { uuidBytes } from '../uuid.js';
import { decodeUtf8 } from '../cpix/read.js';
import { ClearKeyRequestError } from '../errors.js';
import type { ContentKeyDeriver } from '../keys/content-key-deriver.js';
import { MAX_CONTENT_ID_BYTES } from '../keys/derive.js';

/**
 * W3C ClearKey licenses (Encrypted Media Extensions §9.1.3 and §9.1.4): the CDM sends
 * `{"kids": ["<base64url KID>", …], "type": "temporary"}` and receives a JSON Web Key set
 * `{"keys": [{"kty": "oct", "k": "<base64url key>", "kid": "<base64url KID>"}], "type": "temporary"}`.
 * Keys come from the same derivation as the SPEKE answers, so a player gets exactly the key the
 * packager encrypted with, and only for KIDs a SPEKE answer granted (src/service/clearkey-license.ts).
 */

export interface ClearKeyLimits {
  /** Request body size in bytes. */
  maxBodyBytes: number;
  /** KIDs in one request. */
  maxKids: number;
}

export const CLEARKEY_LIMITS: Readonly<ClearKeyLimits> = { maxBodyBytes: 64 * 1024, maxKids: 100 };

/** The only session type a ClearKey license is issued for; a request may omit it. */
export const CLEARKEY_SESSION_TYPE = 'temporary';

export interface ClearKeyRequest {
  /** Canonical lower-case UUIDs, in request order, without repeats. */
  kids: string[];
}

export interface JsonWebKeySet {
  keys: { kty: 'oct'; k: string; kid: string }[];
  type: typeof CLEARKEY_SESSION_TYPE;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** base64url (RFC 4648 §5) without padding, as EME writes it. */
export function base64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** A KID as EME sends it (base64url of 16 bytes, padding tolerated) → canonical UUID text. */
export function kidFromBase64Url(value: unknown, index: number): string {
  if (typeof value !== 'string') throw new ClearKeyRequestError(`kids[${index}] must be a string`);
  const text = value.replace(/=+$/, '');
  if (text.length !== 22 || !BASE64URL.test(text)) throw new ClearKeyRequestError(`kids[${index}] is not the base64url encoding of 16 bytes`);
  const hex = Buffer.from(text, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The KID (UUID text) as EME writes it: base64url of its 16 bytes. */
export function kidToBase64Url(kid: string): string {
  return base64Url(uuidBytes(kid));
}

/**
 * The content ID a license is for, from the request URL (`?contentId=`).
 * Refused when missing, empty or longer than the SPEKE content ID limit.
 */
export function checkLicenseContentId(contentId: string | undefined, maxLength: number): string {
  if (contentId === undefined || contentId === '') {
    throw new ClearKeyRequestError('Missing content ID: use /clearkey/license?contentId=<id>', 400, 'missing-content-id');
  }
  if (Array.from(contentId).length > maxLength) throw new ClearKeyRequestError(`Content ID is longer than ${maxLength} characters`, 400, 'content-id-too-long');
  if (Buffer.byteLength(contentId, 'utf8') > MAX_CONTENT_ID_BYTES) {
    throw new ClearKeyRequestError(`Content ID is longer than ${MAX_CONTENT_ID_BYTES} bytes in UTF-8`, 400, 'content-id-too-long');
  }
  return contentId;
}

/** Reads and validates a ClearKey license request body. Throws ClearKeyRequestError (4xx). */
export function parseClearKeyRequest(body: Uint8Array, limits: ClearKeyLimits = CLEARKEY_LIMITS): ClearKeyRequest {
  if (body.length > limits.maxBodyBytes) throw new ClearKeyRequestError(`Body is larger than ${limits.maxBodyBytes} bytes`, 413, 'payload-too-large');
  let text: string;
  try {
    text = decodeUtf8(body);
  } catch {
    throw new ClearKeyRequestError('Body is not UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ClearKeyRequestError('Body is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ClearKeyRequestError('Body must be a JSON object with a "kids" array');
  const { kids, type } = json as { kids?: unknown; type?: unknown };
  if (type !== undefined && type !== CLEARKEY_SESSION_TYPE)
    throw new ClearKeyRequestError(`Unsupported session type: only "${CLEARKEY_SESSION_TYPE}" licenses are issued`);
  if (!Array.isArray(kids) || kids.length === 0) throw new ClearKeyRequestError('"kids" must be a non-empty array');
  if (kids.length > limits.maxKids) throw new ClearKeyRequestError(`Too many KIDs: at most ${limits.maxKids} per request`);
  const unique = [...new Set(kids.map((kid, index) => kidFromBase64Url(kid, index)))];
  return { kids: unique };
}

/**
 * The JSON Web Key set for granted KIDs, each key derived for (content ID, KID) as the SPEKE
 * answer derived it (with the KID spelled as the encryptor sent it).
 */
export function clearKeyLicense(grants: readonly { kid: string; kidAsSent: string }[], deriver: ContentKeyDeriver): JsonWebKeySet {
  return {
    keys: grants.map(({ kid, kidAsSent }) => ({ kty: 'oct', k: base64Url(deriver.contentKey(kid, kidAsSent)), kid: kidToBase64Url(kid) })),
    type: CLEARKEY_SESSION_TYPE,
  };
}
