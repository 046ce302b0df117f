import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { eventBody } from './event-body.js';
import { checkLicenseContentId } from '../clearkey/license.js';
import { ClearKeyRequestError } from '../errors.js';
import { verifyPlayerToken } from '../keys/player-token.js';
import type { AccessTokenSource, SecretSource } from '../ports.js';
import { hasBearerToken } from '../service/bearer-token.js';
import { clearKeyErrorAnswer, clearKeyLicense, LICENSE_CORS, type ClearKeyLicenseDependencies } from '../service/clearkey-license.js';
import { logRequest } from '../service/request-log.js';
import type { RequestFacts } from '../speke/answer.js';

export interface ClearKeyHandlerDependencies {
  app: ClearKeyLicenseDependencies;
  /** SPEKE_CLEARKEY_LICENSE: when false every request is a 404. */
  enabled: boolean;
  /**
   * SPEKE_KEY_ACCESS_TOKEN (or the secret SPEKE_KEY_ACCESS_TOKEN_SECRET_ID names): when set, a POST
   * without `Authorization: Bearer <token>` gets 401 (preflights stay open: browsers send them
   * without credentials). Undefined: open.
   */
  accessToken: AccessTokenSource | undefined;
  /**
   * SPEKE_PLAYER_TOKEN_SECRET_ID: when set, a POST needs a player token for its content ID
   * (src/keys/player-token.ts) instead: 401 without a valid one, 403 for another content ID.
   */
  playerTokenKey?: SecretSource | undefined;
  logger: Logger;
  tracer: Tracer;
}

const ROUTE = 'clearkey/license';

function result(answer: { status: number; headers: Record<string, string>; body: string }): APIGatewayProxyResult {
  return { statusCode: answer.status, headers: { ...LICENSE_CORS, ...answer.headers }, body: answer.body };
}

/** The 401 of a POST without the configured bearer token: JSON like every license error, plus the challenge. */
function unauthorized(): APIGatewayProxyResult {
  const answer = clearKeyErrorAnswer(new ClearKeyRequestError('Unauthorized', 401, 'unauthorized'));
  return result({ ...answer, headers: { ...answer.headers, 'WWW-Authenticate': 'Bearer' } });
}

/** Maps any error that escapes the handler (or a middleware) to a JSON error; last in the chain. */
function licenseErrorHandler(logger: Logger): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const answer = clearKeyErrorAnswer(request.error);
      logRequest(logger, { route: ROUTE, facts: {}, status: answer.status, durationMs: 0, reason: answer.reason, error: request.error });
      request.response = result(answer);
    },
  };
}

/**
 * The ClearKey license Lambda handler behind API Gateway (REST, proxy integration):
 * POST /clearkey/license?contentId=<id> with the EME request JSON answers the JSON Web Key set;
 * OPTIONS answers the CORS preflight (API Gateway passes it through: template.yaml routes both
 * methods here, without IAM authorization, since browsers cannot sign requests). With an access
 * token configured, a POST must carry it as a bearer token. Like the SPEKE handler,
 * Tracer never captures responses (they carry keys) and Logger never logs events.
 */
export function createClearKeyLicenseHandler(deps: ClearKeyHandlerDependencies) {
  const { app, enabled, accessToken, playerTokenKey, logger, tracer } = deps;
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(licenseErrorHandler(logger))
    .handler(async (event) => {
      const started = performance.now();
      const facts: RequestFacts = {};
      try {
        if (!enabled) throw new ClearKeyRequestError('Not found', 404, 'clearkey-license-disabled');
        if (event.httpMethod === 'OPTIONS') return { statusCode: 204, headers: { ...LICENSE_CORS, 'Access-Control-Max-Age': '86400' }, body: '' };
        if (event.httpMethod !== 'POST') throw new ClearKeyRequestError('Method not allowed', 405, 'method-not-allowed');
        // httpHeaderNormalizer has lower-cased the header names.
        if (playerTokenKey !== undefined) {
          const contentId = checkLicenseContentId(event.queryStringParameters?.contentId, app.core.limits.maxContentIdLength);
          await verifyPlayerToken(event.headers?.authorization, await playerTokenKey.masterSecret(), contentId);
        } else if (accessToken !== undefined && !hasBearerToken(event.headers?.authorization, await accessToken.accessToken())) {
          logRequest(logger, { route: ROUTE, facts, status: 401, durationMs: performance.now() - started, reason: 'unauthorized' });
          return unauthorized();
        }
        const contentId = event.queryStringParameters?.contentId;
        const answer = await clearKeyLicense({ body: eventBody(event), contentId }, app, facts);
        logRequest(logger, { route: ROUTE, facts, status: answer.status, durationMs: performance.now() - started });
        return result(answer);
      } catch (error) {
        const answer = clearKeyErrorAnswer(error);
        logRequest(logger, { route: ROUTE, facts, status: answer.status, durationMs: performance.now() - started, reason: answer.reason, error });
        return result(answer.status === 401 ? { ...answer, headers: { ...answer.headers, 'WWW-Authenticate': 'Bearer' } } : answer);
      }
    });
}
