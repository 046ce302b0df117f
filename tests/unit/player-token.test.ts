import { SignJWT, UnsecuredJWT } from 'jose';
import { issuePlayerToken, PLAYER_TOKEN_AUDIENCE, PLAYER_TOKEN_ISSUER, verifyPlayerToken } from '../../src/keys/player-token.js';

const KEY = Buffer.alloc(32, 0x5a);
const OTHER_KEY = Buffer.alloc(32, 0x5b);
const NOW = new Date('2026-12-03T08:00:00Z');
const bearer = (token: string) => `Bearer ${token}`;
const refusal = async (header: string | undefined, contentId = 'movie-1', now = NOW) => {
  try {
    await verifyPlayerToken(header, KEY, contentId, now);
    return undefined;
  } catch (error) {
    return error as { status: number; message: string };
  }
};

describe('player tokens (JWT HS256 bound to a content ID)', () => {
  it('a token issued for a content ID is accepted for it until it expires', async () => {
    const token = await issuePlayerToken(KEY, 'movie-1', 300, NOW);
    expect(token.split('.')).toHaveLength(3);
    expect(await refusal(bearer(token))).toBeUndefined();
    expect(await refusal(bearer(token), 'movie-1', new Date(NOW.getTime() + 299_000))).toBeUndefined();
    expect(await refusal(bearer(token), 'movie-1', new Date(NOW.getTime() + 301_000))).toMatchObject({
      status: 401,
      message: 'Unauthorized: player token expired',
    });
  });

  it('is refused for another content ID (403)', async () => {
    expect(await refusal(bearer(await issuePlayerToken(KEY, 'movie-2', 300, NOW)))).toMatchObject({
      status: 403,
      message: 'Player token is not for this content ID',
    });
  });

  it('is refused (401) when missing, not a JWT, signed with another key, unsigned, or of another issuer or audience', async () => {
    const iat = Math.floor(NOW.getTime() / 1000);
    const claims = { cid: 'movie-1' };
    const forged = await issuePlayerToken(OTHER_KEY, 'movie-1', 300, NOW);
    const unsigned = new UnsecuredJWT(claims)
      .setIssuer(PLAYER_TOKEN_ISSUER)
      .setAudience(PLAYER_TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .encode();
    const otherIssuer = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('someone-else')
      .setAudience(PLAYER_TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .sign(KEY);
    const otherAudience = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(PLAYER_TOKEN_ISSUER)
      .setAudience('other')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .sign(KEY);
    const hs512 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuer(PLAYER_TOKEN_ISSUER)
      .setAudience(PLAYER_TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .sign(Buffer.alloc(64, 0x5a));
    const noExpiry = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(PLAYER_TOKEN_ISSUER)
      .setAudience(PLAYER_TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .sign(KEY);
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer not-a-jwt',
      `Basic ${forged}`,
      bearer(forged),
      `Bearer ${unsigned}`,
      bearer(otherIssuer),
      bearer(otherAudience),
      bearer(hs512),
      bearer(noExpiry),
    ]) {
      expect([header, (await refusal(header))?.status]).toEqual([header, 401]);
    }
  });

  it('refuses tokens that live longer than 24 hours, and will not issue them or sign with a short key', async () => {
    const iat = Math.floor(NOW.getTime() / 1000);
    const long = await new SignJWT({ cid: 'movie-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(PLAYER_TOKEN_ISSUER)
      .setAudience(PLAYER_TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 2 * 86_400)
      .sign(KEY);
    expect(await refusal(bearer(long))).toMatchObject({ status: 401 });
    await expect(issuePlayerToken(KEY, 'movie-1', 86_401, NOW)).rejects.toThrow(/lifetime/);
    await expect(issuePlayerToken(Buffer.alloc(16), 'movie-1', 60, NOW)).rejects.toThrow(/at least 32 bytes/);
  });

  // The issuer refused a short key and the verifier took one (a 1-byte key verified tokens; found
  // by review): a key under 32 bytes is an error of ours, never a 401 or an accepted token.
  it('verifies with no key shorter than 32 bytes', async () => {
    const short = Buffer.alloc(1, 7);
    const token = await new SignJWT({ cid: 'movie-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(PLAYER_TOKEN_ISSUER)
      .setAudience(PLAYER_TOKEN_AUDIENCE)
      .setIssuedAt(Math.floor(NOW.getTime() / 1000))
      .setExpirationTime(Math.floor(NOW.getTime() / 1000) + 60)
      .sign(short);
    await expect(verifyPlayerToken(bearer(token), short, 'movie-1', NOW)).rejects.toThrow('Player token key must be at least 32 bytes');
  });
});
