import { createCipheriv } from 'node:crypto';
import { uuidBytes } from '../uuid.js';
import type { EncryptionScheme } from './drm-system.js';

export const PLAYREADY_HEADER_NS = 'http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader';

/**
 * The 16 bytes of a KID in Microsoft's little-endian GUID layout (SPEKE.md §5.4): the first 4-byte
 * group and the next two 2-byte groups are byte-swapped, the last 8 bytes stay as they are.
 */
export function guidBytes(kid: string): Buffer {
  const bytes = uuidBytes(kid);
  if (bytes.length !== 16) {
    return Buffer.concat([bytes.subarray(0, 4).reverse(), bytes.subarray(4, 6).reverse(), bytes.subarray(6, 8).reverse(), bytes.subarray(8)]);
  }
  // In place: swap the first 4-byte group and the next two 2-byte groups.
  bytes.writeUInt32BE(bytes.readUInt32LE(0), 0);
  bytes.writeUInt16BE(bytes.readUInt16LE(4), 4);
  bytes.writeUInt16BE(bytes.readUInt16LE(6), 6);
  return bytes;
}

/** AESCTR key checksum: the first 8 bytes of AES-128-ECB(key, little-endian KID). */
export function keyChecksum(key: Buffer, kid: string): Buffer {
  const cipher = createCipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(guidBytes(kid)), cipher.final()]).subarray(0, 8);
}

/** Escapes text content for the header; base64 needs none, a license URL may hold `&`. */
function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface WrmHeaderInput {
  kid: string;
  key: Buffer;
  scheme: EncryptionScheme;
  laUrl?: string;
}

/**
 * The WRMHEADER XML for one KID, in canonical form: no declaration, namespace first, attributes
 * in alphabetical order, explicit closing tags, no whitespace between elements.
 * - cenc/cens (AES-CTR): version 4.0.0.0, KID and CHECKSUM as DATA children (widest client reach).
 * - cbcs/cbc1 (AES-CBC): version 4.3.0.0, `<KID ALGID="AESCBC" VALUE="…"></KID>`, no checksum.
 */
export function wrmHeader({ kid, key, scheme, laUrl }: WrmHeaderInput): string {
  const value = guidBytes(kid).toString('base64');
  const laUrlElement = laUrl === undefined ? '' : `<LA_URL>${escapeText(laUrl)}</LA_URL>`;
  if (scheme === 'cbcs' || scheme === 'cbc1') {
    return (
      `<WRMHEADER xmlns="${PLAYREADY_HEADER_NS}" version="4.3.0.0"><DATA>` +
      `<PROTECTINFO><KIDS><KID ALGID="AESCBC" VALUE="${value}"></KID></KIDS></PROTECTINFO>` +
      `${laUrlElement}</DATA></WRMHEADER>`
    );
  }
  const checksum = keyChecksum(key, kid).toString('base64');
  return (
    `<WRMHEADER xmlns="${PLAYREADY_HEADER_NS}" version="4.0.0.0"><DATA>` +
    `<PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO>` +
    `<KID>${value}</KID><CHECKSUM>${checksum}</CHECKSUM>${laUrlElement}</DATA></WRMHEADER>`
  );
}
