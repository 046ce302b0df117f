import { ConfigError, loadLocalConfig } from '../../src/config.js';
import { removeDir, startLocalServer, type RunningServer } from '../support/local-server.js';
import { CPIX, one, parse } from '../support/xml.js';
import { KID_A, v1Aes128, v2Request } from '../support/requests.js';

const TOKEN = 'viewer-token-0123456789abcdef';
const base64url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

describe('SPEKE_KEY_ACCESS_TOKEN: bearer token on /copyProtection, /keys and /clearkey/license', () => {
  let server: RunningServer;
  let keyUrl: string;
  beforeAll(async () => {
    server = await startLocalServer({ SPEKE_KEY_ACCESS_TOKEN: TOKEN });
    const res = await fetch(`${server.url}/copyProtection`, {
      method: 'POST',
      body: v1Aes128({ contentId: 'paid-1', kid: KID_A }),
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    keyUrl = Buffer.from(one(parse(await res.text()), CPIX, 'URIExtXKey').text, 'base64').toString();
  });
  afterAll(async () => {
    await server.stop();
    await removeDir(server.dataDir);
  });

  it('refuses POST /copyProtection without the token (its answer carries the keys in clear), before reading the body', async () => {
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong-token-0123456789' }, { Authorization: TOKEN }];
    for (const headers of attempts) {
      const res = await fetch(`${server.url}/copyProtection`, { method: 'POST', body: v1Aes128({ contentId: 'paid-9', kid: KID_A }), headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.text()).toBe('Unauthorized');
    }
    // Nothing was issued: no key published for paid-9.
    expect((await fetch(`${server.url}/keys/paid-9/${KID_A}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it('refuses key requests without the token, or with a wrong one, with 401', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: 'Bearer wrong-token-0123456789' },
      { Authorization: TOKEN },
      { Authorization: `Basic ${TOKEN}` },
    ];
    for (const headers of attempts) {
      const res = await fetch(keyUrl, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.headers.get('access-control-allow-origin')).toBeNull(); // no Origin sent, no CORS
    }
  });

  it('serves the key with the token', async () => {
    const res = await fetch(keyUrl, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toHaveLength(16);
  });

  it('answers CORS preflights without the token and allows the Authorization header', async () => {
    const res = await fetch(keyUrl, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:5173', 'Access-Control-Request-Headers': 'authorization' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });

  it('puts the ClearKey license endpoint behind the same token', async () => {
    // A KID issued for ClearKey AES-128 (a grant): its key is published and may be licensed.
    const issued = await fetch(`${server.url}/copyProtection`, {
      method: 'POST',
      headers: { 'X-Speke-Version': '2.0', Authorization: `Bearer ${TOKEN}` },
      body: v2Request({ contentId: 'paid-2' }),
    });
    expect(issued.status).toBe(200);
    const clearKeyUrl = `${server.url}/keys/paid-2/${KID_A}`;
    const body = JSON.stringify({ kids: [base64url(KID_A.replace(/-/g, ''))], type: 'temporary' });
    const url = `${server.url}/clearkey/license?contentId=paid-2`;
    const refused = await fetch(url, { method: 'POST', body });
    expect(refused.status).toBe(401);
    // JSON like every license error, and like the Lambda handler's 401.
    expect(refused.headers.get('content-type')).toBe('application/json');
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect(await refused.json()).toEqual({ error: 'Unauthorized' });
    const ok = await fetch(url, { method: 'POST', body, headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    const license = (await ok.json()) as { keys: { kid: string; k: string }[] };
    expect(Buffer.from(license.keys[0]!.k, 'base64url')).toEqual(
      Buffer.from(await (await fetch(clearKeyUrl, { headers: { Authorization: `Bearer ${TOKEN}` } })).arrayBuffer()),
    );
  });

  it('refuses a token too short to be one', () => {
    expect(() => loadLocalConfig({ SPEKE_KEY_ACCESS_TOKEN: 'short' })).toThrow(ConfigError);
  });
});

describe('request IDs', () => {
  it('each response carries X-Request-Id, and its log line carries the same ID', async () => {
    const server = await startLocalServer();
    try {
      const res = await fetch(`${server.url}/copyProtection`, { method: 'POST', body: v1Aes128() });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const line = server.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'request answered');
      expect(line?.requestId).toBe(id);
      const other = await fetch(`${server.url}/copyProtection`, { method: 'POST', body: v1Aes128() });
      expect(other.headers.get('x-request-id')).not.toBe(id);
    } finally {
      await server.stop();
      await removeDir(server.dataDir);
    }
  });
});

// Bound to all interfaces without a token, POST /copyProtection handed every key, Widevine's and
// PlayReady's too, to anyone on the network (found by review): such a configuration is refused.
describe('HOST beyond loopback needs SPEKE_KEY_ACCESS_TOKEN', () => {
  const TOKEN = 'lan-token-0123456789abcdef';

  it.each(['0.0.0.0', '::', '192.168.1.20', 'keys.example.com'])('refuses HOST=%s without a token, naming both variables', (host) => {
    expect(() => loadLocalConfig({ HOST: host })).toThrow(ConfigError);
    expect(() => loadLocalConfig({ HOST: host })).toThrow(`HOST=${host} serves beyond this machine: set SPEKE_KEY_ACCESS_TOKEN`);
    expect(loadLocalConfig({ HOST: host, SPEKE_KEY_ACCESS_TOKEN: TOKEN }).keyAccessToken).toBe(TOKEN);
  });

  it.each(['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost', 'LOCALHOST'])('keeps HOST=%s open for development', (host) => {
    expect(loadLocalConfig({ HOST: host }).keyAccessToken).toBeUndefined();
  });
});
