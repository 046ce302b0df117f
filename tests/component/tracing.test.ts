import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { jest } from '@jest/globals';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { clearKeys } from '../support/encryption.js';
import { KID_A, KID_B, SYSTEM, v1Aes128, v2Request } from '../support/requests.js';
import { emulateTracedLambda, newTrace, sentSubsegments, settle, type XrayReceiver } from '../support/traced-lambda.js';

/**
 * The SPEKE handler with tracing on, as deployed (Tracing: Active): the deployed Tracer
 * (src/observability.ts) in an emulated Lambda environment, the X-Ray SDK sending to a UDP
 * receiver on loopback in place of the X-Ray daemon. What reaches X-Ray per invocation: one
 * `## speke.handler` subsegment of the invocation's trace, annotated, and nothing of the request,
 * the answer or its keys. (The AWS clients here are mocked, so no AWS call subsegments: see
 * tracing-timeout.test.ts for those.)
 */
const SECRET = Buffer.alloc(48, 0x3c);
const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);

let xray: XrayReceiver;
let handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let tracer: Tracer;
let apiGatewayEvent: typeof import('../support/lambda.js').apiGatewayEvent;
let lambdaContext: Context;

beforeAll(async () => {
  xray = await emulateTracedLambda();
  ({ tracer } = await import('../../src/observability.js'));
  const lambda = await import('../support/lambda.js');
  apiGatewayEvent = lambda.apiGatewayEvent;
  lambdaContext = lambda.lambdaContext;
  handler = lambda.spekeHandlerUnderTest({ tracer }).handler;
});

afterAll(() => xray.socket.close());

beforeEach(() => {
  s3.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET.toString('base64') });
  s3.on(PutObjectCommand).resolves({});
});

/** Invokes the handler under a fresh trace; answers with what X-Ray received for that trace. */
async function invoke(event: APIGatewayProxyEvent, context: Context = lambdaContext) {
  const trace = newTrace();
  const before = xray.datagrams.length;
  const res = await handler(event, context);
  await settle(xray.datagrams, before);
  const sent = xray.datagrams.slice(before);
  return { res, trace, sent, subsegments: sentSubsegments(sent) };
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
    const sent = xray.datagrams.length;
    await new Promise((r) => setTimeout(r, 250));
    expect(xray.datagrams).toHaveLength(sent);
    expect(warnings).not.toHaveBeenCalled();
    warnings.mockRestore();
  });
});
