import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { eventBody } from './event-body.js';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiRequestId, lambdaEdge, lambdaResult } from './lambda-edge.js';
import { checkLicenseContentId } from '../clearkey/license.js';
import { ClearKeyRequestError, UnauthorizedError } from '../errors.js';
import { verifyPlayerToken } from '../keys/player-token.js';
import type { AccessTokenSource, SecretSource } from '../ports.js';
import { hasBearerToken } from '../service/bearer-token.js';
import { clearKeyLicense, LICENSE_CORS, type ClearKeyLicenseDependencies } from '../service/clearkey-license.js';
import { answerAtEdge } from '../service/edge.js';
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
const PREFLIGHT = { status: 204, headers: { 'Access-Control-Max-Age': '86400' }, body: '' };

/**
 * The ClearKey license Lambda handler behind API Gateway (REST, proxy integration):
 * POST /clearkey/license?contentId=<id> with the EME request JSON answers the JSON Web Key set;
 * OPTIONS answers the CORS preflight (API Gateway passes it through: template.yaml routes both
 * methods here, without IAM authorization, since browsers cannot sign requests). With an access
 * token configured, a POST must carry it as a bearer token. Every answer, errors included (as
 * `{"error": "…"}`), carries the license CORS headers. Middy-wrapped with the one middleware of the
 * SPEKE handler (lambdaEdge) and answered through answerAtEdge like it: Tracer never captures
 * responses (they carry keys) and Logger never logs events.
 */
export function createClearKeyLicenseHandler(deps: ClearKeyHandlerDependencies) {
  const { app, enabled, accessToken, playerTokenKey, logger, tracer } = deps;
  const edge = { logger, route: ROUTE, errors: 'json', headers: LICENSE_CORS } as const;
  const answer = async (event: APIGatewayProxyEvent, facts: RequestFacts) => {
    if (!enabled) throw new ClearKeyRequestError('Not found', 404, 'clearkey-license-disabled');
    if (event.httpMethod === 'OPTIONS') return PREFLIGHT;
    if (event.httpMethod !== 'POST') throw new ClearKeyRequestError('Method not allowed', 405, 'method-not-allowed');
    // lambdaEdge has lower-cased the header names; invoke events may carry none (null), whatever the type says.
    const authorization = (event.headers as APIGatewayProxyEvent['headers'] | null)?.authorization;
    if (playerTokenKey !== undefined) {
      const contentId = checkLicenseContentId(event.queryStringParameters?.contentId, app.core.limits.maxContentIdLength);
      await verifyPlayerToken(authorization, await playerTokenKey.masterSecret(), contentId);
    } else if (accessToken !== undefined && !hasBearerToken(authorization, await accessToken.accessToken())) {
      throw new UnauthorizedError();
    }
    return clearKeyLicense({ body: eventBody(event), contentId: event.queryStringParameters?.contentId }, app, facts);
  };
  return (
    middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(lambdaEdge({ ...edge, tracer }))
      // Middy aborts `signal` at its early timeout: an answer that comes after that is dropped unlogged.
      .handler(async (event, _context, { signal }) =>
        lambdaResult(await answerAtEdge({ ...edge, requestId: apiRequestId(event), signal }, (facts) => answer(event, facts))),
      )
  );
}
