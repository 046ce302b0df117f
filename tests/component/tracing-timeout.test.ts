import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { SYSTEM } from '../support/requests.js';
import { emulateTracedLambda, newTrace, sentSubsegments, settle, type XrayReceiver } from '../support/traced-lambda.js';

/**
 * An invocation that Middy's early timeout answers while its key writes are still in flight, with
 * tracing on and a real S3 client (traced like the deployed one) against a slow S3 stand-in on
 * loopback: the writes are aborted and no more start, and the invocation's trace, with its aborted
 * S3 calls, reaches X-Ray in its own trace, none of it in the next invocation's.
 */
const secrets = mockClient(SecretsManagerClient);
const SLOW_MS = 300;

let xray: XrayReceiver;
let s3Server: Server;
/** Each PUT the stand-in received: its path, and whether the client gave it up before the answer. */
const puts: { path: string; aborted: boolean }[] = [];
let handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let apiGatewayEvent: typeof import('../support/lambda.js').apiGatewayEvent;
let lambdaContext: Context;

/** The S3 stand-in: answers 200 to every PUT, after SLOW_MS for content IDs starting `slow`. */
function slowS3(): Promise<Server> {
  const server = createServer((req: IncomingMessage, res) => {
    const put = { path: req.url ?? '', aborted: false };
    if (req.method === 'PUT') puts.push(put);
    req.resume();
    const answer = () => {
      if (res.destroyed) return;
      res.writeHead(200, { ETag: '"0"' });
      res.end();
    };
    res.on('close', () => (put.aborted = !res.writableFinished));
    if (put.path.includes('/slow')) setTimeout(answer, SLOW_MS);
    else answer();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  xray = await emulateTracedLambda();
  s3Server = await slowS3();
  const { tracer } = await import('../../src/observability.js');
  const { capturingLogger, capturingMetrics } = await import('../support/local-server.js');
  const { awsClientSettings, createLambdaDependencies } = await import('../../src/composition.js');
  const { loadLambdaConfig } = await import('../../src/config.js');
  const { createSpekeHandler } = await import('../../src/handlers/speke-handler.js');
  const lambda = await import('../support/lambda.js');
  apiGatewayEvent = lambda.apiGatewayEvent;
  lambdaContext = lambda.lambdaContext;
  const port = (s3Server.address() as { port: number }).port;
  const s3 = tracer.captureAWSv3Client(
    new S3Client({
      ...awsClientSettings(),
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );
  const app = createLambdaDependencies(loadLambdaConfig(lambda.LAMBDA_TEST_ENV), { s3, secretsManager: new SecretsManagerClient({ region: 'us-east-1' }) });
  handler = createSpekeHandler({ app, logger: capturingLogger([]), tracer, metrics: capturingMetrics([]) });
  // A first, cold invocation (clients, credentials, the secret): the timed-out ones below are warm.
  secrets.on(GetSecretValueCommand).resolves({ SecretString: Buffer.alloc(48, 9).toString('base64') });
  newTrace();
  expect((await handler(apiGatewayEvent(aes128Keys('warm', 1)), lambdaContext)).statusCode).toBe(200);
  await settle(xray.datagrams, 0);
  xray.datagrams.length = 0;
  puts.length = 0;
});

afterAll(async () => {
  xray.socket.close();
  await new Promise((r) => s3Server.close(r));
});

beforeEach(() => {
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: Buffer.alloc(48, 9).toString('base64') });
});

/** A SPEKE v1 request for `count` HLS AES-128 keys (each published: one PUT a key). */
function aes128Keys(contentId: string, count: number): string {
  const kids = Array.from({ length: count }, () => randomUUID());
  return (
    `<cpix:CPIX id="${contentId}" xmlns:cpix="urn:dashif:org:cpix" xmlns:speke="urn:aws:amazon:com:speke"><cpix:ContentKeyList>` +
    kids.map((kid) => `<cpix:ContentKey kid="${kid}"/>`).join('') +
    '</cpix:ContentKeyList><cpix:DRMSystemList>' +
    kids
      .map(
        (kid) => `<cpix:DRMSystem kid="${kid}" systemId="${SYSTEM.hlsAes128}"><cpix:URIExtXKey/><speke:KeyFormat/><speke:KeyFormatVersions/></cpix:DRMSystem>`,
      )
      .join('') +
    '</cpix:DRMSystemList></cpix:CPIX>'
  );
}

describe('an invocation timed out early while its keys are being written', () => {
  it('sends its trace, aborted S3 call included, in its own trace, and none of it in the next invocation’s', async () => {
    const timedOut = newTrace();
    const res = await handler(apiGatewayEvent(aes128Keys('slow-1', 1)), { ...lambdaContext, getRemainingTimeInMillis: () => 50 });
    expect(res.statusCode).toBe(500);
    // Between two invocations the Lambda runtime posts the answer and polls for the next event
    // (I/O on its own socket): the aborted calls settle in that time, in the invocation's trace.
    await new Promise((r) => setTimeout(r, 5));
    const next = newTrace();
    expect((await handler(apiGatewayEvent(aes128Keys('next-1', 1)), lambdaContext)).statusCode).toBe(200);
    await settle(xray.datagrams, 1);
    await new Promise((r) => setTimeout(r, SLOW_MS + 100));

    const sent = sentSubsegments(xray.datagrams);
    // Every document sent, with the subsegments nested in it.
    const flat = sent.flatMap(function all(s): typeof sent {
      return [s, ...(s.subsegments ?? []).flatMap(all)];
    });
    const handlerOf = (root: string) => flat.find((s) => s.name === '## speke.handler' && s.trace_id === root);
    const first = handlerOf(timedOut.root);
    expect(first).toMatchObject({ fault: true, annotations: { status: 500, reason: 'internal-error' } });
    expect(first!.in_progress).toBeUndefined();
    // Its S3 call was sent in its trace, under its handler subsegment, closed (aborted).
    const s3Calls = flat.filter((s) => s.name === 'S3' && s.trace_id === timedOut.root);
    expect(s3Calls.length).toBeGreaterThanOrEqual(1);
    for (const call of s3Calls) expect(call.in_progress).toBeUndefined();
    // The next invocation's trace holds its own handler subsegment and what is under it, nothing else.
    const second = handlerOf(next.root);
    expect(second).toMatchObject({ annotations: { status: 200 } });
    const inNext = sent.filter((s) => s.trace_id === next.root);
    for (const s of inNext) expect(s.id === second!.id || s.parent_id === second!.id).toBe(true);
    // The slow write was given up by the client, not answered.
    expect(puts.filter((p) => p.path.includes('/slow-1/'))).toEqual([expect.objectContaining({ aborted: true })]);
  });

  it('starts no write after the timeout: of 100 keys only the first batch is attempted', async () => {
    puts.length = 0;
    newTrace();
    const res = await handler(apiGatewayEvent(aes128Keys('slow-2', 100)), { ...lambdaContext, getRemainingTimeInMillis: () => 50 });
    expect(res.statusCode).toBe(500);
    // Without the abort the 100 writes would run on, 32 at a time, for about 4 × SLOW_MS.
    await new Promise((r) => setTimeout(r, 4 * SLOW_MS + 200));
    const attempted = puts.filter((p) => p.path.includes('/slow-2/'));
    expect(attempted.length).toBeGreaterThan(0);
    expect(attempted.length).toBeLessThanOrEqual(32);
    for (const put of attempted) expect(put.aborted).toBe(true);
  });
});
