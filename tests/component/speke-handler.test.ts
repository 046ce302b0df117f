import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { AWS_MAX_ATTEMPTS, createAwsClients } from '../../src/composition.js';
import { AWS_ATTEMPT_DEADLINE_MS, AWS_MAX_SOCKETS, DeadlineHttpHandler } from '../../src/adapters/aws-deadlines.js';
import { benchCases } from '../../bench/fixtures.js';
import { derive } from '../../src/keys/derive.js';
import { apiGatewayEvent, LAMBDA_TEST_ENV, lambdaContext, spekeHandlerUnderTest } from '../support/lambda.js';
import { CPIX, one, parse, PSKC } from '../support/xml.js';
import { KID_A, KID_B, v1Aes128, v21Request, v2Request } from '../support/requests.js';
import { certificateBase64 } from '../support/encryption.js';

const SECRET = Buffer.alloc(48, 0x42);
const ENV = LAMBDA_TEST_ENV;

const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);

// A fresh handler per test: Powertools Parameters caches per provider, so each test starts cold.
const setup = () => spekeHandlerUnderTest();

beforeEach(() => {
  s3.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET.toString('base64') });
  s3.on(PutObjectCommand).resolves({});
});

describe('Lambda handler (Powertools, through the edge) with mocked AWS clients', () => {
  it('answers a v1 AES-128 request and publishes the key to S3 with the exact parameters', async () => {
    const { handler } = setup();
    const res = await handler(apiGatewayEvent(v1Aes128({ contentId: 'channel-1', kid: KID_B })), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/xml', 'Speke-User-Agent': expect.any(String) });
    const key = derive(SECRET, 'content-key', 'channel-1', KID_B);
    expect(one(parse(res.body), PSKC, 'PlainValue').text).toBe(key.toString('base64'));
    expect(Buffer.from(one(parse(res.body), CPIX, 'URIExtXKey').text, 'base64').toString()).toBe(`https://d111111abcdef8.cloudfront.net/channel-1/${KID_B}`);

    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: ENV.SPEKE_MASTER_SECRET_ID });
    const puts = s3.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    const input = puts[0]!.args[0].input;
    expect(input).toMatchObject({ Bucket: 'speke-keys', Key: `channel-1/${KID_B}`, ContentType: 'application/octet-stream' });
    expect(Buffer.from(input.Body as Uint8Array)).toEqual(key);
  });

  // KeyRetentionDays reaches the function as SPEKE_KEY_RETENTION_DAYS (template Globals): with it,
  // a key asked for again whose object is two days old is written again (the lifecycle rule then
  // counts from now); without it (0, the default), never.
  it.each([
    ['30', 1],
    [undefined, 0],
  ])('SPEKE_KEY_RETENTION_DAYS=%s: a key asked for again, its object two days old, is rewritten %i time(s)', async (days, rewrites) => {
    const key = derive(SECRET, 'content-key', 'live-1', KID_B);
    s3.on(PutObjectCommand).callsFake((input: { IfNoneMatch?: string }) => {
      if (input.IfNoneMatch === '*')
        throw new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 }, message: 'exists' });
      return {};
    });
    s3.on(GetObjectCommand).resolves({
      Body: { transformToByteArray: async () => new Uint8Array(key) },
      LastModified: new Date(Date.now() - 2 * 24 * 60 * 60 * 1000),
    } as unknown as GetObjectCommandOutput);
    const { handler } = spekeHandlerUnderTest({ env: days === undefined ? {} : { SPEKE_KEY_RETENTION_DAYS: days } });
    const res = await handler(apiGatewayEvent(v1Aes128({ contentId: 'live-1', kid: KID_B })), lambdaContext);
    expect(res.statusCode).toBe(200);
    const rewritten = s3.commandCalls(PutObjectCommand).filter((c) => c.args[0].input.IfNoneMatch === undefined);
    expect(rewritten).toHaveLength(rewrites);
    for (const put of rewritten) expect(Buffer.from(put.args[0].input.Body as Uint8Array)).toEqual(key);
  });

  // 1,000 keys x Widevine, PlayReady and FairPlay is within the default limits and makes a 7 MB
  // answer: Lambda cannot return it (6 MB), so API Gateway answered 502 while the function logged a
  // 200 (found by review). The local server, which has no such limit, still answers it.
  it('refuses an answer larger than a Lambda result may be with a 413 that says so, and answers a large one that fits', async () => {
    const { handler, logs } = setup();
    const huge = benchCases().find((c) => c.id === 'e')!;
    const res = await handler(apiGatewayEvent(huge.body.toString('utf8'), { headers: { 'X-Speke-Version': huge.spekeVersionHeader! } }), lambdaContext);
    expect(res.statusCode).toBe(413);
    expect(res.body).toMatch(
      /^The answer would be \d+ bytes, more than the 6291456 bytes a Lambda function can return: ask for fewer keys or DRM systems per request$/,
    );
    expect(logs.some((l) => l.includes('"reason":"answer-too-large"'))).toBe(true);
    const large = benchCases().find((c) => c.id === 'd')!;
    const ok = await handler(apiGatewayEvent(large.body.toString('utf8'), { headers: { 'X-Speke-Version': large.spekeVersionHeader! } }), lambdaContext);
    expect(ok.statusCode).toBe(200);
    expect(Buffer.byteLength(JSON.stringify(ok))).toBeLessThan(6 * 1024 * 1024);
  }, 30_000);

  // SPEKE.md §1.4: the answer's X-Speke-Version echoes the request's value unchanged, and API
  // Gateway passes it on as sent (a review proposed answering the canonical value instead: the
  // specification says otherwise).
  it.each([' 2.0 ', '2.1\t'])('echoes X-Speke-Version %j unchanged, as the specification asks', async (sent) => {
    const { handler } = setup();
    const body = sent.includes('2.1') ? v21Request({ contentId: 'movie-1' }) : v2Request({ contentId: 'movie-1' });
    const res = await handler(apiGatewayEvent(body, { headers: { 'X-Speke-Version': sent } }), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(res.headers!['X-Speke-Version']).toBe(sent);
  });

  it('caches the master secret between invocations', async () => {
    const { handler } = setup();
    await handler(apiGatewayEvent(v1Aes128()), lambdaContext);
    await handler(apiGatewayEvent(v1Aes128({ kid: KID_A })), lambdaContext);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('decodes base64 bodies (isBase64Encoded) and reads X-Speke-Version in any spelling', async () => {
    const { handler } = setup();
    for (const name of ['X-Speke-Version', 'x-speke-version', 'X-SPEKE-VERSION']) {
      const res = await handler(apiGatewayEvent(v2Request({ contentId: 'movie-1' }), { base64: true, headers: { [name]: '2.0' } }), lambdaContext);
      expect(res.statusCode).toBe(200);
      expect(res.headers).toMatchObject({ 'X-Speke-Version': '2.0', 'X-Speke-User-Agent': expect.any(String) });
      expect(parse(res.body).attrs.contentId).toBe('movie-1');
    }
  });

  it('answers client errors with 4xx plain text, without touching S3', async () => {
    const { handler } = setup();
    const bad = await handler(apiGatewayEvent(v2Request({ contentId: '' }), { headers: { 'X-Speke-Version': '2.0' } }), lambdaContext);
    expect(bad).toMatchObject({ statusCode: 422, body: 'Missing CPIX@contentId', headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    const version = await handler(apiGatewayEvent(v1Aes128(), { headers: { 'X-Speke-Version': '3.0' } }), lambdaContext);
    expect(version).toMatchObject({ statusCode: 422, body: 'Unsupported SPEKE version' });
    const empty = await handler({ ...apiGatewayEvent(''), body: null }, lambdaContext);
    expect(empty).toMatchObject({ statusCode: 400, body: 'Body is empty' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('refuses an unusable DeliveryData certificate before any secret lookup', async () => {
    const { handler } = setup();
    const body = v1Aes128().replace(
      '<cpix:ContentKeyList>',
      `<cpix:DeliveryDataList><cpix:DeliveryData id="d1"><cpix:DeliveryKey><ds:X509Data xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Certificate>${certificateBase64('rsa-1024')}</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey></cpix:DeliveryData></cpix:DeliveryDataList><cpix:ContentKeyList>`,
    );
    const res = await handler(apiGatewayEvent(body), lambdaContext);
    expect(res).toMatchObject({ statusCode: 422, body: 'DeliveryData d1: certificate RSA key has 1024 bits, at least 2048 are required' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('answers 503 with no document when S3 is throttling, and the same keys once it recovers', async () => {
    const { handler } = setup();
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
    const failed = await handler(apiGatewayEvent(v1Aes128({ contentId: 'c', kid: KID_A })), lambdaContext);
    expect(failed.statusCode).toBe(503);
    expect(failed.body).toBe('Key store unavailable');
    expect(failed.body).not.toContain('CPIX');
    s3.on(PutObjectCommand).resolves({});
    const ok = await handler(apiGatewayEvent(v1Aes128({ contentId: 'c', kid: KID_A })), lambdaContext);
    expect(ok.statusCode).toBe(200);
    expect(one(parse(ok.body), PSKC, 'PlainValue').text).toBe(derive(SECRET, 'content-key', 'c', KID_A).toString('base64'));
  });

  it('answers 503 when an AWS call times out, so the encryptor retries', async () => {
    let { handler } = setup();
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }));
    expect(await handler(apiGatewayEvent(v1Aes128()), lambdaContext)).toMatchObject({ statusCode: 503, body: 'Key store unavailable' });
    ({ handler } = setup());
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('connect ETIMEDOUT'), { name: 'Error', code: 'ETIMEDOUT' }));
    expect(await handler(apiGatewayEvent(v1Aes128()), lambdaContext)).toMatchObject({ statusCode: 503, body: 'Secret source unavailable' });
  });

  it('builds its SDK clients with explicit retries, a deadline per attempt and a socket pool sized for publishing', async () => {
    const { s3: s3Client, secretsManager } = createAwsClients();
    expect([AWS_MAX_ATTEMPTS, AWS_ATTEMPT_DEADLINE_MS, AWS_MAX_SOCKETS]).toEqual([3, 2000, 64]);
    for (const client of [s3Client, secretsManager]) {
      expect(await client.config.maxAttempts()).toBe(3);
      const handler = client.config.requestHandler as unknown as DeadlineHttpHandler;
      expect(handler).toBeInstanceOf(DeadlineHttpHandler);
    }
    expect(s3Client.config.requestHandler).not.toBe(secretsManager.config.requestHandler);
  });

  it('answers 500 when S3 denies access (a retry will not help)', async () => {
    const { handler } = setup();
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const res = await handler(apiGatewayEvent(v1Aes128()), lambdaContext);
    expect(res).toMatchObject({ statusCode: 500, body: 'Key store unavailable' });
  });

  it('answers 503 when Secrets Manager throttles and 500 when the secret is unusable', async () => {
    let { handler } = setup();
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('rate'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    expect(await handler(apiGatewayEvent(v1Aes128()), lambdaContext)).toMatchObject({ statusCode: 503, body: 'Secret source unavailable' });
    ({ handler } = setup());
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'too-short' });
    expect(await handler(apiGatewayEvent(v1Aes128()), lambdaContext)).toMatchObject({ statusCode: 500, body: 'Secret source unavailable' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('logs one line per request with counts and outcome, and never the key', async () => {
    const { handler, logs } = setup();
    const res = await handler(apiGatewayEvent(v1Aes128({ contentId: 'channel-9', kid: KID_A })), lambdaContext);
    const key = one(parse(res.body), PSKC, 'PlainValue').text;
    const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requestLines = lines.filter((l) => l.message === 'request answered');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      spekeVersion: 'v1',
      contentId: 'channel-9',
      keyCount: 1,
      status: 200,
      function_request_id: lambdaContext.awsRequestId,
    });
    const all = logs.join('\n');
    expect(all).not.toContain(key);
    expect(all).not.toContain(Buffer.from(key, 'base64').toString('hex'));
    expect(all).not.toContain(SECRET.toString('base64'));
    expect(all).not.toContain('<cpix:');
  });

  // The request line named no route and not API Gateway's request ID, so it could not be joined
  // with the API's access log lines ($context.requestId); the local server names both (found by review).
  it("names the route and API Gateway's request ID in the request line, as the access log has it", async () => {
    const { handler, logs } = setup();
    const event = apiGatewayEvent(v1Aes128({ contentId: 'channel-9', kid: KID_A }));
    event.requestContext = { ...event.requestContext, requestId: '8d7e6f5a-1b2c-4d3e-9f00-abcdefabcdef' };
    await handler(event, lambdaContext);
    await handler(apiGatewayEvent('<not xml'), lambdaContext);
    const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'request answered' || l.message === 'request refused');
    expect(lines[0]).toMatchObject({ route: 'copyProtection', requestId: '8d7e6f5a-1b2c-4d3e-9f00-abcdefabcdef', status: 200 });
    // An event without one (sam local invoke of a hand-written event): no requestId field.
    expect(lines[1]).toMatchObject({ route: 'copyProtection', status: 400 });
    expect(lines[1]).not.toHaveProperty('requestId');
  });
});
