import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { jest } from '@jest/globals';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { clearKeys } from '../support/encryption.js';
import { KID_A, KID_B, SYSTEM, v1Aes128, v2Request } from '../support/requests.js';

/**
 * The SPEKE handler with tracing on, as deployed (Tracing: Active): the deployed Tracer
 * (src/observability.ts) in an emulated Lambda environment, the X-Ray SDK sending to a UDP
 * receiver on loopback in place of the X-Ray daemon. What reaches X-Ray per invocation: one
 * `## speke.handler` subsegment of the invocation's trace, annotated, and nothing of the request,
 * the answer or its keys.
 */
const SECRET = Buffer.alloc(48, 0x3c);
const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);

interface SentSubsegment {
  name: string;
  type: string;
  trace_id: string;
  parent_id: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  fault?: boolean;
  annotations?: Record<string, unknown>;
  cause?: { exceptions: { type?: string; message?: string }[] };
}

let receiver: Socket;
const datagrams: string[] = [];
let handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let tracer: Tracer;
let apiGatewayEvent: typeof import('../support/lambda.js').apiGatewayEvent;
let lambdaContext: Context;

beforeAll(async () => {
  receiver = createSocket('udp4');
  receiver.on('message', (message) => datagrams.push(message.toString('utf8')));
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
  // What the Lambda runtime sets, before the X-Ray SDK is loaded (it reads them when it loads).
  Object.assign(process.env, {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: 'speke',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: '/var/task',
    _HANDLER: 'speke.handler',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${receiver.address().port}`,
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    POWERTOOLS_TRACE_ENABLED: 'true',
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  });
  ({ tracer } = await import('../../src/observability.js'));
  const lambda = await import('../support/lambda.js');
  apiGatewayEvent = lambda.apiGatewayEvent;
  lambdaContext = lambda.lambdaContext;
  handler = lambda.spekeHandlerUnderTest({ tracer }).handler;
});

afterAll(() => receiver.close());

beforeEach(() => {
  s3.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET.toString('base64') });
  s3.on(PutObjectCommand).resolves({});
});

/** A fresh trace header, as the Lambda runtime sets one per invocation. */
function newTrace(): { root: string; parent: string } {
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const parent = randomBytes(8).toString('hex');
  process.env._X_AMZN_TRACE_ID = `Root=${root};Parent=${parent};Sampled=1`;
  return { root, parent };
}

/** Invokes the handler under a fresh trace; answers with what X-Ray received for that trace. */
async function invoke(event: APIGatewayProxyEvent, context: Context = lambdaContext) {
  const trace = newTrace();
  const before = datagrams.length;
  const res = await handler(event, context);
  // The SDK sends on a socket of its own; give the datagrams time to arrive.
  const deadline = Date.now() + 2000;
  while (datagrams.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 20));
  const sent = datagrams.slice(before);
  const subsegments = sent.map((d) => {
    const [header, body] = d.split('\n');
    expect(JSON.parse(header!)).toEqual({ format: 'json', version: 1 });
    return JSON.parse(body!) as SentSubsegment;
  });
  return { res, trace, sent, subsegments };
}

describe('tracing on, as deployed', () => {
  it('sends one closed `## speke.handler` subsegment per invocation, in the invocation’s trace, annotated with cold start, service, version, status and key count', async () => {
    const first = await invoke(apiGatewayEvent(v1Aes128({ contentId: 'trace-1', kid: KID_A })));
    expect(first.res.statusCode).toBe(200);
    expect(first.subsegments).toHaveLength(1);
    const [one] = first.subsegments;
    expect(one).toMatchObject({ name: '## speke.handler', type: 'subsegment', trace_id: first.trace.root, parent_id: first.trace.parent });
    expect(one!.in_progress).toBeUndefined();
    expect(one!.end_time).toBeGreaterThanOrEqual(one!.start_time);
    expect(one!.annotations).toEqual({ ColdStart: true, Service: 'speke-key-server', spekeVersion: 'v1', status: 200, keyCount: 1 });

    const keys = [
      { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
      { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
    ];
    const body = v2Request({ contentId: 'trace-2', keys, systems: [{ systemId: SYSTEM.widevine, children: '<cpix:PSSH/>' }] });
    const second = await invoke(apiGatewayEvent(body, { headers: { 'X-Speke-Version': '2.0' } }));
    expect(second.res.statusCode).toBe(200);
    expect(second.subsegments).toHaveLength(1);
    expect(second.subsegments[0]).toMatchObject({ name: '## speke.handler', trace_id: second.trace.root, parent_id: second.trace.parent });
    expect(second.subsegments[0]!.annotations).toEqual({ ColdStart: false, Service: 'speke-key-server', spekeVersion: 'v2', status: 200, keyCount: 2 });
    // After the invocation the Tracer is back on the invocation's own (facade) segment.
    expect(tracer.getSegment()?.name).toBe('facade');

    // Nothing of the answer reaches X-Ray: no key in any encoding, no CPIX, no body.
    const everything = [...first.sent, ...second.sent].join('\n');
    const answerKeys = [...clearKeys(first.res.body).values(), ...clearKeys(second.res.body).values()];
    expect(answerKeys).toHaveLength(3);
    for (const key of [...answerKeys, SECRET])
      for (const encoded of [key.toString('base64'), key.toString('base64url'), key.toString('hex')]) expect(everything).not.toContain(encoded);
    expect(everything).not.toContain('cpix');
    expect(everything).not.toContain('trace-1');
  });

  it('annotates a refusal with its status and reason', async () => {
    const { res, subsegments } = await invoke(apiGatewayEvent(v1Aes128(), { headers: { 'X-Speke-Version': '3.0' } }));
    expect(res.statusCode).toBe(422);
    expect(subsegments).toHaveLength(1);
    expect(subsegments[0]!.annotations).toMatchObject({ spekeVersion: 'unknown', status: 422, reason: expect.any(String) as string });
    expect(subsegments[0]!.fault).toBeUndefined();
  });

  it('marks the subsegment as a fault with the error when Middy times the invocation out early, and still closes it', async () => {
    const warnings = jest.spyOn(console, 'warn');
    s3.on(PutObjectCommand).callsFake(() => new Promise((resolve) => setTimeout(() => resolve({}), 200)));
    const { res, subsegments } = await invoke(apiGatewayEvent(v1Aes128({ contentId: 'slow-trace', kid: KID_B })), {
      ...lambdaContext,
      getRemainingTimeInMillis: () => 50,
    });
    expect(res.statusCode).toBe(500);
    expect(subsegments).toHaveLength(1);
    expect(subsegments[0]).toMatchObject({ name: '## speke.handler', fault: true });
    expect(subsegments[0]!.in_progress).toBeUndefined();
    expect(subsegments[0]!.cause?.exceptions[0]).toMatchObject({ type: 'TimeoutError' });
    expect(subsegments[0]!.annotations).toMatchObject({ spekeVersion: 'unknown', status: 500, reason: 'internal-error' });
    expect(tracer.getSegment()?.name).toBe('facade');
    // The handler's own answer arrives later and is dropped: nothing is annotated after the invocation
    // (the X-Ray SDK would warn that the Lambda's own segment cannot be annotated), nothing more is sent.
    const sent = datagrams.length;
    await new Promise((r) => setTimeout(r, 250));
    expect(datagrams).toHaveLength(sent);
    expect(warnings).not.toHaveBeenCalled();
    warnings.mockRestore();
  });
});
