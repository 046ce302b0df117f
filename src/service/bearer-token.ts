import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * SPEKE_KEY_ACCESS_TOKEN: whether an `Authorization` header value is exactly `Bearer <token>`.
 * Compared in constant time over fixed-length digests, so neither the token's content nor its
 * length leaks through timing. Shared by the local server (/keys, /clearkey/license) and the
 * ClearKey license Lambda handler.
 */
export function hasBearerToken(authorizationHeader: string | undefined, token: string): boolean {
  const header = authorizationHeader ?? '';
  if (!/^Bearer \S+$/.test(header)) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header.slice('Bearer '.length)), digest(token));
}

/** A bearer token worth the name: 16 to 512 characters of visible ASCII. */
export function isAccessToken(token: string): boolean {
  return /^[\x21-\x7e]{16,512}$/.test(token);
}
