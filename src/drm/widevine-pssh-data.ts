import { uuidBytes } from '../keys/kid.js';
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

/**
 * Serializes a WidevinePsshData protobuf (proto2), fields in field-number order:
 * 2 key_id, 3 provider, 4 content_id, 9 protection_scheme. The legacy `algorithm` field is omitted.
 */
export function widevinePsshData(fields: WidevinePsshFields): Buffer {
  const parts = [bytesField(2, uuidBytes(fields.kid))];
  if (fields.provider !== undefined) parts.push(bytesField(3, Buffer.from(fields.provider, 'utf8')));
  if (fields.contentId !== undefined) parts.push(bytesField(4, fields.contentId));
  if (fields.scheme !== 'cenc') parts.push(varintField(9, fourCc(fields.scheme)));
  return Buffer.concat(parts);
}
