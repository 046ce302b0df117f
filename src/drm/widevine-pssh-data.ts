import { uuidBytes, writeUuidBytes } from '../uuid.js';
import type { EncryptionScheme } from './drm-system.js';

/** The WidevinePsshData fields this server writes (SPEKE.md §5.3). */
export interface WidevinePsshFields {
  /** Canonical UUID text; written big-endian (textual byte order). */
  kid: string;
  provider?: string;
  contentId?: Uint8Array;
  /** Written as protection_scheme unless it is cenc (the default readers assume). */
  scheme: EncryptionScheme;
}

/** protection_scheme values: the FourCC read as a big-endian 32-bit integer. */
export function fourCc(scheme: EncryptionScheme): number {
  return Buffer.from(scheme, 'latin1').readUInt32BE(0);
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

/** A length-delimited field (wire type 2). */
function bytesField(field: number, value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...varint((field << 3) | 2), ...varint(value.length)]), value]);
}

/** A varint field (wire type 0). */
function varintField(field: number, value: number): Buffer {
  return Buffer.from([...varint(field << 3), ...varint(value)]);
}

/** Field 2, key_id, for a 16-byte KID: tag 0x12, length 16. */
const KEY_ID_HEAD = [(2 << 3) | 2, 16];

/** Field 9, protection_scheme, for each scheme that is written (all but cenc): computed once. */
const PROTECTION_SCHEME: Partial<Record<EncryptionScheme, Buffer>> = {};

function protectionScheme(scheme: EncryptionScheme): Buffer {
  return (PROTECTION_SCHEME[scheme] ??= varintField(9, fourCc(scheme)));
}

/**
 * Serializes a WidevinePsshData protobuf (proto2), fields in field-number order:
 * 2 key_id, 3 provider, 4 content_id, 9 protection_scheme. The legacy `algorithm` field is omitted.
 */
export function widevinePsshData(fields: WidevinePsshFields): Buffer {
  const scheme = fields.scheme !== 'cenc' ? protectionScheme(fields.scheme) : undefined;
  if (fields.provider === undefined && fields.contentId === undefined) {
    // The common case, written in one buffer: key_id (a canonical KID decoded in place), then
    // protection_scheme unless cenc.
    const out = Buffer.allocUnsafe(18 + (scheme?.length ?? 0));
    if (writeUuidBytes(fields.kid, out, 2)) {
      out.set(KEY_ID_HEAD, 0);
      if (scheme !== undefined) out.set(scheme, 18);
      return out;
    }
  }
  const kid = uuidBytes(fields.kid);
  const parts = [bytesField(2, kid)];
  if (fields.provider !== undefined) parts.push(bytesField(3, Buffer.from(fields.provider, 'utf8')));
  if (fields.contentId !== undefined) parts.push(bytesField(4, fields.contentId));
  if (scheme !== undefined) parts.push(scheme);
  return Buffer.concat(parts);
}
