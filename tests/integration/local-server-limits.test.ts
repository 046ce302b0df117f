import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { ConfigError, loadLocalConfig } from '../../src/config.js';
import { type RunningServer, useLocalServer } from '../support/local-server.js';
import { KID_A, v1Aes128, v2Request } from '../support/requests.js';

/**
 * The local server under the attacks of issue 14: DNS rebinding (a foreign Host), cross-site
 * requests and CORS from foreign origins, many slow uploads at once, clients that never finish
 * their headers or body, and connection floods. Raw sockets and node:http, so every header (Host
 * included) is exactly what the test says.
 */
function raw(server: RunningServer, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const { port } = new URL(server.url);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A connected socket with everything the server sends collected, and a promise that settles when the server closes it. */
function openSocket(server: RunningServer): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(chunks).toString('latin1'), closed }));
    socket.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Host allow-list (DNS rebinding)', () => {
  const server = useLocalServer();
  const port = () => new URL(server.url).port;

  it.each(['evil.example', 'evil.example:8080', 'rebind.attacker.test', '127.0.0.1.evil.example'])(
    'answers 421 to Host "%s", before any route runs',
    async (host) => {
      const res = await raw(server, '/copyProtection', {
        method: 'POST',
        headers: { Host: host, 'Content-Type': 'application/xml' },
        body: v1Aes128({ contentId: 'rebound', kid: KID_A }),
      });
      expect(res.status).toBe(421);
      expect(res.body).toMatch(/^Misdirected request/);
      expect((await raw(server, `/keys/rebound/${KID_A}`, { headers: { Host: `127.0.0.1:${port()}` } })).status).toBe(404); // nothing was issued
    },
  );

  it.each(['127.0.0.1', 'localhost', '[::1]', 'LOCALHOST'])('serves the loopback name %s by default (with or without port)', async (host) => {
    expect((await raw(server, '/health', { headers: { Host: host } })).status).toBe(200);
    expect((await raw(server, '/health', { headers: { Host: `${host}:${port()}` } })).status).toBe(200);
  });
});

describe('SPEKE_ALLOWED_HOSTS', () => {
  const server = useLocalServer({ SPEKE_ALLOWED_HOSTS: 'speke.internal, keys.example.com' });

  it('replaces the defaults: the names listed are served, loopback names no longer', async () => {
    expect((await raw(server, '/health', { headers: { Host: 'speke.internal:8080' } })).status).toBe(200);
    expect((await raw(server, '/health', { headers: { Host: 'keys.example.com' } })).status).toBe(200);
    expect((await raw(server, '/health', { headers: { Host: 'localhost' } })).status).toBe(421);
  });

  it('takes host names or addresses only', () => {
    expect(() => loadLocalConfig({ SPEKE_ALLOWED_HOSTS: 'http://x.example' })).toThrow(ConfigError);
    expect(() => loadLocalConfig({ SPEKE_ALLOWED_HOSTS: 'x.example:80' })).toThrow(/SPEKE_ALLOWED_HOSTS/);
    expect(loadLocalConfig({ SPEKE_ALLOWED_HOSTS: 'A.Example, [::1]' }).allowedHosts).toEqual(['a.example', '::1']);
  });
});

describe('Origin allow-list (cross-site requests and CORS)', () => {
  const server = useLocalServer();

  it('refuses (403) a cross-site POST /copyProtection from a foreign page, which then issues nothing', async () => {
    const res = await fetch(`${server.url}/copyProtection`, {
      method: 'POST',
      headers: { Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
      body: v1Aes128({ contentId: 'csrf', kid: KID_A }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${server.url}/keys/csrf/${KID_A}`)).status).toBe(404);
  });

  it('refuses license and key requests and preflights from a foreign origin, with no CORS header', async () => {
    await fetch(`${server.url}/copyProtection`, { method: 'POST', headers: { 'X-Speke-Version': '2.0' }, body: v2Request({ contentId: 'cors-1' }) });
    const body = JSON.stringify({ kids: [Buffer.from(KID_A.replace(/-/g, ''), 'hex').toString('base64url')] });
    for (const [url, method] of [
      [`${server.url}/clearkey/license?contentId=cors-1`, 'POST'],
      [`${server.url}/clearkey/license?contentId=cors-1`, 'OPTIONS'],
      [`${server.url}/keys/cors-1/${KID_A}`, 'GET'],
      [`${server.url}/keys/cors-1/${KID_A}`, 'OPTIONS'],
    ] as const) {
      const res = await fetch(url, { method, headers: { Origin: 'https://evil.example' }, body: method === 'POST' ? body : undefined });
      expect([url, method, res.status]).toEqual([url, method, 403]);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('gives the server’s own origin and loopback origins CORS for exactly that origin, never "*"', async () => {
    for (const origin of [server.url, 'http://localhost:3000', 'https://127.0.0.1:8443']) {
      const res = await fetch(`${server.url}/clearkey/license?contentId=x`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('vary')).toBe('Origin');
    }
    const noOrigin = await fetch(`${server.url}/clearkey/license?contentId=x`, { method: 'OPTIONS' });
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('SPEKE_CORS_ORIGINS', () => {
  const server = useLocalServer({ SPEKE_CORS_ORIGINS: 'https://player.example.com' });

  it('replaces the defaults: the listed origin gets CORS, loopback origins are refused', async () => {
    const allowed = await fetch(`${server.url}/clearkey/license?contentId=x`, { method: 'OPTIONS', headers: { Origin: 'https://player.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://player.example.com');
    expect((await fetch(`${server.url}/health`, { headers: { Origin: 'http://localhost:3000' } })).status).toBe(403);
  });

  it('accepts origins only: no "*", no path', () => {
    for (const bad of ['*', 'https://player.example.com/', 'player.example.com', 'https://p.example/app']) {
      expect(() => loadLocalConfig({ SPEKE_CORS_ORIGINS: bad })).toThrow(/SPEKE_CORS_ORIGINS/);
    }
  });
});

describe('request-body budget (SPEKE_BODY_BUDGET_BYTES)', () => {
  const MIB = 1024 * 1024;
  const server = useLocalServer({ SPEKE_BODY_BUDGET_BYTES: String(2 * MIB) });

  it('answers 503 at once to a body the budget cannot hold while slow uploads hold it, and serves again once they end', async () => {
    const slow: Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const { socket } = await openSocket(server);
      socket.write(`POST /copyProtection HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${MIB}\r\n\r\n<cpix`);
      slow.push(socket);
    }
    await sleep(200);
    const refused = await raw(server, '/copyProtection', { method: 'POST', headers: { 'Content-Length': String(v1Aes128().length) }, body: v1Aes128() });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatch(/^Server busy/);
    expect(refused.headers.connection).toBe('close');
    // A chunked upload (no Content-Length) is held to the same budget as its bytes arrive.
    const chunked = await raw(server, '/copyProtection', { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' }, body: v1Aes128() });
    expect(chunked.status).toBe(503);
    for (const socket of slow) socket.destroy();
    await sleep(200);
    const served = await raw(server, '/copyProtection', { method: 'POST', body: v1Aes128() });
    expect(served.status).toBe(200);
  });

  it('must hold at least one request body', () => {
    expect(() => loadLocalConfig({ SPEKE_BODY_BUDGET_BYTES: '2048', SPEKE_MAX_BODY_BYTES: '4096' })).toThrow(
      /SPEKE_BODY_BUDGET_BYTES \(2048\) must be at least SPEKE_MAX_BODY_BYTES/,
    );
    expect(loadLocalConfig({}).server.bodyBudgetBytes).toBe(64 * MIB);
  });
});

describe('headers and request timeouts', () => {
  const server = useLocalServer({ SPEKE_HEADERS_TIMEOUT_SECONDS: '1', SPEKE_REQUEST_TIMEOUT_SECONDS: '2' });

  it('closes a connection whose headers never end, with 408', async () => {
    const { socket, received, closed } = await openSocket(server);
    socket.write('POST /copyProtection HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 408/);
  }, 15_000);

  it('closes a connection whose body never ends, with 408', async () => {
    const { socket, received, closed } = await openSocket(server);
    socket.write('POST /copyProtection HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n<cpix:CPIX');
    await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 408/);
  }, 15_000);

  it('defaults to 10 s for headers and 30 s for a whole request; headers no longer than the request', () => {
    expect(loadLocalConfig({}).server).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
    expect(() => loadLocalConfig({ SPEKE_HEADERS_TIMEOUT_SECONDS: '60', SPEKE_REQUEST_TIMEOUT_SECONDS: '30' })).toThrow(/SPEKE_HEADERS_TIMEOUT_SECONDS/);
  });
});

describe('connection limit (SPEKE_MAX_CONNECTIONS)', () => {
  const server = useLocalServer({ SPEKE_MAX_CONNECTIONS: '2' });

  it('closes connections past the limit on arrival, and serves the ones it holds', async () => {
    const held = [await openSocket(server), await openSocket(server)];
    await sleep(100);
    const extra = await openSocket(server);
    await extra.closed;
    expect(extra.received()).toBe('');
    held[0]!.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await held[0]!.closed;
    expect(held[0]!.received()).toMatch(/^HTTP\/1\.1 200/);
    held[1]!.socket.destroy();
    expect(loadLocalConfig({}).server.maxConnections).toBe(256);
  });
});
