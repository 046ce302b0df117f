import { uuidBytes, writeUuidBytes } from '../uuid.js';

/** 'pssh' as a big-endian 32-bit integer. */
const PSSH_TYPE = 0x70737368;

/**
 * Writes an ISO/IEC 23001-7 `pssh` box (SPEKE.md §5.1). Version 1 lists KIDs; version 0 does not.
 * All integers are big-endian; system ID and KIDs are UUID bytes in textual order.
 */
export function psshBox(systemId: string, data: Uint8Array, kids?: readonly string[]): Buffer {
  const version = kids === undefined ? 0 : 1;
  const kidBytes = kids?.length ?? 0;
  const size = 32 + (version === 1 ? 4 + 16 * kidBytes : 0) + data.length;
  const box = Buffer.alloc(size);
  let offset = box.writeUInt32BE(size, 0);
  offset = box.writeUInt32BE(PSSH_TYPE, offset);
  offset = box.writeUInt32BE(version << 24, offset);
  offset = writeUuid(systemId, box, offset);
  if (kids !== undefined) {
    offset = box.writeUInt32BE(kids.length, offset);
    for (const kid of kids) offset = writeUuid(kid, box, offset);
  }
  offset = box.writeUInt32BE(data.length, offset);
  box.set(data, offset);
  return box;
}

/**
 * A UUID's bytes written into the box, decoded in place when canonical, else as uuidBytes gives
 * them (over zeros, as the box was allocated); the offset after them.
 */
function writeUuid(value: string, box: Buffer, offset: number): number {
  if (writeUuidBytes(value, box, offset)) return offset + 16;
  box.fill(0, offset, offset + 16);
  return offset + uuidBytes(value).copy(box, offset);
}

/** DASH ContentProtection child carrying a pssh box (SPEKE.md §5.5). */
export function cencPsshElement(box: Buffer): string {
  return cencPsshElementOf(box.toString('base64'));
}

/** The same, from the box already in base64. */
export function cencPsshElementOf(boxBase64: string): string {
  return `<cenc:pssh xmlns:cenc="urn:mpeg:cenc:2013">${boxBase64}</cenc:pssh>`;
}
