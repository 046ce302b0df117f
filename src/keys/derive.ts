import { hkdfSync } from 'node:crypto';
import { uuidBytes } from './kid.js';

export const MIN_MASTER_SECRET_BYTES = 32;
export const KEY_BYTES = 16;

/**
 * What a derived value is for. The purpose is bound into the HKDF info, so a content key and an IV
 * derived for the same (content ID, KID) are unrelated.
 */
export type DerivationPurpose = 'content-key' | 'iv';

const LABEL = 'speke-key-server/v1';
const SALT = Buffer.from(`${LABEL}/hkdf-salt`, 'utf8');

/**
 * The HKDF info string: label, purpose, content ID and KID, each length-prefixed so that no two
 * different inputs can produce the same info.
 */
function info(purpose: DerivationPurpose, contentId: string, kid: string): Buffer {
  const parts = [Buffer.from(LABEL, 'utf8'), Buffer.from(purpose, 'utf8'), Buffer.from(contentId, 'utf8'), uuidBytes(kid)];
  const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    offset = out.writeUInt32BE(part.length, offset);
    offset += part.copy(out, offset);
  }
  return out;
}

/**
 * Deterministic 16 bytes for (purpose, content ID, KID): HKDF-SHA256 over the master secret.
 * The same inputs give the same bytes across requests, restarts and Lambda instances; the KID must
 * already be in canonical (lower-case) UUID form.
 */
export function derive(masterSecret: Uint8Array, purpose: DerivationPurpose, contentId: string, kid: string): Buffer {
  if (masterSecret.byteLength < MIN_MASTER_SECRET_BYTES) {
    throw new Error(`Master secret must be at least ${MIN_MASTER_SECRET_BYTES} bytes`);
  }
  return Buffer.from(hkdfSync('sha256', masterSecret, SALT, info(purpose, contentId, kid), KEY_BYTES));
}

/**
 * Reads a master secret given as base64 text (SPEKE_MASTER_SECRET, the local secret file, or the
 * Secrets Manager secret string) and checks that it holds at least 32 bytes.
 */
export function parseMasterSecret(base64Text: string): Buffer {
  const textValue = base64Text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(textValue) || textValue.length % 4 !== 0) {
    throw new Error('Master secret is not base64 text');
  }
  const bytes = Buffer.from(textValue, 'base64');
  if (bytes.length < MIN_MASTER_SECRET_BYTES) {
    throw new Error(`Master secret must decode to at least ${MIN_MASTER_SECRET_BYTES} bytes (got ${bytes.length})`);
  }
  return bytes;
}
