import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorAnswer, type EdgeAnswer, type EdgeOutcome, type ErrorStyle } from '../service/edge.js';
import { logRequest } from '../service/request-log.js';

export interface LambdaEdgeOptions {
  logger: Logger;
  tracer: Tracer;
  /** Flushed (one EMF record) after every invocation; the cold-start metric once. */
  metrics?: Metrics;
  /** The route named in the log line of an error that escapes the handler. */
  route?: string;
  /** How such an error is answered (the handler's own errors are answered by answerAtEdge). */
  errors: ErrorStyle;
  /** Headers on that answer too (the license function's CORS headers). */
  headers?: Record<string, string>;
  /** Told the outcome of such an error after its log line, as answerAtEdge tells the handler's (metrics, trace annotations). */
  observe?: (outcome: EdgeOutcome) => void;
}

type LambdaRequest = Request<APIGatewayProxyEvent, APIGatewayProxyResult>;
type Segment = NonNullable<ReturnType<Tracer['getSegment']>>;
/** What lambdaEdge keeps of one invocation: when it began and, tracing on, its segment and the handler's subsegment. */
interface Invocation {
  began: number;
  segments?: { segment: Segment; subsegment: ReturnType<Segment['addNewSubsegment']> };
}

/**
 * The one Middy middleware of both Lambda handlers: per invocation, what Powertools' Logger, Tracer
 * and Metrics middlewares and @middy/http-header-normalizer did for these handlers, called
 * directly, and nothing that need not run per call (the handlers never log events nor trace
 * responses; whether tracing is on and the subsegment's name are read once, at cold start):
 * - before: header names lower-cased (API Gateway passes them as the client sent them); the
 *   invocation's context given to Logger (request ID, cold start, function); tracing on, the
 *   `## <handler>` subsegment opened with the ColdStart and Service annotations; the cold-start
 *   metric on the first invocation;
 * - after: the invocation's one EMF record flushed, then the subsegment closed (and sent);
 * - onError (an error that escaped the handler, e.g. Middy's early timeout): the same, after the
 *   error is answered in the handler's style, logged and observed (counted, annotated) as the
 *   invocation's one outcome.
 * The handler itself answers through answerAtEdge (src/service/edge.ts), which times, maps its
 * errors and logs it; given Middy's abort signal, it drops an outcome that arrives after the early
 * timeout (the handler kept running), which would otherwise land in the next invocation.
 */
export function lambdaEdge(options: LambdaEdgeOptions): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const { logger, tracer, metrics } = options;
  const tracing = tracer.isTracingEnabled();
  const subsegmentName = `## ${process.env._HANDLER}`;
  let coldStart = true;
  /**
   * Each invocation's own state, by its Middy request (so that invocations never share it): when
   * it began (the duration of an error that escapes the handler) and, tracing on, its segments.
   */
  const invocations = new WeakMap<LambdaRequest, Invocation>();
  const finish = (request: LambdaRequest) => {
    metrics?.publishStoredMetrics();
    const segments = invocations.get(request)?.segments;
    invocations.delete(request);
    if (segments === undefined) return;
    try {
      segments.subsegment.close();
      // In Lambda the X-Ray SDK sends a subsegment when it closes with no child open, else never
      // (closing its last child later sends only that child). An invocation given up by Middy's
      // early timeout closes it with its AWS calls still in flight, being aborted: send it now,
      // in this invocation's trace; each of those calls is sent by itself when it closes.
      if ((segments.subsegment as unknown as { counter: number }).counter > 0) segments.subsegment.flush();
    } catch (error) {
      console.warn('Failed to close or serialize segment %s. We are catching the error but data might be lost.', segments.subsegment.name, error);
    }
    tracer.setSegment(segments.segment);
  };
  return {
    before: (request) => {
      const invocation: Invocation = { began: performance.now() };
      invocations.set(request, invocation);
      normaliseHeaderNames(request.event);
      logger.addContext(request.context);
      if (coldStart) {
        coldStart = false;
        metrics?.captureColdStartMetric(request.context.functionName);
      }
      if (!tracing) return;
      const segment = tracer.getSegment();
      if (segment === undefined) return;
      const subsegment = segment.addNewSubsegment(subsegmentName);
      invocation.segments = { segment, subsegment };
      tracer.setSegment(subsegment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    },
    after: finish,
    onError: (request) => {
      const answer = errorAnswer(request.error, options.errors);
      const started = invocations.get(request)?.began;
      const outcome: EdgeOutcome = {
        facts: {},
        status: answer.status,
        durationMs: started === undefined ? 0 : performance.now() - started,
        reason: answer.reason,
        error: request.error,
      };
      logRequest(logger, { ...outcome, route: options.route, requestId: apiRequestId(request.event) });
      options.observe?.(outcome);
      if (tracing) tracer.addErrorAsMetadata(request.error as Error);
      request.response = lambdaResult({ ...answer, headers: { ...options.headers, ...answer.headers } });
      finish(request);
    },
  };
}

/**
 * API Gateway's ID of the request (`requestContext.requestId`), which its access log lines carry
 * as `requestId`: the function's request line carries it too, so the two can be joined (the
 * Lambda request ID is Powertools' `function_request_id`). Undefined for an event without one.
 */
export function apiRequestId(event: APIGatewayProxyEvent | null | undefined): string | undefined {
  const id = (event?.requestContext as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** An edge answer as API Gateway's proxy integration takes it. */
export function lambdaResult(answer: EdgeAnswer & { body: string }): APIGatewayProxyResult {
  return { statusCode: answer.status, headers: answer.headers, body: answer.body };
}

/** Header names lower-cased in place, as @middy/http-header-normalizer did (values untouched). */
function normaliseHeaderNames(event: APIGatewayProxyEvent): void {
  // Typed as always there; hand-written invoke events may leave headers out (or null).
  const headers = event.headers as APIGatewayProxyEvent['headers'] | null | undefined;
  if (headers === null || headers === undefined) return;
  let mixed = false;
  for (const name in headers) {
    if (name !== name.toLowerCase()) {
      mixed = true;
      break;
    }
  }
  if (!mixed) return;
  const lower: APIGatewayProxyEvent['headers'] = {};
  for (const name in headers) lower[name.toLowerCase()] = headers[name];
  event.headers = lower;
}
