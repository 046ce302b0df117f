/**
 * The pieces of a warm SPEKE invocation, bundled with the Lambda bundle's settings and run in the
 * same emulated Lambda environment (bench/lambda-components.ts), each callable alone: what the
 * edge and Powertools add per call, component by component, next to the whole handler and the core.
 * The Powertools objects are the deployed ones (src/observability.ts), the handler the deployed one
 * (src/handlers/speke.ts).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createAwsClients, createLambdaDependencies } from '../src/composition.js';
import { loadLambdaConfig } from '../src/config.js';
import { eventBody } from '../src/handlers/event-body.js';
import { logger, metrics, tracer } from '../src/observability.js';
import { copyProtection } from '../src/service/copy-protection.js';
import { answerAtEdge, type EdgeOutcome } from '../src/service/edge.js';
import { logRequest, type RequestLogger } from '../src/service/request-log.js';
import { recordRequestMetrics } from '../src/service/request-metrics.js';
import type { RequestFacts } from '../src/speke/answer.js';
import type { Context } from 'aws-lambda';

export { handler } from '../src/handlers/speke.js';
export { answerCore } from './lambda-core-entry.js';

const app = createLambdaDependencies(loadLambdaConfig(), createAwsClients(tracer));
const silent: RequestLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The service step alone: copyProtection with the deployed adapters (secret cache, published-key memo) around the core. */
export async function service(event: APIGatewayProxyEvent, facts: RequestFacts = {}): Promise<void> {
  await copyProtection({ body: eventBody(event), spekeVersionHeader: event.headers['x-speke-version'] }, app, facts);
}

const LINE = `${JSON.stringify({ level: 'INFO', message: 'request answered', timestamp: new Date().toISOString(), service: 'speke-key-server', padding: 'x'.repeat(300) })}\n`;

/**
 * The least a Middy-wrapped function can cost: Middy as the handler uses it (one middleware, the
 * early timeout on) around a handler that answers at once, no Powertools call. Under the X-Ray
 * SDK's async hook, as every piece here: importing the Tracer installs it in the process.
 */
const bareMiddy = middy<APIGatewayProxyEvent, { statusCode: number; body: string }>()
  .use({ before: () => undefined, after: () => undefined })
  .handler(() => ({ statusCode: 200, body: '' }));

export const components = {
  /** The floor under any wrapper: bare Middy (above), then one line written to stdout (the log line and EMF record need at least that). */
  floor: async (event: APIGatewayProxyEvent, context: Context) => {
    await bareMiddy(event, context);
    process.stdout.write(LINE);
  },
  /** One JSON line of the request line's size written to stdout as it is (the floor under each line written). */
  stdoutWrite: () => process.stdout.write(LINE),
  /** API Gateway event → body bytes and the version header (header names as lambdaEdge leaves them: lower-case). */
  decodeEvent: (event: APIGatewayProxyEvent) => eventBody(event).length + (event.headers['x-speke-version']?.length ?? 0),
  /** answerAtEdge itself (timing, facts, outcome), with a logger that writes nothing. */
  edge: () => answerAtEdge({ logger: silent, errors: 'text' }, () => ({ status: 200, headers: {}, body: '' })),
  /** Logger.addContext: the invocation's request ID, cold start and function for the log lines. */
  loggerContext: (context: Context) => logger.addContext(context),
  /** The request's one log line through Powertools Logger (to stdout). */
  logLine: (outcome: EdgeOutcome) => logRequest(logger, outcome),
  /** The request's metrics into the one EMF record, and that record flushed (to stdout). */
  metrics: (outcome: EdgeOutcome) => {
    recordRequestMetrics(metrics, outcome);
    metrics.publishStoredMetrics();
  },
  /** Tracing on: the handler subsegment opened, annotated (ColdStart, Service and the four of the SPEKE handler), closed and sent over UDP. */
  trace: (outcome: EdgeOutcome) => {
    const segment = tracer.getSegment();
    const subsegment = segment?.addNewSubsegment('## speke.handler');
    if (!segment || !subsegment) return;
    tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    tracer.putAnnotation('spekeVersion', outcome.facts.spekeVersion ?? 'unknown');
    tracer.putAnnotation('status', outcome.status);
    if (outcome.facts.keyCount !== undefined) tracer.putAnnotation('keyCount', outcome.facts.keyCount);
    subsegment.close();
    tracer.setSegment(segment);
  },
};
