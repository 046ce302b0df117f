import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { removeDir, type RunningServer, startLocalServer, useLocalServer } from '../support/local-server.js';
import { all, CPIX, one, parse, PSKC } from '../support/xml.js';
import { KID_A, KID_B, v1Aes128, v2Request } from '../support/requests.js';

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

function post(server: RunningServer, body: string | Buffer, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/copyProtection`, { method: 'POST', body, headers: { 'Content-Type': 'application/xml', ...headers } });
}

describe('local server over HTTP', () => {
  const server = useLocalServer();

  it('GET /health answers 200', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
  });

  it('creates its master secret with mode 0600 in the data folder', async () => {
    const file = join(server.dataDir, 'master-secret');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toHaveLength(32);
  });

  it('POST /copyProtection answers v1, and the key URL in the answer serves the PlainValue bytes', async () => {
    const res = await post(server, v1Aes128({ contentId: 'live/channel 1', kid: KID_B }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml');
    expect(res.headers.get('speke-user-agent')).toMatch(/^speke-key-server\//);
    const doc = parse(await res.text());
    const key = Buffer.from(one(doc, PSKC, 'PlainValue').text, 'base64');
    const url = b64(one(doc, CPIX, 'URIExtXKey').text);
    expect(url).toBe(`${server.url}/keys/live%2Fchannel%201/${KID_B}`);

    // A player page on a loopback origin (allowed by default) gets CORS for exactly its origin.
    const keyRes = await fetch(url, { headers: { Origin: 'http://localhost:3000' } });
    expect(keyRes.status).toBe(200);
    expect(keyRes.headers.get('content-type')).toBe('application/octet-stream');
    expect(keyRes.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(Buffer.from(await keyRes.arrayBuffer())).toEqual(key);
  });

  it('POST /copyProtection answers v2 with the SPEKE v2 headers', async () => {
    const res = await post(server, v2Request({ contentId: 'movie-7' }), { 'X-Speke-Version': '2.0' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-speke-version')).toBe('2.0');
    expect(res.headers.get('x-speke-user-agent')).toMatch(/^speke-key-server\//);
    const doc = parse(await res.text());
    const media = b64(all(doc, CPIX, 'HLSSignalingData').find((h) => h.attrs.playlist === 'media')!.text);
    const url = /URI="([^"]+)"/.exec(media)![1]!;
    const keyRes = await fetch(url);
    expect(Buffer.from(await keyRes.arrayBuffer())).toEqual(Buffer.from(one(doc, PSKC, 'PlainValue').text, 'base64'));
  });

  it('answers client errors with 4xx plain text and keeps serving', async () => {
    const bad = await post(server, '<not-cpix/>');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^text\/plain/);
    const version = await post(server, v1Aes128(), { 'X-Speke-Version': '3.0' });
    expect(version.status).toBe(422);
    expect(await version.text()).toBe('Unsupported SPEKE version');
    const big = await post(server, Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(big.status).toBe(413);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('answers 404 for unknown keys and paths, 405 for wrong methods', async () => {
    expect((await fetch(`${server.url}/keys/nothing/${KID_A}`)).status).toBe(404);
    expect((await fetch(`${server.url}/keys/x/not-a-uuid`)).status).toBe(404);
    expect((await fetch(`${server.url}/keys/%2E%2E/${KID_A}`)).status).toBe(404);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/copyProtection`)).status).toBe(405);
  });

  it('keeps a traversal content ID inside the data folder', async () => {
    const res = await post(server, v1Aes128({ contentId: '../../escape', kid: KID_A }));
    expect(res.status).toBe(200);
    const file = join(server.dataDir, 'keys', '..%2F..%2Fescape', KID_A);
    expect((await stat(file)).isFile()).toBe(true);
    const url = b64(one(parse(await res.text()), CPIX, 'URIExtXKey').text);
    expect((await fetch(url)).status).toBe(200);
  });

  it('logs one line per request without key material', async () => {
    const before = server.logs.length;
    const res = await post(server, v1Aes128({ contentId: 'log-check', kid: KID_A }));
    const key = one(parse(await res.text()), PSKC, 'PlainValue').text;
    const lines = server.logs.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: 'request answered', spekeVersion: 'v1', contentId: 'log-check', keyCount: 1, status: 200 });
    expect(typeof lines[0]!.durationMs).toBe('number');
    expect(server.logs.join('\n')).not.toContain(key);
  });
});

describe('local server restarts', () => {
  it('returns the same keys after a restart on the same data folder', async () => {
    const first = await startLocalServer();
    const body = v1Aes128({ contentId: 'restart-test', kid: KID_A });
    const before = one(parse(await (await post(first, body)).text()), PSKC, 'PlainValue').text;
    await first.stop();
    const second = await startLocalServer({}, { dataDir: first.dataDir });
    try {
      const after = one(parse(await (await post(second, body)).text()), PSKC, 'PlainValue').text;
      expect(after).toBe(before);
    } finally {
      await second.stop();
      await removeDir(first.dataDir);
    }
  });

  it('uses SPEKE_MASTER_SECRET instead of the secret file when given', async () => {
    const secret = Buffer.alloc(32, 3).toString('base64');
    const a = await startLocalServer({ SPEKE_MASTER_SECRET: secret });
    const b = await startLocalServer({ SPEKE_MASTER_SECRET: secret });
    try {
      const body = v1Aes128({ contentId: 'shared', kid: KID_A });
      const ka = one(parse(await (await post(a, body)).text()), PSKC, 'PlainValue').text;
      const kb = one(parse(await (await post(b, body)).text()), PSKC, 'PlainValue').text;
      expect(ka).toBe(kb);
    } finally {
      await a.stop();
      await b.stop();
      await removeDir(a.dataDir);
      await removeDir(b.dataDir);
    }
  });
});
