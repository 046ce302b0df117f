import { UnsupportedVersionError } from './errors.js';

export type SpekeVersion = 'v1' | 'v2';

/**
 * SPEKE version from the X-Speke-Version header (SPEKE.md §1.4): absent → v1, `2.0` → v2,
 * anything else → `Unsupported SPEKE version`. Never falls back to v1.
 */
export function spekeVersion(header: string | undefined): SpekeVersion {
  if (header === undefined) return 'v1';
  if (header.trim() === '2.0') return 'v2';
  throw new UnsupportedVersionError();
}

/** Reads a header case-insensitively (API Gateway passes the caller's spelling through). */
export function headerValue(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
