import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3Client } from '@aws-sdk/client-s3';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { mockClient } from 'aws-sdk-client-mock';
import { createLambdaDependencies, fixedAccessToken } from '../../src/composition.js';
import { loadLambdaConfig, loadLocalConfig } from '../../src/config.js';
import { createClearKeyLicenseHandler } from '../../src/handlers/clearkey-license-handler.js';
import { derive } from '../../src/keys/derive.js';
import { apiGatewayEvent, lambdaContext } from '../support/lambda.js';
import { capturingLogger, removeDir, type RunningServer, startLocalServer, useLocalServer } from '../support/local-server.js';
import { KID_A, KID_B, SYSTEM, v2Request } from '../support/requests.js';
import { all, PSKC, parse } from '../support/xml.js';

const b64url = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
const licenseBody = (...kids: string[]) => JSON.stringify({ kids: kids.map(b64url), type: 'temporary' });

interface KeySet {
  keys: { kty: string; k: string; kid: string }[];
  type: string;
}

function license(server: RunningServer, path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });
}

describe('POST /clearkey/license on the local server', () => {
  const server = useLocalServer();

  it('answers the keys of the SPEKE v2 answer for the same content ID (common PSSH request for video and audio keys)', async () => {
    const speke = await fetch(`${server.url}/copyProtection`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml', 'X-Speke-Version': '2.0' },
      body: v2Request({
        contentId: 'film/42 en',
        scheme: 'cenc',
        keys: [
          { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
          { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
        ],
        systems: [{ systemId: SYSTEM.commonPssh, children: '<cpix:PSSH/>' }],
      }),
    });
    expect(speke.status).toBe(200);
    const plain = all(parse(await speke.text()), PSKC, 'PlainValue').map((e) => Buffer.from(e.text, 'base64').toString('base64url'));

    const res = await license(server, `/clearkey/license?contentId=${encodeURIComponent('film/42 en')}`, licenseBody(KID_A, KID_B), { Origin: 'https://player.example' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const set = (await res.json()) as KeySet;
    expect(set).toEqual({
      keys: [
        { kty: 'oct', kid: b64url(KID_A), k: plain[0] },
        { kty: 'oct', kid: b64url(KID_B), k: plain[1] },
      ],
      type: 'temporary',
    });
  });

  it('takes the content ID from the path too, percent-encoded', async () => {
    const byQuery = (await (await license(server, '/clearkey/license?contentId=live%2Fch%201', licenseBody(KID_A))).json()) as KeySet;
    const byPath = (await (await license(server, '/clearkey/license/live%2Fch%201', licenseBody(KID_A))).json()) as KeySet;
    expect(byPath).toEqual(byQuery);
    const other = (await (await license(server, '/clearkey/license?contentId=other', licenseBody(KID_A))).json()) as KeySet;
    expect(other.keys[0]!.k).not.toBe(byQuery.keys[0]!.k);
  });

  it('answers the CORS preflight a browser sends before the license request', async () => {
    const res = await fetch(`${server.url}/clearkey/license?contentId=x`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://player.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
  });

  it.each([
    ['no content ID', '/clearkey/license', licenseBody(KID_A), 400, /^Missing content ID/],
    ['malformed JSON', '/clearkey/license?contentId=x', '{"kids": [', 400, /^Body is not JSON$/],
    ['a KID that is not 16 bytes', '/clearkey/license?contentId=x', JSON.stringify({ kids: ['AAAA'] }), 400, /^kids\[0\]/],
    ['bad percent-encoding in the path', '/clearkey/license/%E0%A4%A', licenseBody(KID_A), 400, /percent-encoding/],
    ['a body over 64 KiB', '/clearkey/license?contentId=x', ' '.repeat(65 * 1024), 413, /^Body is larger than/],
  ])('answers %s with a 4xx JSON error and CORS headers', async (_name, path, body, status, message) => {
    const res = await license(server, path, body);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it('answers 405 to other methods and keeps serving', async () => {
    expect((await fetch(`${server.url}/clearkey/license?contentId=x`)).status).toBe(405);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('logs the request without the key', async () => {
    const before = server.logs.length;
    const set = (await (await license(server, '/clearkey/license?contentId=log-me', licenseBody(KID_A))).json()) as KeySet;
    const lines = server.logs.slice(before);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'request answered', route: 'clearkey/license', contentId: 'log-me', keyCount: 1, status: 200 });
    expect(lines[0]).not.toContain(set.keys[0]!.k);
  });
});

describe('SPEKE_CLEARKEY_LICENSE', () => {
  it('is on by default locally and off by default in Lambda; false or true are the only values', () => {
    expect(loadLocalConfig({}).clearKeyLicense).toBe(true);
    expect(loadLocalConfig({ SPEKE_CLEARKEY_LICENSE: 'false' }).clearKeyLicense).toBe(false);
    const lambdaEnv = { SPEKE_KEY_BUCKET: 'b', SPEKE_KEY_URL_PREFIX: 'https://keys.example', SPEKE_MASTER_SECRET_ID: 'id' };
    expect(loadLambdaConfig(lambdaEnv).clearKeyLicense).toBe(false);
    expect(loadLambdaConfig({ ...lambdaEnv, SPEKE_CLEARKEY_LICENSE: 'true' }).clearKeyLicense).toBe(true);
    expect(() => loadLocalConfig({ SPEKE_CLEARKEY_LICENSE: 'yes' })).toThrow(/SPEKE_CLEARKEY_LICENSE must be true or false/);
  });

  it('switched off, the local server answers 404 and gives no key', async () => {
    const server = await startLocalServer({ SPEKE_CLEARKEY_LICENSE: 'false' });
    try {
      const res = await license(server, '/clearkey/license?contentId=x', licenseBody(KID_A));
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('"k"');
    } finally {
      await server.stop();
      await removeDir(server.dataDir);
    }
  });
});

describe('ClearKey license Lambda handler with a mocked Secrets Manager', () => {
  const SECRET = Buffer.alloc(48, 0x42);
  const ENV = {
    SPEKE_KEY_BUCKET: 'speke-keys',
    SPEKE_KEY_URL_PREFIX: 'https://d111111abcdef8.cloudfront.net',
    SPEKE_MASTER_SECRET_ID: 'speke-master',
    SPEKE_CLEARKEY_LICENSE: 'true',
  };
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => {
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET.toString('base64') });
  });
  afterAll(() => secrets.restore());

  function handler(env: Record<string, string> = ENV) {
    const config = loadLambdaConfig(env);
    const app = createLambdaDependencies(config, { s3: new S3Client({ region: 'us-east-1' }), secretsManager: new SecretsManagerClient({ region: 'us-east-1' }) });
    return createClearKeyLicenseHandler({ app, enabled: config.clearKeyLicense, accessToken: fixedAccessToken(config.keyAccessToken), logger: capturingLogger([]), tracer: new Tracer({ enabled: false }) });
  }

  function event(body: string, options: { method?: string; contentId?: string; base64?: boolean } = {}) {
    return {
      ...apiGatewayEvent(body, { base64: options.base64 ?? false, headers: { 'content-type': 'application/json' } }),
      resource: '/clearkey/license',
      path: '/clearkey/license',
      httpMethod: options.method ?? 'POST',
      queryStringParameters: options.contentId === undefined ? null : { contentId: options.contentId },
    };
  }

  it('answers the derived keys for ?contentId= (base64-encoded body too) with CORS headers', async () => {
    const res = await handler()(event(licenseBody(KID_A), { contentId: 'movie-1', base64: true }), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
    expect(JSON.parse(res.body)).toEqual({
      keys: [{ kty: 'oct', kid: b64url(KID_A), k: derive(SECRET, 'content-key', 'movie-1', KID_A).toString('base64url') }],
      type: 'temporary',
    });
  });

  it('answers the preflight, and JSON 4xx errors before any secret is fetched', async () => {
    const preflight = await handler()(event('', { method: 'OPTIONS' }), lambdaContext);
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({ 'Access-Control-Allow-Methods': 'POST, OPTIONS' });
    const missing = await handler()(event(licenseBody(KID_A)), lambdaContext);
    expect(missing.statusCode).toBe(400);
    expect(JSON.parse(missing.body)).toEqual({ error: expect.stringMatching(/^Missing content ID/) });
    const bad = await handler()(event('nope', { contentId: 'x' }), lambdaContext);
    expect(bad.statusCode).toBe(400);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('is a 404 unless SPEKE_CLEARKEY_LICENSE=true', async () => {
    const res = await handler({ ...ENV, SPEKE_CLEARKEY_LICENSE: 'false' })(event(licenseBody(KID_A), { contentId: 'movie-1' }), lambdaContext);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ error: 'Not found' });
  });

  it('answers 503 JSON when the secret cannot be fetched', async () => {
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const res = await handler()(event(licenseBody(KID_A), { contentId: 'movie-1' }), lambdaContext);
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    expect(JSON.parse(res.body)).toEqual({ error: expect.any(String) });
  });
});
