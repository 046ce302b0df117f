import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { mockClient } from 'aws-sdk-client-mock';
import { createClearKeyLicenseDependencies, fixedAccessToken } from '../../src/composition.js';
import { ConfigError, loadLambdaConfig } from '../../src/config.js';
import { createClearKeyLicenseHandler } from '../../src/handlers/clearkey-license-handler.js';
import { derive } from '../../src/keys/derive.js';
import { hasBearerToken } from '../../src/service/bearer-token.js';
import { apiGatewayEvent, lambdaContext } from '../support/lambda.js';
import { capturingLogger } from '../support/local-server.js';
import { KID_A, SYSTEM } from '../support/requests.js';

/**
 * The ClearKey license Lambda handler under SPEKE_KEY_ACCESS_TOKEN (template.yaml's
 * ClearKeyLicenseAccessToken): open without a token; with one, a POST needs `Authorization: Bearer
 * <token>` and is otherwise refused before any secret is read; preflights stay open.
 */
const SECRET = Buffer.alloc(48, 0x42);
const TOKEN = 'viewer-token-0123456789abcdef';
const ENV = {
  SPEKE_KEY_BUCKET: 'speke-keys',
  SPEKE_KEY_URL_PREFIX: 'https://d111111abcdef8.cloudfront.net',
  SPEKE_MASTER_SECRET_ID: 'speke-master',
  SPEKE_CLEARKEY_LICENSE: 'true',
  SPEKE_GRANT_BUCKET: 'speke-grants',
};
/** The grant the SPEKE function recorded for (movie-1, KID_A): issued for the W3C common PSSH. */
const GRANT = JSON.stringify({ contentId: 'movie-1', kid: KID_A, kidAsSent: KID_A, systemIds: [SYSTEM.commonPssh], issuedAt: '2026-12-01T00:00:00.000Z' });
const b64url = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
const BODY = JSON.stringify({ kids: [b64url(KID_A)], type: 'temporary' });

const secrets = mockClient(SecretsManagerClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET.toString('base64') });
  s3.reset();
  s3.on(GetObjectCommand, { Bucket: 'speke-grants', Key: `movie-1/${KID_A}` }).resolves({ Body: { transformToString: async () => GRANT } } as never);
});
afterAll(() => {
  secrets.restore();
  s3.restore();
});

function setup(env: Record<string, string>) {
  const logs: string[] = [];
  const config = loadLambdaConfig(env);
  const app = createClearKeyLicenseDependencies(config, {
    s3: new S3Client({ region: 'us-east-1' }),
    secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
  });
  const handler = createClearKeyLicenseHandler({
    app,
    enabled: config.clearKeyLicense,
    accessToken: fixedAccessToken(config.keyAccessToken),
    logger: capturingLogger(logs),
    tracer: new Tracer({ enabled: false }),
  });
  return { handler, logs };
}

function event(options: { method?: string; headers?: Record<string, string> } = {}) {
  return {
    ...apiGatewayEvent(BODY, { headers: { 'Content-Type': 'application/json', ...options.headers } }),
    resource: '/clearkey/license',
    path: '/clearkey/license',
    httpMethod: options.method ?? 'POST',
    queryStringParameters: { contentId: 'movie-1' },
  };
}

const expectedKeySet = () => ({
  keys: [{ kty: 'oct', kid: b64url(KID_A), k: derive(SECRET, 'content-key', 'movie-1', KID_A).toString('base64url') }],
  type: 'temporary',
});

describe('hasBearerToken', () => {
  it('accepts exactly `Bearer <token>`', () => {
    expect(hasBearerToken(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    for (const header of [
      undefined,
      '',
      TOKEN,
      `Basic ${TOKEN}`,
      `bearer ${TOKEN}`,
      `Bearer  ${TOKEN}`,
      `Bearer ${TOKEN} `,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      'Bearer wrong-token-0123456789',
    ]) {
      expect(hasBearerToken(header, TOKEN)).toBe(false);
    }
  });
});

describe('SPEKE_KEY_ACCESS_TOKEN in the Lambda configuration', () => {
  it('is unset (open) when absent or empty, as template.yaml sets it by default', () => {
    expect(loadLambdaConfig(ENV).keyAccessToken).toBeUndefined();
    expect(loadLambdaConfig({ ...ENV, SPEKE_KEY_ACCESS_TOKEN: '' }).keyAccessToken).toBeUndefined();
    expect(loadLambdaConfig({ ...ENV, SPEKE_KEY_ACCESS_TOKEN: TOKEN }).keyAccessToken).toBe(TOKEN);
  });

  it('refuses a token too short, too long or with spaces, like the local configuration', () => {
    for (const bad of ['short', 'x'.repeat(513), 'has a space in it, 16+ chars']) {
      expect(() => loadLambdaConfig({ ...ENV, SPEKE_KEY_ACCESS_TOKEN: bad })).toThrow(ConfigError);
    }
    expect(() => loadLambdaConfig({ ...ENV, SPEKE_KEY_ACCESS_TOKEN: 'x'.repeat(512) })).not.toThrow();
  });
});

describe('ClearKey license Lambda handler: bearer token', () => {
  it('is open when no token is configured', async () => {
    const { handler } = setup(ENV);
    const res = await handler(event(), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual(expectedKeySet());
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { Authorization: 'Bearer wrong-token-0123456789' }],
    ['the token without the Bearer scheme', { Authorization: TOKEN }],
    ['another scheme', { Authorization: `Basic ${TOKEN}` }],
  ])('answers 401 JSON with WWW-Authenticate and CORS, and reads no secret, for %s', async (_name, headers: Record<string, string>) => {
    const { handler, logs } = setup({ ...ENV, SPEKE_KEY_ACCESS_TOKEN: TOKEN });
    const res = await handler(event({ headers }), lambdaContext);
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ error: 'Unauthorized' });
    expect(res.headers).toMatchObject({
      'Content-Type': 'application/json',
      'WWW-Authenticate': 'Bearer',
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': expect.stringContaining('Authorization'),
    });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(logs.map((line): unknown => JSON.parse(line))).toEqual([
      expect.objectContaining({ route: 'clearkey/license', status: 401, reason: 'unauthorized' }),
    ]);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('answers the keys with the token (header name in any case, as API Gateway passes it)', async () => {
    const { handler } = setup({ ...ENV, SPEKE_KEY_ACCESS_TOKEN: TOKEN });
    for (const name of ['Authorization', 'authorization']) {
      const res = await handler(event({ headers: { [name]: `Bearer ${TOKEN}` } }), lambdaContext);
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toEqual(expectedKeySet());
    }
  });

  it('answers the CORS preflight without the token', async () => {
    const { handler } = setup({ ...ENV, SPEKE_KEY_ACCESS_TOKEN: TOKEN });
    const res = await handler(
      event({ method: 'OPTIONS', headers: { Origin: 'https://player.example', 'Access-Control-Request-Headers': 'authorization,content-type' } }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(204);
    expect(res.headers).toMatchObject({
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': expect.stringContaining('Authorization'),
    });
  });

  it('stays a 404 when the endpoint is switched off, token or not', async () => {
    const { handler } = setup({ ...ENV, SPEKE_CLEARKEY_LICENSE: 'false', SPEKE_KEY_ACCESS_TOKEN: TOKEN });
    expect((await handler(event({ headers: { Authorization: `Bearer ${TOKEN}` } }), lambdaContext)).statusCode).toBe(404);
    expect((await handler(event(), lambdaContext)).statusCode).toBe(404);
  });
});
