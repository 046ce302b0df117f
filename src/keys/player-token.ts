import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ClearKeyRequestError } from '../errors.js';

/**
 * Player tokens: what lets a player fetch a key (ClearKey license, local key delivery). A compact
 * JWT, HS256 over a secret only this server and the operator's backend hold (Secrets Manager in
 * AWS, the data folder locally), bound to one content ID and expiring soon:
 *
 *   header  {"alg": "HS256", "typ": "JWT"}
 *   payload {"iss": "speke-key-server", "aud": "speke-player", "cid": "<content ID>", "iat": …, "exp": …}
 *
 * The backend issues one per viewer and title after its own checks (`npm run player-token`, or
 * issuePlayerToken from Node); the player sends it as `Authorization: Bearer <token>`.
 */
export const PLAYER_TOKEN_ISSUER = 'speke-key-server';
export const PLAYER_TOKEN_AUDIENCE = 'speke-player';
/** Longest lifetime accepted (exp − iat), whatever the token says. */
export const PLAYER_TOKEN_MAX_LIFETIME_SECONDS = 24 * 60 * 60;
export const DEFAULT_PLAYER_TOKEN_TTL_SECONDS = 5 * 60;
/** HMAC key: at least 32 bytes (HS256's hash size). */
export const PLAYER_TOKEN_MIN_KEY_BYTES = 32;

/** Issues a player token for one content ID, valid for `ttlSeconds` (at most 24 h). */
export async function issuePlayerToken(
  key: Uint8Array,
  contentId: string,
  ttlSeconds: number = DEFAULT_PLAYER_TOKEN_TTL_SECONDS,
  now: Date = new Date(),
): Promise<string> {
  if (key.length < PLAYER_TOKEN_MIN_KEY_BYTES) throw new Error(`Player token key must be at least ${PLAYER_TOKEN_MIN_KEY_BYTES} bytes`);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > PLAYER_TOKEN_MAX_LIFETIME_SECONDS) {
    throw new Error(`Player token lifetime must be 1 to ${PLAYER_TOKEN_MAX_LIFETIME_SECONDS} seconds`);
  }
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ cid: contentId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(PLAYER_TOKEN_ISSUER)
    .setAudience(PLAYER_TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(key);
}

const unauthorized = (message: string) => new ClearKeyRequestError(message, 401, 'invalid-player-token');

/**
 * Checks `Authorization: Bearer <player token>` for `contentId`: 401 when it is missing, not a
 * token of ours (signature, issuer, audience, HS256 only), expired or too long-lived; 403 when it is
 * valid but for another content ID.
 */
export async function verifyPlayerToken(authorizationHeader: string | undefined, key: Uint8Array, contentId: string, now: Date = new Date()): Promise<void> {
  // Our own fault, not the caller's: a short key would make every token easy to forge.
  if (key.length < PLAYER_TOKEN_MIN_KEY_BYTES) throw new Error(`Player token key must be at least ${PLAYER_TOKEN_MIN_KEY_BYTES} bytes`);
  const header = authorizationHeader ?? '';
  if (!/^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(header))
    throw unauthorized('Unauthorized: a player token is required (Authorization: Bearer <token>)');
  let cid: unknown;
  try {
    const { payload } = await jwtVerify(header.slice('Bearer '.length), key, {
      algorithms: ['HS256'],
      issuer: PLAYER_TOKEN_ISSUER,
      audience: PLAYER_TOKEN_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'cid'],
      maxTokenAge: PLAYER_TOKEN_MAX_LIFETIME_SECONDS,
      currentDate: now,
    });
    if (typeof payload.exp === 'number' && typeof payload.iat === 'number' && payload.exp - payload.iat > PLAYER_TOKEN_MAX_LIFETIME_SECONDS) {
      throw unauthorized('Unauthorized: player token lives longer than 24 hours');
    }
    cid = payload.cid;
  } catch (error) {
    if (error instanceof ClearKeyRequestError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw unauthorized('Unauthorized: player token expired');
    throw unauthorized('Unauthorized: invalid player token');
  }
  if (cid !== contentId) throw new ClearKeyRequestError('Player token is not for this content ID', 403, 'player-token-other-content');
}
