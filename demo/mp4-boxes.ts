/** Minimal ISO-BMFF (MP4) box reading and writing for the demo's sample packaging. */

export interface Mp4Box {
  type: string;
  /** The whole box, header included. */
  bytes: Buffer;
  /** Where the box's payload starts inside `bytes` (8, or 16 for a 64-bit size). */
  headerSize: number;
}

/** The payload of a box (after its size and type). */
export function payload(box: Mp4Box): Buffer {
  return box.bytes.subarray(box.headerSize);
}

/** The boxes laid end to end in `data`. */
export function readBoxes(data: Buffer): Mp4Box[] {
  const boxes: Mp4Box[] = [];
  let offset = 0;
  while (offset + 8 <= data.length) {
    let size = data.readUInt32BE(offset);
    let headerSize = 8;
    if (size === 1) {
      size = Number(data.readBigUInt64BE(offset + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = data.length - offset;
    }
    if (size < headerSize || offset + size > data.length) throw new Error(`Malformed MP4 box at byte ${offset}`);
    boxes.push({ type: data.toString('latin1', offset + 4, offset + 8), bytes: data.subarray(offset, offset + size), headerSize });
    offset += size;
  }
  return boxes;
}

/** The children of a container box (`skip` bytes of the payload come before them, e.g. a sample entry's fields). */
export function children(box: Mp4Box, skip = 0): Mp4Box[] {
  return readBoxes(payload(box).subarray(skip));
}

export function find(boxes: Mp4Box[], type: string): Mp4Box | undefined {
  return boxes.find((b) => b.type === type);
}

export function need(boxes: Mp4Box[], type: string): Mp4Box {
  const box = find(boxes, type);
  if (!box) throw new Error(`MP4 box ${type} not found`);
  return box;
}

/** A box from its type and payload parts. */
export function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** A full box: version and flags, then the payload parts. */
export function fullBox(type: string, version: number, flags: number, ...parts: Buffer[]): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, head, ...parts);
}

/** Version and flags of a full box. */
export function versionAndFlags(b: Mp4Box): { version: number; flags: number } {
  const word = payload(b).readUInt32BE(0);
  return { version: word >>> 24, flags: word & 0xffffff };
}

export function u32(...values: number[]): Buffer {
  const out = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => out.writeUInt32BE(v >>> 0, 4 * i));
  return out;
}

export function u64(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(value));
  return out;
}
