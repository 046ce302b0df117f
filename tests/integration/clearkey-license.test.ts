import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetObjectCommand, PutObjectCommand, S3Client, type GetObjectCommandInput, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { mockClient } from 'aws-sdk-client-mock';
import { createClearKeyLicenseDependencies, fixedAccessToken } from '../../src/composition.js';
import { loadLambdaConfig, loadLocalConfig } from '../../src/config.js';
import { createClearKeyLicenseHandler } from '../../src/handlers/clearkey-license-handler.js';
import { derive } from '../../src/keys/derive.js';
import { apiGatewayEvent, lambdaContext, spekeHandlerUnderTest } from '../support/lambda.js';
import { capturingLogger, removeDir, type RunningServer, startLocalServer, useLocalServer } from '../support/local-server.js';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
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

/** A SPEKE v2 request issuing `kids` under `contentId` for the given systems (common PSSH by default). */
async function issue(server: RunningServer, contentId: string, kids: string[], systems: string[] = [SYSTEM.commonPssh], scheme = 'cenc') {
  const res = await fetch(`${server.url}/copyProtection`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/xml', 'X-Speke-Version': '2.0' },
    body: v2Request({
      contentId,
      scheme,
      keys: kids.map((kid, i) => ({ kid, trackType: i === 0 ? 'VIDEO' : 'AUDIO', filter: i === 0 ? '<cpix:VideoFilter/>' : '<cpix:AudioFilter/>' })),
      systems: systems.map((systemId) => ({ systemId, children: systemId === SYSTEM.fairplay ? '' : '<cpix:PSSH/>' })),
    }),
  });
  expect(res.status).toBe(200);
  return all(parse(await res.text()), PSKC, 'PlainValue').map((e) => Buffer.from(e.text, 'base64').toString('base64url'));
}

const KID_C = '0e4cfe3d-2e4c-4d53-9b1b-b9c0d1e2f3a4';

describe('POST /clearkey/license on the local server', () => {
  const server = useLocalServer();

  it('answers the keys of the SPEKE v2 answer for the same content ID (common PSSH request for video and audio keys)', async () => {
    const plain = await issue(server, 'film/42 en', [KID_A, KID_B]);
    const res = await license(server, `/clearkey/license?contentId=${encodeURIComponent('film/42 en')}`, licenseBody(KID_A, KID_B), { Origin: server.url });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('access-control-allow-origin')).toBe(server.url);
    const set = (await res.json()) as KeySet;
    expect(set).toEqual({
      keys: [
        { kty: 'oct', kid: b64url(KID_A), k: plain[0] },
        { kty: 'oct', kid: b64url(KID_B), k: plain[1] },
      ],
      type: 'temporary',
    });
  });

  it('answers a KID issued for ClearKey AES-128 too, the content ID percent-encoded in the query', async () => {
    const [key] = await issue(server, 'live/ch 1', [KID_A], [SYSTEM.clearKeyAes128]);
    const byQuery = (await (await license(server, '/clearkey/license?contentId=live%2Fch%201', licenseBody(KID_A))).json()) as KeySet;
    expect(byQuery.keys[0]!.k).toBe(key);
    // A repeated contentId: the last one, as API Gateway's queryStringParameters keeps it.
    const repeated = (await (await license(server, '/clearkey/license?contentId=other&contentId=live%2Fch%201', licenseBody(KID_A))).json()) as KeySet;
    expect(repeated).toEqual(byQuery);
  });

  // The deployed API routes only /clearkey/license (template.yaml): the local server answered a
  // path form /clearkey/license/<id> that the Lambda never sees (found by review).
  it('answers the path form /clearkey/license/<id> with 404, as the deployed API has no such route', async () => {
    const res = await license(server, '/clearkey/license/live%2Fch%201', licenseBody(KID_A));
    expect(res.status).toBe(404);
  });

  it.each([
    ['a KID never issued', async () => undefined, 'never-issued', KID_C],
    [
      'a KID issued under another content ID only',
      async () => {
        await issue(server, 'title-x', [KID_C]);
      },
      'title-y',
      KID_C,
    ],
    [
      'a KID issued for Widevine only',
      async () => {
        await issue(server, 'wv-only', [KID_C], [SYSTEM.widevine]);
      },
      'wv-only',
      KID_C,
    ],
    [
      'a KID issued for HLS AES-128 only',
      async () => {
        await issue(server, 'hls-only', [KID_C], [SYSTEM.hlsAes128]);
      },
      'hls-only',
      KID_C,
    ],
  ])('refuses %s: 403 JSON error, no key derived', async (_name, setUp, contentId, kid) => {
    await setUp();
    const res = await license(server, `/clearkey/license?contentId=${contentId}`, licenseBody(kid));
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: string; keys?: unknown };
    expect(body).toEqual({ error: `KID ${b64url(kid)} is not given out in a ClearKey license under this content ID` });
  });

  it.each([SYSTEM.widevine, SYSTEM.playready, SYSTEM.fairplay])(
    'refuses (403) a KID issued with common PSSH and %s in the same request: the DRM key stays protected',
    async (drm) => {
      // FairPlay keys are cbcs; the others are asked for with cenc here.
      await issue(server, `shared-${drm}`, [KID_B], [SYSTEM.commonPssh, drm], drm === SYSTEM.fairplay ? 'cbcs' : 'cenc');
      const before = server.logs.length;
      const res = await license(server, `/clearkey/license?contentId=shared-${drm}`, licenseBody(KID_B));
      expect(res.status).toBe(403);
      // The same text as for a KID never granted (no oracle for DRM use, found by review); the log says why.
      expect(((await res.json()) as { error: string }).error).toBe(`KID ${b64url(KID_B)} is not given out in a ClearKey license under this content ID`);
      expect(server.logs.slice(before).join('\n')).toContain('"reason":"key-shared-with-drm"');
    },
  );

  it('refuses the whole request when one of its KIDs may not be answered', async () => {
    await issue(server, 'mixed', [KID_A]);
    const res = await license(server, '/clearkey/license?contentId=mixed', licenseBody(KID_A, KID_C));
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('"k"');
  });

  it('records grants in the data folder: content ID, KID, systems asked for, time', async () => {
    const before = Date.now();
    await issue(server, 'recorded', [KID_A], [SYSTEM.commonPssh, SYSTEM.widevine]);
    const grant = JSON.parse(await readFile(join(server.dataDir, 'grants', 'recorded', `${KID_A}.json`), 'utf8')) as Record<string, unknown>;
    expect(grant).toMatchObject({ contentId: 'recorded', kid: KID_A, systemIds: [SYSTEM.commonPssh, SYSTEM.widevine].sort() });
    expect(Date.parse(String(grant.issuedAt))).toBeGreaterThanOrEqual(before - 1000);
  });

  it.each([
    ['no content ID', '/clearkey/license', licenseBody(KID_A), 400, /^Missing content ID/],
    ['malformed JSON', '/clearkey/license?contentId=x', '{"kids": [', 400, /^Body is not JSON$/],
    ['a KID that is not 16 bytes', '/clearkey/license?contentId=x', JSON.stringify({ kids: ['AAAA'] }), 400, /^kids\[0\]/],
    ['a body over 64 KiB', '/clearkey/license?contentId=x', ' '.repeat(65 * 1024), 413, /^Body is larger than/],
  ])('answers %s with a 4xx JSON error', async (_name, path, body, status, message) => {
    const res = await license(server, path, body);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it('answers 405 to other methods and keeps serving', async () => {
    expect((await fetch(`${server.url}/clearkey/license?contentId=x`)).status).toBe(405);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('logs the request without the key', async () => {
    await issue(server, 'log-me', [KID_A]);
    const before = server.logs.length;
    const set = (await (await license(server, '/clearkey/license?contentId=log-me', licenseBody(KID_A))).json()) as KeySet;
    const lines = server.logs.slice(before);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'request answered', route: 'clearkey/license', contentId: 'log-me', keyCount: 1, status: 200 });
    expect(lines[0]).not.toContain(set.keys[0]!.k);
  });
});

describe('SPEKE_CLEARKEY_ALLOW_SHARED_KEYS=true on the local server', () => {
  const server = useLocalServer({ SPEKE_CLEARKEY_ALLOW_SHARED_KEYS: 'true' });

  it('answers a KID issued with common PSSH and Widevine; a KID never issued stays refused', async () => {
    const [key] = await issue(server, 'shared', [KID_A], [SYSTEM.commonPssh, SYSTEM.widevine]);
    const res = await license(server, '/clearkey/license?contentId=shared', licenseBody(KID_A));
    expect(res.status).toBe(200);
    expect(((await res.json()) as KeySet).keys[0]!.k).toBe(key);
    expect((await license(server, '/clearkey/license?contentId=shared', licenseBody(KID_C))).status).toBe(403);
  });

  it('is false by default, true or false only', () => {
    expect(loadLocalConfig({}).clearKeyAllowSharedKeys).toBe(false);
    expect(loadLocalConfig({ SPEKE_CLEARKEY_ALLOW_SHARED_KEYS: 'true' }).clearKeyAllowSharedKeys).toBe(true);
    expect(() => loadLocalConfig({ SPEKE_CLEARKEY_ALLOW_SHARED_KEYS: 'yes' })).toThrow(/SPEKE_CLEARKEY_ALLOW_SHARED_KEYS must be true or false/);
  });
});

describe('ClearKey license in reference mode on the local server', () => {
  const server = useLocalServer({ SPEKE_KEY_DERIVATION: 'reference' });

  it('answers the key as the SPEKE answer derived it from the KID as sent (upper-case here)', async () => {
    const [key] = await issue(server, 'ref-1', [KID_A.toUpperCase()]);
    const res = await license(server, '/clearkey/license?contentId=ref-1', licenseBody(KID_A));
    expect(res.status).toBe(200);
    expect(((await res.json()) as KeySet).keys[0]!.k).toBe(key);
  });

  it('never creates a content secret: unknown content is refused, and a granted one whose secret is gone is a 404', async () => {
    const secrets = join(server.dataDir, 'reference-secrets');
    expect((await license(server, '/clearkey/license?contentId=ref-unknown', licenseBody(KID_A))).status).toBe(403);
    await expect(readdir(secrets)).resolves.not.toContain('ref-unknown');
    await issue(server, 'ref-2', [KID_A]);
    await rm(join(secrets, 'ref-2'));
    const res = await license(server, '/clearkey/license?contentId=ref-2', licenseBody(KID_A));
    expect(res.status).toBe(404);
    await expect(readdir(secrets)).resolves.not.toContain('ref-2');
  });
});

describe('SPEKE_CLEARKEY_LICENSE', () => {
  it('is on by default locally and off by default in Lambda; false or true are the only values', () => {
    expect(loadLocalConfig({}).clearKeyLicense).toBe(true);
    expect(loadLocalConfig({ SPEKE_CLEARKEY_LICENSE: 'false' }).clearKeyLicense).toBe(false);
    const lambdaEnv = { SPEKE_KEY_BUCKET: 'b', SPEKE_KEY_URL_PREFIX: 'https://keys.example', SPEKE_MASTER_SECRET_ID: 'id', SPEKE_GRANT_BUCKET: 'g' };
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

describe('ClearKey license Lambda handler with mocked S3 (grants) and Secrets Manager', () => {
  const SECRET = Buffer.alloc(48, 0x42);
  const ENV = {
    SPEKE_KEY_BUCKET: 'speke-keys',
    SPEKE_GRANT_BUCKET: 'speke-grants',
    SPEKE_KEY_URL_PREFIX: 'https://d111111abcdef8.cloudfront.net',
    SPEKE_MASTER_SECRET_ID: 'speke-master',
    SPEKE_CLEARKEY_LICENSE: 'true',
  };
  const secrets = mockClient(SecretsManagerClient);
  const s3 = mockClient(S3Client);
  /** Grant objects by S3 key, as the SPEKE function's PutObject left them. */
  const grantObjects = new Map<string, string>();
  beforeEach(() => {
    secrets.reset();
    s3.reset();
    grantObjects.clear();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET.toString('base64') });
    s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
      if (input.Bucket === 'speke-grants') grantObjects.set(String(input.Key), input.Body as string);
      return {};
    });
    s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
      const text = input.Bucket === 'speke-grants' ? grantObjects.get(String(input.Key)) : undefined;
      if (text === undefined) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
      return { Body: { transformToString: async () => text } };
    });
  });
  afterAll(() => {
    secrets.restore();
    s3.restore();
  });

  function handler(env: Record<string, string> = ENV) {
    const config = loadLambdaConfig(env);
    const app = createClearKeyLicenseDependencies(config, {
      s3: new S3Client({ region: 'us-east-1' }),
      secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
    });
    return createClearKeyLicenseHandler({
      app,
      enabled: config.clearKeyLicense,
      accessToken: fixedAccessToken(config.keyAccessToken),
      logger: capturingLogger([]),
      tracer: new Tracer({ enabled: false }),
    });
  }

  /** The SPEKE function (same environment) answers a v2 request: its grants land in the mocked grant bucket. */
  async function issueThroughSpekeFunction(contentId: string, systems: string[]) {
    const { handler: speke } = spekeHandlerUnderTest({ env: { SPEKE_GRANT_BUCKET: 'speke-grants' } });
    const body = v2Request({
      contentId,
      scheme: 'cenc',
      keys: [{ kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' }],
      systems: systems.map((systemId) => ({ systemId, children: '<cpix:PSSH/>' })),
    });
    const res = await speke(apiGatewayEvent(body, { headers: { 'X-Speke-Version': '2.0' } }), lambdaContext);
    expect(res.statusCode).toBe(200);
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

  it('answers the derived key of a KID the SPEKE function granted (base64-encoded body too)', async () => {
    await issueThroughSpekeFunction('movie-1', [SYSTEM.commonPssh]);
    expect(JSON.parse(grantObjects.get(`movie-1/${KID_A}`)!)).toMatchObject({ contentId: 'movie-1', kid: KID_A, systemIds: [SYSTEM.commonPssh] });
    const res = await handler()(event(licenseBody(KID_A), { contentId: 'movie-1', base64: true }), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/json' });
    expect(JSON.parse(res.body)).toEqual({
      keys: [{ kty: 'oct', kid: b64url(KID_A), k: derive(SECRET, 'content-key', 'movie-1', KID_A).toString('base64url') }],
      type: 'temporary',
    });
  });

  it('refuses (403) a KID never granted and one shared with Widevine, before any secret is read', async () => {
    const never = await handler()(event(licenseBody(KID_A), { contentId: 'movie-2' }), lambdaContext);
    expect(never.statusCode).toBe(403);
    expect(JSON.parse(never.body)).toEqual({ error: `KID ${b64url(KID_A)} is not given out in a ClearKey license under this content ID` });
    await issueThroughSpekeFunction('movie-3', [SYSTEM.commonPssh, SYSTEM.widevine]);
    secrets.resetHistory();
    const shared = await handler()(event(licenseBody(KID_A), { contentId: 'movie-3' }), lambdaContext);
    expect(shared.statusCode).toBe(403);
    expect(JSON.parse(shared.body)).toEqual(JSON.parse(never.body));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    const allowed = await handler({ ...ENV, SPEKE_CLEARKEY_ALLOW_SHARED_KEYS: 'true' })(event(licenseBody(KID_A), { contentId: 'movie-3' }), lambdaContext);
    expect(allowed.statusCode).toBe(200);
  });

  it('answers the preflight, and JSON 4xx errors before any grant or secret is fetched', async () => {
    const preflight = await handler()(event('', { method: 'OPTIONS' }), lambdaContext);
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({ 'Access-Control-Allow-Methods': 'POST, OPTIONS' });
    const missing = await handler()(event(licenseBody(KID_A)), lambdaContext);
    expect(missing.statusCode).toBe(400);
    expect(JSON.parse(missing.body)).toEqual({ error: expect.stringMatching(/^Missing content ID/) });
    const bad = await handler()(event('nope', { contentId: 'x' }), lambdaContext);
    expect(bad.statusCode).toBe(400);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('is a 404 unless SPEKE_CLEARKEY_LICENSE=true, and needs SPEKE_GRANT_BUCKET when it is', async () => {
    const res = await handler({ ...ENV, SPEKE_CLEARKEY_LICENSE: 'false' })(event(licenseBody(KID_A), { contentId: 'movie-1' }), lambdaContext);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ error: 'Not found' });
    const { SPEKE_GRANT_BUCKET: _omitted, ...withoutGrants } = ENV;
    expect(() => loadLambdaConfig(withoutGrants)).toThrow(/SPEKE_GRANT_BUCKET is required when SPEKE_CLEARKEY_LICENSE=true/);
  });

  it('answers 503 JSON when the grant store or the secret cannot be reached', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    const grantFault = await handler()(event(licenseBody(KID_A), { contentId: 'movie-1' }), lambdaContext);
    expect(grantFault.statusCode).toBe(503);
    expect(JSON.parse(grantFault.body)).toEqual({ error: 'Grant store unavailable' });
    s3.reset();
    grantObjects.set(
      `movie-1/${KID_A}`,
      JSON.stringify({ contentId: 'movie-1', kid: KID_A, kidAsSent: KID_A, systemIds: [SYSTEM.commonPssh], issuedAt: '2026-12-01T00:00:00Z' }),
    );
    s3.on(GetObjectCommand).callsFake(() => ({ Body: { transformToString: async () => grantObjects.get(`movie-1/${KID_A}`) } }));
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const res = await handler()(event(licenseBody(KID_A), { contentId: 'movie-1' }), lambdaContext);
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ error: expect.any(String) });
  });
});
