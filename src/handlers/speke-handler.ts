import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { eventBody } from './event-body.js';
import { eventHeader, lambdaEntry } from './lambda-edge.js';
import { copyProtection, type CopyProtectionDependencies } from '../service/copy-protection.js';
import { answerAtEdge, type EdgeOutcome } from '../service/edge.js';
import { recordRequestMetrics } from '../service/request-metrics.js';

export interface HandlerDependencies {
  app: CopyProtectionDependencies;
  logger: Logger;
  tracer: Tracer;
  metrics: Metrics;
}

/**
 * The SPEKE Lambda handler behind API Gateway (REST, proxy integration). Through the edge
 * (lambda-edge.ts, src/service/edge.ts): Powertools Tracer (responses never captured: they carry
 * keys), Logger (events never logged) and Metrics (one record per invocation), typed errors mapped
 * to plain-text statuses.
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
  return lambdaEntry({ logger, tracer, metrics }, (event) =>
    answerAtEdge({ logger, errors: 'text', observe }, (facts) =>
      copyProtection({ body: eventBody(event), spekeVersionHeader: eventHeader(event, 'x-speke-version') }, app, facts),
    ),
  );
}
