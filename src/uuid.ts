const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A KID or system ID in canonical UUID text (8-4-4-4-12 hex), compared case-insensitively. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Lower-case canonical form: one key per KID however the encryptor spells it. */
export function canonicalUuid(value: string): string {
  return value.toLowerCase();
}

/** The 16 bytes of a UUID in textual (big-endian) order, as PSSH boxes and Widevine carry them. */
export function uuidBytes(value: string): Buffer {
  return Buffer.from(value.replace(/-/g, ''), 'hex');
}
