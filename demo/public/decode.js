/* global DOMParser */
/**
 * Decoders for what a SPEKE answer carries (SPEKE.md §5): pssh boxes, Widevine PSSH data
 * (protobuf), PlayReady Objects and their WRM headers (UTF-16LE XML), HLS key tags, DASH
 * ContentProtectionData. Each returns rows of [field, value] for display.
 */
export const SYSTEM_NAMES = {
  '81376844-f976-481e-a84e-cc25d39b0b33': 'HLS AES-128',
  '3ea8778f-7742-4bf9-b18b-e834b2acbd47': 'ClearKey AES-128',
  '1077efec-c0b2-4d02-ace3-3c1e52e2fb4b': 'W3C common PSSH',
  'edef8ba9-79d6-4ace-a3c8-27dcd51d21ed': 'Widevine',
  '9a04f079-9840-4286-ab92-e65be0885f95': 'PlayReady',
  '94ce86fb-07ff-4f43-adb8-93d2fa968ca2': 'FairPlay',
};

export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
export const base64ToBytes = (b64) => Uint8Array.from(atob(b64.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
export const uuid = (bytes) => {
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
const utf8 = (bytes) => new TextDecoder().decode(bytes);

/** A PlayReady KID (base64 of the GUID in Microsoft's little-endian layout) as UUID text. */
export function playReadyKid(b64) {
  const b = base64ToBytes(b64);
  return uuid(Uint8Array.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.slice(8)]));
}

/** ISO/IEC 23001-7 pssh box. */
export function parsePssh(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = utf8(bytes.slice(4, 8));
  if (bytes.length < 32 || type !== 'pssh') throw new Error(`not a pssh box (type "${type}")`);
  const version = bytes[8];
  const systemId = uuid(bytes.slice(12, 28));
  let offset = 28;
  const kids = [];
  if (version === 1) {
    const count = view.getUint32(offset);
    offset += 4;
    for (let i = 0; i < count; i++, offset += 16) kids.push(uuid(bytes.slice(offset, offset + 16)));
  }
  const dataSize = view.getUint32(offset);
  return {
    size: view.getUint32(0),
    version,
    flags: view.getUint32(8) & 0xffffff,
    systemId,
    kids,
    dataSize,
    data: bytes.slice(offset + 4, offset + 4 + dataSize),
  };
}

function varint(bytes, offset) {
  let value = 0;
  let shift = 0;
  let b;
  do {
    b = bytes[offset++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [value, offset];
}

const WIDEVINE_FIELDS = {
  1: 'algorithm',
  2: 'key_id',
  3: 'provider',
  4: 'content_id',
  5: 'track_type',
  6: 'policy',
  7: 'crypto_period_index',
  8: 'grouped_license',
  9: 'protection_scheme',
  10: 'crypto_period_seconds',
};

/** WidevinePsshData (proto2) fields. */
export function parseWidevine(data) {
  const rows = [];
  let offset = 0;
  while (offset < data.length) {
    let key;
    [key, offset] = varint(data, offset);
    const field = WIDEVINE_FIELDS[key >> 3] ?? `field ${key >> 3}`;
    if ((key & 7) === 0) {
      let value;
      [value, offset] = varint(data, offset);
      const text =
        field === 'protection_scheme'
          ? `${value} ('${String.fromCharCode(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255)}')`
          : field === 'algorithm'
            ? `${value} (${['UNENCRYPTED', 'AESCTR'][value] ?? '?'})`
            : String(value);
      rows.push([field, text]);
    } else if ((key & 7) === 2) {
      let length;
      [length, offset] = varint(data, offset);
      const value = data.slice(offset, offset + length);
      offset += length;
      rows.push([field, field === 'key_id' && length === 16 ? uuid(value) : /^[\x20-\x7e]*$/.test(utf8(value)) ? `"${utf8(value)}"` : hex(value)]);
    } else {
      rows.push([field, `unsupported wire type ${key & 7}`]);
      break;
    }
  }
  return rows;
}

/** PlayReady Object: little-endian length, record count, then typed records (type 1 = WRM header in UTF-16LE). */
export function parsePro(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows = [
    ['PRO length', `${view.getUint32(0, true)} bytes`],
    ['records', String(view.getUint16(4, true))],
  ];
  let offset = 6;
  for (let i = 0; i < view.getUint16(4, true); i++) {
    const type = view.getUint16(offset, true);
    const length = view.getUint16(offset + 2, true);
    const value = bytes.slice(offset + 4, offset + 4 + length);
    offset += 4 + length;
    rows.push([`record ${i + 1}`, `type ${type}${type === 1 ? ' (rights management header)' : ''}, ${length} bytes`]);
    if (type === 1) rows.push(...wrmHeader(new TextDecoder('utf-16le').decode(value)));
  }
  return rows;
}

/** The WRM header's facts: version, KIDs (as UUIDs), ALGID, CHECKSUM, LA_URL. */
export function wrmHeader(xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const root = doc.documentElement;
  const rows = [['WRMHEADER version', root.getAttribute('version') ?? '?']];
  for (const kid of root.getElementsByTagName('KID')) {
    const value = kid.getAttribute('VALUE') ?? kid.textContent;
    if (!value) continue;
    const facts = [`${playReadyKid(value)} (VALUE ${value})`];
    if (kid.getAttribute('ALGID')) facts.push(`ALGID ${kid.getAttribute('ALGID')}`);
    if (kid.getAttribute('CHECKSUM')) facts.push(`CHECKSUM ${kid.getAttribute('CHECKSUM')}`);
    rows.push(['KID', facts.join(', ')]);
  }
  for (const name of ['ALGID', 'KEYLEN', 'CHECKSUM', 'LA_URL', 'LUI_URL', 'DS_ID', 'DECRYPTORSETUP']) {
    const e = root.getElementsByTagName(name)[0];
    if (e && e.parentNode?.nodeName !== 'KID') rows.push([name, e.textContent]);
  }
  rows.push(['WRM header XML', { pre: xml }]);
  return rows;
}

/** A pssh box with its system-specific data decoded. */
export function psshRows(bytes) {
  const box = parsePssh(bytes);
  const rows = [
    ['box', `${box.size} bytes, version ${box.version}, flags ${box.flags}`],
    ['SystemID', `${box.systemId} (${SYSTEM_NAMES[box.systemId] ?? 'unknown'})`],
  ];
  if (box.version === 1) rows.push(['KIDs', box.kids.join(', ') || '(none)']);
  rows.push(['DataSize', String(box.dataSize)]);
  if (box.dataSize > 0) {
    if (box.systemId === 'edef8ba9-79d6-4ace-a3c8-27dcd51d21ed') rows.push(...parseWidevine(box.data).map(([k, v]) => [`Widevine ${k}`, v]));
    else if (box.systemId === '9a04f079-9840-4286-ab92-e65be0885f95') rows.push(...parsePro(box.data));
    else rows.push(['Data', hex(box.data)]);
  }
  return rows;
}

/** An HLS tag line: its name and attributes. */
export function parseHlsTag(line) {
  const match = /^#(EXT-X-[A-Z-]+):(.*)$/.exec(line.trim());
  if (!match) return [['tag', line]];
  const rows = [['tag', `#${match[1]}`]];
  for (const [, name, value] of match[2].matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    rows.push([name, value.replace(/^"|"$/g, '')]);
    if (name === 'URI') rows.push(...uriRows(value.replace(/^"|"$/g, '')));
  }
  return rows;
}

/** A key URI: data: URIs carry a Widevine pssh box or a PlayReady Object; skd:// and https:// are shown as they are. */
export function uriRows(uri) {
  const data = /^data:([^,]*);base64,(.*)$/.exec(uri);
  if (!data) return [];
  const bytes = base64ToBytes(data[2]);
  try {
    return utf8(bytes.slice(4, 8)) === 'pssh' ? psshRows(bytes).map(([k, v]) => [`  ${k}`, v]) : parsePro(bytes).map(([k, v]) => [`  ${k}`, v]);
  } catch (error) {
    return [['  data', `${bytes.length} bytes (${error.message})`]];
  }
}

/** DASH ContentProtectionData: an XML fragment with cenc:pssh and/or mspr:pro. */
export function contentProtectionRows(xml) {
  const rows = [['XML', { pre: xml }]];
  const doc = new DOMParser().parseFromString(`<root>${xml}</root>`, 'application/xml');
  for (const e of doc.documentElement.children) {
    const bytes = base64ToBytes(e.textContent ?? '');
    if (e.localName === 'pssh') rows.push(...psshRows(bytes).map(([k, v]) => [`${e.nodeName} ${k}`, v]));
    if (e.localName === 'pro') rows.push(...parsePro(bytes).map(([k, v]) => [`${e.nodeName} ${k}`, v]));
  }
  return rows;
}

/** Rows for one filled DRMSystem child, by element name. */
export function childRows(localName, text) {
  const bytes = () => base64ToBytes(text);
  switch (localName) {
    case 'PSSH':
      return psshRows(bytes());
    case 'ContentProtectionData':
      return contentProtectionRows(utf8(bytes()));
    case 'HLSSignalingData':
      return utf8(bytes()).split('\n').filter(Boolean).flatMap(parseHlsTag);
    case 'URIExtXKey': {
      const uri = utf8(bytes());
      return [['URI', uri], ...uriRows(uri)];
    }
    case 'ProtectionHeader':
    case 'SmoothStreamingProtectionHeaderData':
      return parsePro(bytes());
    default:
      return [['value', text]];
  }
}
