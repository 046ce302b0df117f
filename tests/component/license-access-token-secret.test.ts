import { GetSecretValueCommand, SecretsManagerClient, type GetSecretValueCommandInput } from '@aws-sdk/client-secrets-manager';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { mockClient } from 'aws-sdk-client-mock';
import { createClearKeyLicenseDependencies, createLicenseAccessToken } from '../../src/composition.js';
import { ConfigError, loadLambdaConfig } from '../../src/config.js';
import { createClearKeyLicenseHandler } from '../../src/handlers/clearkey-license-handler.js';
import { apiGatewayEvent, lambdaContext } from '../support/lambda.js';
import { capturingLogger } from '../support/local-server.js';
import { KID_A, SYSTEM } from '../support/requests.js';

/**
 * The license function as template.yaml deploys it with ClearKeyLicenseAccessToken=generated: the
 * bearer token is the SecretString of the secret SPEKE_KEY_ACCESS_TOKEN_SECRET_ID names, read
 * through the same Secrets Manager client and cache age as the master secret, never from a
 * (NoEcho) stack parameter.
 */
const MASTER = Buffer.alloc(48, 0x42).toString('base64');
const TOKEN_SECRET = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:ClearKeyLicenseAccessTokenSecret-AbCdEf';
const TOKEN = 'Gq7vXk2mR9sT4wY1zB6nC3dF8hJ0lP5aE2uI7oK9';
const ENV = {
  SPEKE_KEY_BUCKET: 'speke-keys',
  SPEKE_KEY_URL_PREFIX: 'https://d111111abcdef8.cloudfront.net',
  SPEKE_MASTER_SECRET_ID: 'speke-master',
  SPEKE_CLEARKEY_LICENSE: 'true',
  SPEKE_KEY_ACCESS_TOKEN_SECRET_ID: TOKEN_SECRET,
  SPEKE_GRANT_BUCKET: 'speke-grants',
};
/** The grant the SPEKE function recorded for (movie-1, KID_A). */
const GRANT = JSON.stringify({ contentId: 'movie-1', kid: KID_A, kidAsSent: KID_A, systemIds: [SYSTEM.commonPssh], issuedAt: '2026-12-01T00:00:00.000Z' });
const BODY = JSON.stringify({ kids: [Buffer.from(KID_A.replace(/-/g, ''), 'hex').toString('base64url')], type: 'temporary' });

const secrets = mockClient(SecretsManagerClient);
const s3 = mockClient(S3Client);
let tokenValue: string | (() => never);
beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand, { Bucket: 'speke-grants', Key: `movie-1/${KID_A}` }).resolves({ Body: { transformToString: async () => GRANT } } as never);
  secrets.reset();
  tokenValue = TOKEN;
  secrets.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) => {
    if (input.SecretId === 'speke-master') return { SecretString: MASTER };
    if (input.SecretId === TOKEN_SECRET) return { SecretString: typeof tokenValue === 'string' ? tokenValue : tokenValue() };
    throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
  });
});
afterAll(() => {
  secrets.restore();
  s3.restore();
});

function setup(env: Record<string, string> = ENV) {
  const logs: string[] = [];
  const config = loadLambdaConfig(env);
  const clients = { s3: new S3Client({ region: 'us-east-1' }), secretsManager: new SecretsManagerClient({ region: 'us-east-1' }) };
  const handler = createClearKeyLicenseHandler({
    app: createClearKeyLicenseDependencies(config, clients),
    enabled: config.clearKeyLicense,
    accessToken: createLicenseAccessToken(config, clients),
    logger: capturingLogger(logs),
    tracer: new Tracer({ enabled: false }),
  });
  return { handler, logs };
}

function event(headers: Record<string, string> = {}) {
  return {
    ...apiGatewayEvent(BODY, { headers: { 'Content-Type': 'application/json', ...headers } }),
    resource: '/clearkey/license',
    path: '/clearkey/license',
    httpMethod: 'POST',
    queryStringParameters: { contentId: 'movie-1' },
  };
}
const tokenReads = () => secrets.commandCalls(GetSecretValueCommand).filter((c) => c.args[0].input.SecretId === TOKEN_SECRET).length;

describe('ClearKey license token from Secrets Manager (SPEKE_KEY_ACCESS_TOKEN_SECRET_ID)', () => {
  it('answers 401 without the token and with a wrong one, and the keys with the secret value', async () => {
    const { handler, logs } = setup();
    expect((await handler(event(), lambdaContext)).statusCode).toBe(401);
    expect((await handler(event({ Authorization: 'Bearer wrong-token-0123456789' }), lambdaContext)).statusCode).toBe(401);
    const served = await handler(event({ Authorization: `Bearer ${TOKEN}` }), lambdaContext);
    expect(served.statusCode).toBe(200);
    expect((JSON.parse(served.body) as { keys: unknown[] }).keys).toHaveLength(1);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('reads the secret once and keeps it for SPEKE_MASTER_SECRET_MAX_AGE_SECONDS', async () => {
    const { handler } = setup();
    for (let i = 0; i < 3; i++) await handler(event({ Authorization: `Bearer ${TOKEN}` }), lambdaContext);
    expect(tokenReads()).toBe(1);
  });

  it('picks up a new value when the cache age is 0 (the old token is then refused)', async () => {
    const { handler } = setup({ ...ENV, SPEKE_MASTER_SECRET_MAX_AGE_SECONDS: '0' });
    expect((await handler(event({ Authorization: `Bearer ${TOKEN}` }), lambdaContext)).statusCode).toBe(200);
    tokenValue = 'rotated-token-0123456789abcdef';
    expect((await handler(event({ Authorization: `Bearer ${TOKEN}` }), lambdaContext)).statusCode).toBe(401);
    expect((await handler(event({ Authorization: 'Bearer rotated-token-0123456789abcdef' }), lambdaContext)).statusCode).toBe(200);
  });

  it('lets nothing through when the secret is not a usable token or cannot be read (5xx, no keys)', async () => {
    for (const bad of ['short', '', 'has spaces in the middle of it']) {
      tokenValue = bad;
      const { handler } = setup();
      const res = await handler(event({ Authorization: `Bearer ${bad}` }), lambdaContext);
      expect(res.statusCode).toBeGreaterThanOrEqual(500);
      expect(res.body).not.toContain('"keys"');
    }
    tokenValue = () => {
      throw Object.assign(new Error('down'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    };
    const { handler } = setup();
    const res = await handler(event({ Authorization: `Bearer ${TOKEN}` }), lambdaContext);
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain('"keys"');
  });

  it('refuses a configuration with both a token and a token secret', () => {
    expect(() => loadLambdaConfig({ ...ENV, SPEKE_KEY_ACCESS_TOKEN: TOKEN })).toThrow(ConfigError);
    expect(loadLambdaConfig({ ...ENV, SPEKE_KEY_ACCESS_TOKEN_SECRET_ID: '' }).keyAccessTokenSecretId).toBeUndefined();
  });
});
