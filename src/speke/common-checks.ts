import type { ContentKeyEntry, CpixDocument } from '../cpix/document.js';
import type { DrmRegistry } from '../drm/registry.js';
import { canonicalUuid, isUuid } from '../uuid.js';
import { SpekeValidationError } from '../errors.js';
import type { Limits } from './limits.js';
import type { ValidDrmSystem } from './validated-request.js';
import { required } from '../required.js';
import { MAX_CONTENT_ID_BYTES } from '../keys/derive.js';

/** Checks shared by v1 and v2, each throwing a 422 with a clear text. */

/** C0 control characters and DEL. */
function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export function checkContentIdLength(contentId: string, attribute: string, limits: Limits): void {
  if (Array.from(contentId).length > limits.maxContentIdLength) {
    throw new SpekeValidationError(`CPIX@${attribute} is longer than ${limits.maxContentIdLength} characters`, 'content-id-too-long');
  }
  // Keys are derived with the content ID in the HKDF info, which has a fixed maximum size.
  if (Buffer.byteLength(contentId, 'utf8') > MAX_CONTENT_ID_BYTES) {
    throw new SpekeValidationError(`CPIX@${attribute} is longer than ${MAX_CONTENT_ID_BYTES} bytes in UTF-8`, 'content-id-too-long');
  }
  if (hasControlCharacters(contentId)) {
    throw new SpekeValidationError(`CPIX@${attribute} contains control characters`, 'invalid-content-id');
  }
}

export function checkCounts(document: CpixDocument, limits: Limits): void {
  if (document.contentKeys.length > limits.maxContentKeys) {
    throw new SpekeValidationError(`Too many ContentKey elements: ${document.contentKeys.length} (limit ${limits.maxContentKeys})`, 'too-many-keys');
  }
  if (document.drmSystems.length > limits.maxDrmSystems) {
    throw new SpekeValidationError(`Too many DRMSystem elements: ${document.drmSystems.length} (limit ${limits.maxDrmSystems})`, 'too-many-drm-systems');
  }
}

/** Every ContentKey has a UUID kid, and no kid appears twice. Returns the canonical kids. */
export function checkContentKeyKids(keys: readonly ContentKeyEntry[]): string[] {
  const seen = new Set<string>();
  return keys.map((key) => {
    if (key.kid === undefined || key.kid.trim() === '') throw new SpekeValidationError('Missing ContentKey@kid', 'missing-kid');
    if (!isUuid(key.kid)) throw new SpekeValidationError(`ContentKey@kid is not a UUID: ${printable(key.kid)}`, 'invalid-kid');
    const kid = canonicalUuid(key.kid);
    if (seen.has(kid)) throw new SpekeValidationError(`Duplicate ContentKey@kid ${kid}`, 'duplicate-kid');
    seen.add(kid);
    return kid;
  });
}

/** explicitIV, when sent, is base64 of exactly 16 bytes. */
export function decodeExplicitIV(key: ContentKeyEntry, kid: string): Buffer | undefined {
  if (key.explicitIV === undefined) return undefined;
  const value = key.explicitIV.trim();
  const bytes = Buffer.from(value, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || bytes.length !== 16 || bytes.toString('base64') !== value) {
    throw new SpekeValidationError(`ContentKey@explicitIV for KID ${kid} is not base64 of 16 bytes`, 'invalid-explicit-iv');
  }
  return bytes;
}

/** DRMSystem@kid and @systemId are present and UUIDs. */
export function checkDrmSystemAttributes(document: CpixDocument): void {
  for (const drm of document.drmSystems) {
    if (drm.kid === undefined || drm.kid.trim() === '') throw new SpekeValidationError('Missing DRMSystem@kid', 'missing-kid');
    if (drm.systemId === undefined || drm.systemId.trim() === '') {
      throw new SpekeValidationError(`Missing DRMSystem@systemId for KID ${printable(drm.kid)}`, 'missing-system-id');
    }
    if (!isUuid(drm.kid)) throw new SpekeValidationError(`DRMSystem@kid is not a UUID: ${printable(drm.kid)}`, 'invalid-kid');
  }
}

/** Every DRMSystem names a system we know (an unknown one is a 4xx naming it, never a 500). */
export function resolveDrmSystems(document: CpixDocument, registry: DrmRegistry): ValidDrmSystem[] {
  return document.drmSystems.map((entry) => {
    const systemId = required(entry.systemId, 'DRMSystem@systemId').trim();
    const system = registry.get(systemId);
    if (!system) throw new SpekeValidationError(`Unsupported DRMSystem@systemId ${printable(systemId)}`, 'unsupported-system-id');
    return { entry, kid: canonicalUuid(required(entry.kid, 'DRMSystem@kid')), system };
  });
}

/** Every DRMSystem refers to a ContentKey of the request. */
export function checkDrmSystemKids(drmSystems: readonly ValidDrmSystem[], kids: ReadonlySet<string>): void {
  for (const drm of drmSystems) {
    if (!kids.has(drm.kid)) {
      throw new SpekeValidationError(`DRMSystem@kid ${drm.kid} is not in ContentKeyList`, 'unknown-kid');
    }
  }
}

/** A value quoted in an error message: bounded and free of control characters. */
export function printable(value: string): string {
  const cleaned = Array.from(value, (ch) => (hasControlCharacters(ch) ? '?' : ch)).join('');
  return cleaned.length > 80 ? `${cleaned.slice(0, 80)}…` : cleaned;
}
