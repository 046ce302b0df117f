import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { eventBody } from './event-body.js';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiRequestId, lambdaEdge, lambdaResult } from './lambda-edge.js';
import { withinLambdaResponseLimit } from './lambda-response-limit.js';
import { copyProtectionAtOnce, type CopyProtectionDependencies } from '../service/copy-protection.js';
import { answerAtEdge, type EdgeOutcome } from '../service/edge.js';
import { recordRequestMetrics } from '../service/request-metrics.js';

/** The route's name in log lines, as the local server names it. */
const ROUTE = 'copyProtection';

export interface HandlerDependencies {
  app: CopyProtectionDependencies;
  logger: Logger;
  tracer: Tracer;
  metrics: Metrics;
}

/**
 * The SPEKE Lambda handler behind API Gateway (REST, proxy integration), Middy-wrapped with one
 * middleware (lambdaEdge, lambda-edge.ts): header names normalised, Powertools Tracer (responses
 * never captured: they carry keys), Logger (events never logged) and Metrics (one record per
 * invocation). The handler answers through answerAtEdge (src/service/edge.ts), which times it, maps
 * typed errors to plain-text statuses and logs it; its outcome feeds the metrics and annotations.
 */
export function createSpekeHandler(deps: HandlerDependencies) {
  const { app, logger, tracer, metrics } = deps;
  const observe = (outcome: EdgeOutcome) => {
    recordRequestMetrics(metrics, outcome);
    tracer.putAnnotation('spekeVersion', outcome.facts.spekeVersion ?? 'unknown');
    tracer.putAnnotation('status', outcome.status);
    if (outcome.facts.keyCount !== undefined) tracer.putAnnotation('keyCount', outcome.facts.keyCount);
    if (outcome.reason) tracer.putAnnotation('reason', outcome.reason);
  };
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(lambdaEdge({ logger, tracer, metrics, errors: 'text', observe, route: ROUTE }))
    .handler((event, _context, { signal }) => {
      // lambdaEdge has lower-cased the header names.
      const version = (event.headers as APIGatewayProxyEvent['headers'] | null)?.['x-speke-version'];
      // Warm (secret cached, keys already published) this answers without a promise: Middy awaits it.
      // Middy aborts `signal` at its early timeout: no write starts after it, the key store's calls in
      // flight are aborted, and an answer that still comes is dropped unlogged.
      const answer = answerAtEdge({ logger, route: ROUTE, requestId: apiRequestId(event), errors: 'text', observe, signal }, (facts) => {
        const answered = copyProtectionAtOnce({ body: eventBody(event), spekeVersionHeader: version }, app, facts, signal);
        return answered instanceof Promise ? answered.then(withinLambdaResponseLimit) : withinLambdaResponseLimit(answered);
      });
      return answer instanceof Promise ? answer.then(lambdaResult) : lambdaResult(answer);
    });
}
