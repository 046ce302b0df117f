import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { apiGatewayEvent, lambdaContext, spekeHandlerUnderTest } from '../support/lambda.js';
import { KID_A, v1Aes128, v2Request } from '../support/requests.js';

/**
 * The Lambda handlers' one Middy middleware (src/handlers/lambda-edge.ts): header names as clients
 * send them, and an error that escapes the handler (Middy's early timeout) answered and logged
 * like any other fault.
 */
const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);

beforeEach(() => {
  s3.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: Buffer.alloc(48, 7).toString('base64') });
  s3.on(PutObjectCommand).resolves({});
});

describe('the Lambda edge middleware', () => {
  it.each(['X-Speke-Version', 'x-speke-version', 'X-SPEKE-VERSION'])('reads the version header spelled %s', async (name) => {
    const { handler } = spekeHandlerUnderTest();
    const event = apiGatewayEvent(v2Request({ contentId: 'c-1' }), { headers: { [name]: '2.0' } });
    const res = await handler(event, lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('version="2.3"');
  });

  it('answers 500 in plain text, and logs the failure when Middy times the invocation out early', async () => {
    const { handler, logs } = spekeHandlerUnderTest();
    s3.on(PutObjectCommand).callsFake(() => new Promise((resolve) => setTimeout(() => resolve({}), 200)));
    const res = await handler(apiGatewayEvent(v1Aes128({ contentId: 'slow', kid: KID_A })), { ...lambdaContext, getRemainingTimeInMillis: () => 50 });
    expect([res.statusCode, res.headers, res.body]).toEqual([500, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Internal server error']);
    const failed = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'request failed');
    expect(failed).toMatchObject({ status: 500, reason: 'internal-error', errorName: 'TimeoutError' });
    // The handler's own answer arrives later and is dropped; let it finish before the next test.
    await new Promise((r) => setTimeout(r, 250));
  });

  it('counts a timed-out invocation as a server error in its own record, and its late answer is neither logged nor counted in the next', async () => {
    const { handler, logs, emf } = spekeHandlerUnderTest();
    s3.on(PutObjectCommand).callsFake(() => new Promise((resolve) => setTimeout(() => resolve({}), 200)));
    const timedOut = await handler(apiGatewayEvent(v1Aes128({ contentId: 'slow', kid: KID_A })), { ...lambdaContext, getRemainingTimeInMillis: () => 50 });
    expect(timedOut.statusCode).toBe(500);
    // The late answer arrives while the environment is idle (in Lambda: frozen, then thawed by the next invocation).
    await new Promise((r) => setTimeout(r, 250));
    s3.on(PutObjectCommand).resolves({});
    const next = await handler(apiGatewayEvent(v1Aes128({ contentId: 'next', kid: KID_A })), lambdaContext);
    expect(next.statusCode).toBe(200);

    const records = emf.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => !('ColdStart' in r));
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ Requests: 1, ServerErrors: 1, Outcome: 'server-error', Reason: 'internal-error' });
    expect(records[0]).not.toHaveProperty('KeysIssued');
    expect(records[1]).toMatchObject({ Requests: 1, KeysIssued: 1, Outcome: 'success', SpekeVersion: 'v1' });
    expect(records[1]).not.toHaveProperty('ServerErrors');
    const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => typeof l.status === 'number');
    expect(lines.map((l) => [l.message, l.status])).toEqual([
      ['request failed', 500],
      ['request answered', 200],
    ]);
    expect(lines[1]).toMatchObject({ contentId: 'next' });
  });
});
