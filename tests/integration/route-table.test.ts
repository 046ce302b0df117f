import { useLocalServer } from '../support/local-server.js';
import { KID_A, v1Aes128 } from '../support/requests.js';

/**
 * What the local server's route table answers by itself (src/local/routes.ts): 404 for a path no
 * route has, 405 with the route's Allow for another method, the CORS preflight only on routes with
 * a CORS policy; and one log line for every request, whatever answered it (src/service/edge.ts).
 */
describe('the local server route table', () => {
  const server = useLocalServer({ SPEKE_CORS_ORIGINS: 'https://player.example' });
  const at = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

  it.each([
    ['/copyProtection', 'GET', 'POST'],
    ['/copyProtection', 'OPTIONS', 'POST'],
    ['/health', 'POST', 'GET, HEAD'],
    [`/keys/c/${KID_A}`, 'POST', 'GET, HEAD, OPTIONS'],
    ['/clearkey/license', 'GET', 'POST, OPTIONS'],
  ])('%s answers %s with 405 and Allow: %s', async (path, method, allow) => {
    const res = await at(path, { method });
    expect([res.status, res.headers.get('allow'), await res.text()]).toEqual([405, allow, 'Method not allowed']);
  });

  it.each([
    [`/keys/c/${KID_A}`, 'GET, HEAD, OPTIONS', 'Authorization'],
    ['/clearkey/license?contentId=c', 'POST, OPTIONS', 'Content-Type, Authorization'],
  ])('answers the preflight of %s from an allowed origin', async (path, methods, headers) => {
    const res = await at(path, { method: 'OPTIONS', headers: { Origin: 'https://player.example' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://player.example');
    expect(res.headers.get('access-control-allow-methods')).toBe(methods);
    expect(res.headers.get('access-control-allow-headers')).toBe(headers);
    expect(res.headers.get('access-control-max-age')).toBe('86400');
  });

  it('carries the CORS headers on the refusals of a CORS route too', async () => {
    const res = await at('/keys/c/not-a-kid', { headers: { Origin: 'https://player.example' } });
    expect([res.status, res.headers.get('access-control-allow-origin')]).toEqual([404, 'https://player.example']);
  });

  it.each(['/', '/nothing', '/keys/only-one-segment', '/clearkey/license/some-id', '/clearkey/license/a/b', '/copyProtection/'])(
    'answers 404 for %s',
    async (path) => {
      const res = await at(path);
      expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([404, 'text/plain; charset=utf-8', 'Not found']);
    },
  );

  it('writes exactly one log line for every request, with its request ID, whatever answered it', async () => {
    await new Promise((r) => setImmediate(r));
    const before = server.logs.length;
    const answers = [
      await at('/copyProtection', { method: 'POST', body: v1Aes128() }),
      await at('/copyProtection', { method: 'POST', body: 'not xml' }),
      await at('/health'),
      await at('/nothing'),
      await at('/health', { method: 'DELETE' }),
      await at(`/keys/c/${KID_A}`, { method: 'OPTIONS', headers: { Origin: 'https://player.example' } }),
    ];
    await new Promise((r) => setImmediate(r));
    const lines = server.logs.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.status)).toEqual([200, 400, 200, 404, 405, 204]);
    expect(lines.map((l) => l.requestId)).toEqual(answers.map((a) => a.headers.get('x-request-id')));
    expect(lines.map((l) => l.route)).toEqual(['copyProtection', 'copyProtection', 'health', undefined, 'health', 'keys']);
    expect(lines[1]).toMatchObject({ message: 'request refused', reason: 'malformed-request' });
  });
});
