import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { eventBody } from './event-body.js';
import { copyProtection, type CopyProtectionDependencies } from '../service/copy-protection.js';
import { logRequest } from '../service/request-log.js';
import { recordRequestMetrics } from '../service/request-metrics.js';
import type { RequestFacts } from '../speke/answer.js';
import { errorResponse } from '../errors.js';

export interface HandlerDependencies {
  app: CopyProtectionDependencies;
  logger: Logger;
  tracer: Tracer;
  metrics: Metrics;
}

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

/** Maps any error that escapes the handler (or a middleware) to a plain-text status; last in the chain. */
function spekeErrorHandler(logger: Logger): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const mapped = errorResponse(request.error);
      logRequest(logger, { facts: {}, status: mapped.status, durationMs: 0, reason: mapped.reason, error: request.error });
      request.response = { statusCode: mapped.status, headers: TEXT, body: mapped.body };
    },
  };
}

/**
 * The SPEKE Lambda handler behind API Gateway (REST, proxy integration). Middy wires Powertools
 * Tracer (responses never captured: they carry keys), Logger (events never logged) and Metrics
 * (flushed after each invocation), normalises header names, and maps typed errors to statuses.
 */
export function createSpekeHandler(deps: HandlerDependencies) {
  const { app, logger, tracer, metrics } = deps;
  const finish = (entry: { facts: RequestFacts; status: number; durationMs: number; reason?: string; error?: unknown }) => {
    logRequest(logger, entry);
    recordRequestMetrics(metrics, entry);
    tracer.putAnnotation('spekeVersion', entry.facts.spekeVersion ?? 'unknown');
    tracer.putAnnotation('status', entry.status);
    if (entry.facts.keyCount !== undefined) tracer.putAnnotation('keyCount', entry.facts.keyCount);
    if (entry.reason) tracer.putAnnotation('reason', entry.reason);
  };
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(httpHeaderNormalizer())
    .use(spekeErrorHandler(logger))
    .handler(async (event) => {
      const started = performance.now();
      const facts: RequestFacts = {};
      try {
        const answer = await copyProtection({ body: eventBody(event), spekeVersionHeader: event.headers?.['x-speke-version'] }, app, facts);
        finish({ facts, status: answer.status, durationMs: performance.now() - started });
        return { statusCode: answer.status, headers: answer.headers, body: answer.body };
      } catch (error) {
        const mapped = errorResponse(error);
        finish({ facts, status: mapped.status, durationMs: performance.now() - started, reason: mapped.reason, error });
        return { statusCode: mapped.status, headers: TEXT, body: mapped.body };
      }
    });
}
