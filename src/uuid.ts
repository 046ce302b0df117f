const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A KID or system ID in canonical UUID text (8-4-4-4-12 hex), compared case-insensitively. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Lower-case canonical form: one key per KID however the encryptor spells it. */
export function canonicalUuid(value: string): string {
  return value.toLowerCase();
}

/** Hex digit values by character code (-1: not a hex digit). */
const HEX = new Int8Array(128).fill(-1);
for (let d = 0; d < 10; d++) HEX[0x30 + d] = d;
for (let d = 0; d < 6; d++) HEX[0x41 + d] = HEX[0x61 + d] = 10 + d;

/**
 * Writes the 16 bytes of canonical UUID text (8-4-4-4-12 hex, either case) into `target` at
 * `offset`, in one loop. Returns false, leaving those bytes unspecified, for any other text.
 */
export function writeUuidBytes(value: string, target: Uint8Array, offset: number): boolean {
  if (value.length !== 36) return false;
  let j = offset;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (value.charCodeAt(i) !== 0x2d) return false;
      i--;
      continue;
    }
    const hi = HEX[value.charCodeAt(i)] ?? -1;
    const lo = HEX[value.charCodeAt(i + 1)] ?? -1;
    if (hi < 0 || lo < 0) return false;
    target[j++] = (hi << 4) | lo;
  }
  return true;
}

/**
 * The 16 bytes of a UUID in textual (big-endian) order, as PSSH boxes and Widevine carry them.
 * Canonical UUID text is decoded by writeUuidBytes; anything else takes the general path (dashes
 * dropped, hex decoded up to the first non-hex pair), whose bytes the loop matches.
 */
export function uuidBytes(value: string): Buffer {
  const out = Buffer.alloc(16);
  if (writeUuidBytes(value, out, 0)) return out;
  return Buffer.from(value.replace(/-/g, ''), 'hex');
}
