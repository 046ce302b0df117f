import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { EdgeAnswer } from '../service/edge.js';

export interface LambdaObservability {
  logger: Logger;
  tracer: Tracer;
  /** Flushed (one EMF record) after every invocation; the cold-start metric once. */
  metrics?: Metrics;
}

/**
 * The Lambda side of the edge (src/service/edge.ts answers, logs and maps errors): per invocation,
 * what Powertools' Middy middlewares did for these handlers, called directly and only what has to
 * run per call (the handlers use no other middleware and never log events or trace responses):
 * - Logger: the invocation's context (request ID, cold start, function) for its lines;
 * - Tracer, when tracing is on: the `## <handler>` subsegment with the ColdStart and Service
 *   annotations, closed (and sent) after the answer, then the Lambda segment restored;
 * - Metrics: the cold-start metric on the first invocation, the invocation's one EMF record after.
 * The subsegment name and whether tracing is on are read once, at cold start.
 */
export function lambdaEntry(
  observability: LambdaObservability,
  answer: (event: APIGatewayProxyEvent, context: Context) => Promise<EdgeAnswer & { body: string }>,
): (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> {
  const { logger, tracer, metrics } = observability;
  const tracing = tracer.isTracingEnabled();
  const subsegmentName = `## ${process.env._HANDLER}`;
  let coldStart = true;
  return async (event, context) => {
    logger.addContext(context);
    if (coldStart) {
      coldStart = false;
      metrics?.captureColdStartMetric(context.functionName);
    }
    const segment = tracing ? tracer.getSegment() : undefined;
    const subsegment = segment?.addNewSubsegment(subsegmentName);
    if (subsegment) {
      tracer.setSegment(subsegment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    }
    try {
      const { status, headers, body } = await answer(event, context);
      return { statusCode: status, headers, body };
    } finally {
      metrics?.publishStoredMetrics();
      if (subsegment) {
        try {
          subsegment.close();
        } catch (error) {
          console.warn('Failed to close or serialize segment %s. We are catching the error but data might be lost.', subsegment.name, error);
        }
        tracer.setSegment(segment!);
      }
    }
  };
}

/** A request header by its lower-case name, whatever case API Gateway passed it in. */
export function eventHeader(event: APIGatewayProxyEvent, name: string): string | undefined {
  const headers = event.headers;
  if (headers === null || headers === undefined) return undefined;
  const exact = headers[name];
  if (exact !== undefined) return exact;
  for (const key in headers) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}
