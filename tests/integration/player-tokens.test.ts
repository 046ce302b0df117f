import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient, type GetSecretValueCommandInput } from '@aws-sdk/client-secrets-manager';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClearKeyLicenseDependencies, createPlayerTokenKey, PLAYER_TOKEN_KEY_FILE } from '../../src/composition.js';
import { loadLambdaConfig, loadLocalConfig } from '../../src/config.js';
import { createClearKeyLicenseHandler } from '../../src/handlers/clearkey-license-handler.js';
import { issuePlayerToken } from '../../src/keys/player-token.js';
import { apiGatewayEvent, lambdaContext, LAMBDA_TEST_ENV } from '../support/lambda.js';
import { capturingLogger, useLocalServer } from '../support/local-server.js';
import { KID_A, SYSTEM, v2Request } from '../support/requests.js';

/**
 * Player authorization with signed, expiring tokens bound to a content ID: the local server with
 * SPEKE_PLAYER_TOKENS=true (license and key delivery), tokens from `npm run player-token`, and the
 * license Lambda with SPEKE_PLAYER_TOKEN_SECRET_ID.
 */
const licenseBody = JSON.stringify({ kids: [Buffer.from(KID_A.replace(/-/g, ''), 'hex').toString('base64url')], type: 'temporary' });

describe('SPEKE_PLAYER_TOKENS=true on the local server', () => {
  const server = useLocalServer({ SPEKE_PLAYER_TOKENS: 'true' });
  let token: string;

  beforeAll(async () => {
    const issued = await fetch(`${server.url}/copyProtection`, {
      method: 'POST',
      headers: { 'X-Speke-Version': '2.0' },
      body: v2Request({ contentId: 'title-1' }),
    });
    expect(issued.status).toBe(200);
    // The documented command, as the operator's backend runs it, against this server's data folder.
    const { NODE_OPTIONS: _vm, ...env } = process.env;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/player-token.ts', 'title-1', '--ttl', '120', '--data-dir', server.dataDir],
      { env },
    );
    token = stdout.trim();
  }, 60_000);

  // With a mistyped --data-dir the command made a new key there and printed a token no server
  // accepts (found by review): it now fails and creates nothing.
  it('npm run player-token fails, creating nothing, where there is no player-token key', async () => {
    const empty = join(server.dataDir, 'not-a-data-folder');
    const { NODE_OPTIONS: _vm, ...env } = process.env;
    const failure = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/player-token.ts', 'title-1', '--data-dir', empty], { env }).then(
      () => undefined,
      (error: unknown) => error as { code?: number; stderr?: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/^No player-token key at .*not-a-data-folder\/player-token-key: start the server with SPEKE_PLAYER_TOKENS=true first/);
    await expect(stat(empty)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);

  it('keeps its key in the data folder, mode 0600', async () => {
    expect((await stat(join(server.dataDir, PLAYER_TOKEN_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(loadLocalConfig({}).playerTokens).toBe(false);
  });

  it('answers the license and the key only with a token for that content ID', async () => {
    const license = (headers: Record<string, string>, contentId = 'title-1') =>
      fetch(`${server.url}/clearkey/license?contentId=${contentId}`, { method: 'POST', body: licenseBody, headers });
    const none = await license({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await none.json()) as { error: string }).error).toMatch(/player token is required/);
    expect((await license({ Authorization: `Bearer ${token}x` })).status).toBe(401);
    const ok = await license({ Authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    const { keys } = (await ok.json()) as { keys: { k: string }[] };

    const key = (headers: Record<string, string>) => fetch(`${server.url}/keys/title-1/${KID_A}`, { headers });
    expect((await key({})).status).toBe(401);
    const served = await key({ Authorization: `Bearer ${token}` });
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).toString('base64url')).toBe(keys[0]!.k);

    // The same token for another title: 403 on both routes.
    const other = await fetch(`${server.url}/copyProtection`, {
      method: 'POST',
      headers: { 'X-Speke-Version': '2.0' },
      body: v2Request({ contentId: 'title-2' }),
    });
    expect(other.status).toBe(200);
    expect((await license({ Authorization: `Bearer ${token}` }, 'title-2')).status).toBe(403);
    expect((await fetch(`${server.url}/keys/title-2/${KID_A}`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(403);
  });

  // As the license Lambda does: the content ID is checked before the token (a license request
  // without one was a 403 "not for this content ID" locally and a 400 deployed; found by review).
  it('answers a license request without a content ID 400 before it looks at the token', async () => {
    const res = await fetch(`${server.url}/clearkey/license`, { method: 'POST', body: licenseBody, headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^Missing content ID/);
    expect((await fetch(`${server.url}/clearkey/license`, { method: 'POST', body: licenseBody })).status).toBe(400);
  });
});

describe('SPEKE_PLAYER_TOKEN_SECRET_ID on the license Lambda', () => {
  const TOKEN_KEY = 'Pl4yerT0kenKeyFromSecretsManager0123456789abcdefABCDEFghijklmnop'; // 64 alphanumerics, as the stack generates
  const MASTER = Buffer.alloc(48, 0x42).toString('base64');
  const ENV = { ...LAMBDA_TEST_ENV, SPEKE_CLEARKEY_LICENSE: 'true', SPEKE_GRANT_BUCKET: 'grants', SPEKE_PLAYER_TOKEN_SECRET_ID: 'player-token-secret' };
  const secrets = mockClient(SecretsManagerClient);
  const s3 = mockClient(S3Client);
  beforeEach(() => {
    secrets.reset();
    s3.reset();
    secrets
      .on(GetSecretValueCommand)
      .callsFake((input: GetSecretValueCommandInput) => ({ SecretString: input.SecretId === 'player-token-secret' ? TOKEN_KEY : MASTER }));
    const grant = JSON.stringify({ contentId: 'movie-1', kid: KID_A, kidAsSent: KID_A, systemIds: [SYSTEM.commonPssh], issuedAt: '2026-12-01T00:00:00Z' });
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => grant } } as never);
  });
  afterAll(() => {
    secrets.restore();
    s3.restore();
  });

  function handler() {
    const config = loadLambdaConfig(ENV);
    const clients = { s3: new S3Client({ region: 'us-east-1' }), secretsManager: new SecretsManagerClient({ region: 'us-east-1' }) };
    return createClearKeyLicenseHandler({
      app: createClearKeyLicenseDependencies(config, clients),
      enabled: true,
      accessToken: undefined,
      playerTokenKey: createPlayerTokenKey(config, clients),
      logger: capturingLogger([]),
      tracer: new Tracer({ enabled: false }),
    });
  }
  const event = (headers: Record<string, string>, contentId = 'movie-1') => ({
    ...apiGatewayEvent(licenseBody, { headers: { 'content-type': 'application/json', ...headers } }),
    resource: '/clearkey/license',
    path: '/clearkey/license',
    queryStringParameters: { contentId },
  });

  it('answers 401 without a valid token, 403 for another content ID, the keys with one for this content ID', async () => {
    const key = Buffer.from(TOKEN_KEY, 'base64');
    const h = handler();
    const none = await h(event({}), lambdaContext);
    expect(none.statusCode).toBe(401);
    expect(none.headers).toMatchObject({ 'WWW-Authenticate': 'Bearer' });
    expect((await h(event({ authorization: `Bearer ${await issuePlayerToken(Buffer.alloc(48, 1), 'movie-1')}` }), lambdaContext)).statusCode).toBe(401);
    expect((await h(event({ authorization: `Bearer ${await issuePlayerToken(key, 'movie-2')}` }), lambdaContext)).statusCode).toBe(403);
    const ok = await h(event({ authorization: `Bearer ${await issuePlayerToken(key, 'movie-1')}` }), lambdaContext);
    expect(ok.statusCode).toBe(200);
    expect((JSON.parse(ok.body) as { keys: unknown[] }).keys).toHaveLength(1);
  });
});
