import { UnsupportedVersionError } from '../errors.js';

/** `v2.1` is SPEKE v2.1 (CPIX 2.4): a v2.0 request plus the additions of SPEKE-v2.1.md. */
export type SpekeVersion = 'v1' | 'v2' | 'v2.1';

/**
 * SPEKE version from the X-Speke-Version header (SPEKE.md §1.4): absent → v1, `2.0` → v2, `2.1` →
 * v2.1, anything else → `Unsupported SPEKE version`. Never falls back to v1.
 */
export function spekeVersion(header: string | undefined): SpekeVersion {
  if (header === undefined) return 'v1';
  const value = header.trim();
  if (value === '2.0') return 'v2';
  if (value === '2.1') return 'v2.1';
  throw new UnsupportedVersionError();
}

/** SPEKE v2.0 and v2.1 share every rule of v2 that v2.1 does not change. */
export function isV2(version: SpekeVersion): version is 'v2' | 'v2.1' {
  return version !== 'v1';
}
