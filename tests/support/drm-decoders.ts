/**
 * Small decoders for DRM payloads, written for the tests from the formats in SPEKE.md §5 and
 * independent of the builders in src/drm: pssh boxes, protobuf fields, PlayReady Objects,
 * little-endian GUIDs and HLS attribute lists.
 */

/** UUID text of 16 bytes in textual (big-endian) order. */
export function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** UUID text of 16 bytes in Microsoft's little-endian GUID layout. */
export function guidText(bytes: Uint8Array): string {
  const b = Buffer.from(bytes);
  const le = (start: number, length: number) =>
    Buffer.from(b.subarray(start, start + length))
      .reverse()
      .toString('hex');
  return `${le(0, 4)}-${le(4, 2)}-${le(6, 2)}-${b.subarray(8, 10).toString('hex')}-${b.subarray(10).toString('hex')}`;
}

export interface DecodedPssh {
  size: number;
  type: string;
  version: number;
  flags: number;
  systemId: string;
  kids: string[];
  data: Buffer;
}

/** Reads one ISO-BMFF pssh box; throws unless the declared sizes account for every byte. */
export function decodePssh(box: Buffer): DecodedPssh {
  const size = box.readUInt32BE(0);
  const type = box.toString('latin1', 4, 8);
  const version = box.readUInt8(8);
  const flags = box.readUIntBE(9, 3);
  const systemId = uuidText(box.subarray(12, 28));
  let offset = 28;
  const kids: string[] = [];
  if (version === 1) {
    const count = box.readUInt32BE(offset);
    offset += 4;
    for (let i = 0; i < count; i++, offset += 16) kids.push(uuidText(box.subarray(offset, offset + 16)));
  }
  const dataSize = box.readUInt32BE(offset);
  offset += 4;
  const data = box.subarray(offset, offset + dataSize);
  if (size !== box.length || offset + dataSize !== box.length) throw new Error(`pssh sizes do not add up: ${size}, ${box.length}`);
  return { size, type, version, flags, systemId, kids, data };
}

export interface ProtobufField {
  field: number;
  wireType: number;
  /** Varint value (wire type 0) or bytes (wire type 2). */
  value: number | Buffer;
}

function readVarint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  let offset = at;
  for (;;) {
    const byte = buf[offset++];
    if (byte === undefined) throw new Error('truncated varint');
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return [value, offset];
  }
}

/** Reads the top-level fields of a protobuf message (varint and length-delimited only). */
export function decodeProtobuf(buf: Buffer): ProtobufField[] {
  const fields: ProtobufField[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const [tag, afterTag] = readVarint(buf, offset);
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (wireType === 0) {
      const [value, next] = readVarint(buf, afterTag);
      fields.push({ field, wireType, value });
      offset = next;
    } else if (wireType === 2) {
      const [length, start] = readVarint(buf, afterTag);
      if (start + length > buf.length) throw new Error('truncated field');
      fields.push({ field, wireType, value: buf.subarray(start, start + length) });
      offset = start + length;
    } else throw new Error(`unexpected wire type ${wireType}`);
  }
  return fields;
}

export interface DecodedPro {
  length: number;
  records: { type: number; value: Buffer }[];
}

/** Reads a PlayReady Object (little-endian length, record count, then type/length/value records). */
export function decodePro(pro: Buffer): DecodedPro {
  const length = pro.readUInt32LE(0);
  const count = pro.readUInt16LE(4);
  const records: DecodedPro['records'] = [];
  let offset = 6;
  for (let i = 0; i < count; i++) {
    const type = pro.readUInt16LE(offset);
    const size = pro.readUInt16LE(offset + 2);
    records.push({ type, value: pro.subarray(offset + 4, offset + 4 + size) });
    offset += 4 + size;
  }
  if (length !== pro.length || offset !== pro.length) throw new Error(`PRO sizes do not add up: ${length}, ${offset}, ${pro.length}`);
  return { length, records };
}

/** The WRM header of a PRO's single rights-management record, decoded from UTF-16LE. */
export function wrmHeaderOf(pro: Buffer): string {
  const { records } = decodePro(pro);
  if (records.length !== 1 || records[0]!.type !== 1) throw new Error('expected one rights management header record');
  const bytes = records[0]!.value;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) throw new Error('BOM in WRM header');
  return bytes.toString('utf16le');
}

export interface HlsTag {
  tag: string;
  attributes: Record<string, string>;
  /** Names in order of appearance. */
  order: string[];
  /** Which attributes were quoted strings. */
  quoted: string[];
}

/** Parses one HLS tag line `#TAG:NAME=value,NAME="quoted",…` (RFC 8216 §4.2). */
export function parseHlsTag(line: string): HlsTag {
  const colon = line.indexOf(':');
  if (!line.startsWith('#') || colon < 0) throw new Error(`not an HLS tag: ${line}`);
  const tag = line.slice(0, colon);
  const rest = line.slice(colon + 1);
  const attributes: Record<string, string> = {};
  const order: string[] = [];
  const quoted: string[] = [];
  const pattern = /([A-Z0-9-]+)=("[^"\r\n]*"|[^",\s]*)(,|$)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(rest)) !== null && match[0] !== '') {
    const [, name, raw] = match;
    if (name! in attributes) throw new Error(`duplicate attribute ${name}`);
    order.push(name!);
    if (raw!.startsWith('"')) {
      quoted.push(name!);
      attributes[name!] = raw!.slice(1, -1);
    } else attributes[name!] = raw!;
    consumed = pattern.lastIndex;
  }
  if (consumed !== rest.length) throw new Error(`unparsed attribute list: ${rest.slice(consumed)}`);
  return { tag, attributes, order, quoted };
}

/** Decodes a base64 element text, refusing anything that is not canonical standard base64. */
export function fromBase64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error(`not base64: ${text.slice(0, 40)}`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw new Error('non-canonical base64');
  return bytes;
}
