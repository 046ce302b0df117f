import { createHmac } from 'node:crypto';
import { uuidBytes, writeUuidBytes } from '../uuid.js';

export const MIN_MASTER_SECRET_BYTES = 32;
export const KEY_BYTES = 16;

/**
 * What a derived value is for. The purpose is bound into the HKDF info, so a content key and an IV
 * derived for the same (content ID, KID) are unrelated.
 */
export type DerivationPurpose = 'content-key' | 'iv';

const LABEL = 'speke-key-server/v1';
const SALT = Buffer.from(`${LABEL}/hkdf-salt`, 'utf8');
/** The largest info node's hkdfSync accepts; kept so that the same inputs fail the same way. */
const MAX_INFO_BYTES = 1024;

function lengthPrefixed(part: Buffer): Buffer {
  const out = Buffer.alloc(4 + part.length);
  out.writeUInt32BE(part.length, 0);
  part.copy(out, 4);
  return out;
}

/** The fixed start of every info string: label and purpose, each length-prefixed. */
const INFO_HEAD: Record<DerivationPurpose, Buffer> = {
  'content-key': Buffer.concat([lengthPrefixed(Buffer.from(LABEL, 'utf8')), lengthPrefixed(Buffer.from('content-key', 'utf8'))]),
  iv: Buffer.concat([lengthPrefixed(Buffer.from(LABEL, 'utf8')), lengthPrefixed(Buffer.from('iv', 'utf8'))]),
};
/**
 * The longest content ID, in UTF-8 bytes, that fits the info string (head, length-prefixed content
 * ID, length-prefixed 16 KID bytes) within MAX_INFO_BYTES: validation refuses longer ones (4xx).
 */
export const MAX_CONTENT_ID_BYTES = MAX_INFO_BYTES - Math.max(INFO_HEAD['content-key'].length, INFO_HEAD.iv.length) - 4 - (4 + 16);

/** HKDF-Expand's one-byte block counter: 16 bytes need only the first block. */
const FIRST_BLOCK = Buffer.from([1]);

/**
 * The HKDF info string: label, purpose, content ID and KID, each length-prefixed so that no two
 * different inputs can produce the same info.
 */
function info(purpose: DerivationPurpose, contentIdPart: Buffer, kid: string): Buffer {
  const info = Buffer.concat([INFO_HEAD[purpose], contentIdPart, lengthPrefixed(uuidBytes(kid))]);
  if (info.length > MAX_INFO_BYTES) throw new RangeError(`The HKDF info must not contain more than ${MAX_INFO_BYTES} bytes (it has ${info.length})`);
  return info;
}

/** HKDF-Extract (RFC 5869 §2.2): the pseudorandom key, HMAC-SHA256(salt, master secret). */
export function extract(masterSecret: Uint8Array): Buffer {
  if (masterSecret.byteLength < MIN_MASTER_SECRET_BYTES) {
    throw new Error(`Master secret must be at least ${MIN_MASTER_SECRET_BYTES} bytes`);
  }
  return createHmac('sha256', SALT).update(masterSecret).digest();
}

/** HKDF-Expand (RFC 5869 §2.3) to 16 bytes: the first 16 bytes of HMAC-SHA256(PRK, info ‖ 0x01). */
function expand(prk: Buffer, info: Buffer): Buffer {
  const block = createHmac('sha256', prk).update(info).update(FIRST_BLOCK).digest();
  const out = Buffer.alloc(KEY_BYTES);
  block.copy(out, 0, 0, KEY_BYTES);
  return out;
}

/**
 * Deterministic 16 bytes for (purpose, content ID, KID): HKDF-SHA256 over the master secret.
 * The same inputs give the same bytes across requests, restarts and Lambda instances; the KID must
 * already be in canonical (lower-case) UUID form.
 */
export function derive(masterSecret: Uint8Array, purpose: DerivationPurpose, contentId: string, kid: string): Buffer {
  return contentDerivation(extract(masterSecret), contentId)(purpose, kid);
}

/**
 * Derivation for one content ID from an extracted master secret (`extract`): what a request needs,
 * with the extract step and the content ID's part of the info done once.
 */
export function contentDerivation(prk: Buffer, contentId: string): (purpose: DerivationPurpose, kid: string) => Buffer {
  const contentIdBytes = Buffer.byteLength(contentId, 'utf8');
  const blocks: Partial<Record<DerivationPurpose, Buffer>> = {};
  return (purpose, kid) => {
    // The common case, a KID in canonical UUID text: this request's `info ‖ 0x01` for the
    // purpose, built once (label, purpose and length-prefixed content ID), with each KID's 16
    // bytes, length-prefixed, written into their place. The same bytes as info() builds.
    let block = blocks[purpose];
    if (block === undefined) {
      const head = INFO_HEAD[purpose];
      const infoLength = head.length + 4 + contentIdBytes + 4 + KEY_BYTES;
      // Too long: info() refuses it, with its length for this KID, at every derivation.
      if (infoLength > MAX_INFO_BYTES) return expand(prk, info(purpose, lengthPrefixed(Buffer.from(contentId, 'utf8')), kid));
      block = blocks[purpose] = Buffer.allocUnsafe(infoLength + 1);
      block.set(head, 0);
      block.writeUInt32BE(contentIdBytes, head.length);
      block.write(contentId, head.length + 4, 'utf8');
      block.writeUInt32BE(KEY_BYTES, head.length + 4 + contentIdBytes);
      FIRST_BLOCK.copy(block, infoLength);
    }
    if (!writeUuidBytes(kid, block, block.length - 1 - KEY_BYTES)) {
      return expand(prk, info(purpose, lengthPrefixed(Buffer.from(contentId, 'utf8')), kid));
    }
    const digest = createHmac('sha256', prk).update(block).digest();
    const out = Buffer.alloc(KEY_BYTES);
    digest.copy(out, 0, 0, KEY_BYTES);
    return out;
  };
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
