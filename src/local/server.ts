import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalDependencies } from '../composition.js';
import { checkLicenseContentId } from '../clearkey/license.js';
import { isUuid } from '../uuid.js';
import { verifyPlayerToken } from '../keys/player-token.js';
import type { KeyStore } from '../ports.js';
import { hasBearerToken } from '../service/bearer-token.js';
import { CLEARKEY_MAX_BODY_BYTES, clearKeyLicense } from '../service/clearkey-license.js';
import { copyProtection } from '../service/copy-protection.js';
import { answerAtEdge, errorAnswer, TEXT_HEADERS, type EdgeAnswer } from '../service/edge.js';
import type { RequestLogger } from '../service/request-log.js';
import { PayloadTooLargeError, UnauthorizedError } from '../errors.js';
import { BodyBudget, BodyBudgetExceededError } from './body-budget.js';
import { requestOriginPolicy } from '../service/request-origin.js';
import { allowedMethods, RouteTable, type LocalRequest, type LocalRoute } from './routes.js';
import { required } from '../required.js';

export interface LocalServerDependencies {
  app: LocalDependencies;
  keyStore: KeyStore;
  logger: RequestLogger;
  /** Routes served besides the key server's own (`npm run demo` adds the demo's, demo/demo-routes.ts). */
  routes?: readonly LocalRoute[];
}

/** Bodies past the limit are read and dropped up to this many bytes, so the 413 reaches the client. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/** A percent-encoded path segment decoded, or undefined when it is not valid percent-encoding. */
function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Sends an answer (Node leaves the body out for HEAD, keeping its Content-Length). */
function send(res: ServerResponse, answer: EdgeAnswer): void {
  const { body } = answer;
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength) });
  res.end(body);
}

const text = (status: number, body: string, reason?: string, headers?: Record<string, string>): EdgeAnswer => ({
  status,
  headers: headers ? { ...TEXT_HEADERS, ...headers } : TEXT_HEADERS,
  body,
  ...(reason ? { reason } : {}),
});

const NOT_FOUND = text(404, 'Not found');

/**
 * Reads a body up to `limit` bytes, holding its bytes against the server-wide budget (released
 * when the response is over); past `limit`, drains (bounded, nothing kept) and reports too large.
 * A body the budget cannot hold is refused at once (503) and its connection closed after the answer.
 */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number, budget: BodyBudget): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let reserved = 0;
    let tooLarge = false;
    res.once('close', () => budget.release(reserved));
    const refuse = () => {
      res.setHeader('Connection', 'close');
      req.pause();
      req.removeAllListeners('data');
      reject(new BodyBudgetExceededError());
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isInteger(declared) && declared > 0 && declared <= limit) {
      if (!budget.tryReserve(declared)) return refuse();
      reserved = declared;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        budget.release(reserved);
        reserved = 0;
        if (size > DRAIN_LIMIT) req.destroy();
        return;
      }
      if (size > reserved) {
        if (!budget.tryReserve(size - reserved)) return refuse();
        reserved = size;
      }
      chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(new PayloadTooLargeError(`Body is larger than ${limit} bytes`)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/**
 * The key server's routes: the same POST /copyProtection as the deployed API, GET /keys/{contentId}/{kid}
 * for AES-128 players (the job CloudFront does in AWS), GET /health, and POST /clearkey/license
 * (unless SPEKE_CLEARKEY_LICENSE=false).
 */
function keyServerRoutes(app: LocalDependencies, keyStore: KeyStore, budget: BodyBudget): LocalRoute[] {
  const routes: LocalRoute[] = [
    {
      name: 'copyProtection',
      path: '/copyProtection',
      methods: ['POST'],
      // The same token as key delivery: the answer carries the keys in clear.
      auth: 'access-token',
      errors: 'text',
      handle: async ({ req, res }, facts) => {
        const body = await readBody(req, res, app.core.limits.maxBodyBytes, budget);
        const version = req.headers['x-speke-version'];
        return copyProtection({ body, spekeVersionHeader: Array.isArray(version) ? version.join(',') : version }, app, facts);
      },
    },
    { name: 'health', path: '/health', methods: ['GET', 'HEAD'], auth: 'open', errors: 'text', handle: () => text(200, 'OK') },
    {
      name: 'keys',
      path: /^\/keys\/([^/]+)\/([^/]+)$/,
      methods: ['GET', 'HEAD'],
      // Players fetch AES-128 keys, maybe with a bearer token.
      cors: { allowHeaders: 'Authorization' },
      auth: 'player',
      errors: 'text',
      playerContentId: ({ params }) => safeDecode(required(params[0], 'the content ID segment')),
      handle: async ({ params }, facts) => {
        const contentId = safeDecode(required(params[0], 'the content ID segment'));
        const kid = required(params[1], 'the KID segment');
        if (contentId === undefined) return NOT_FOUND;
        facts.contentId = contentId;
        const key = isUuid(kid) ? await keyStore.get(contentId, kid) : undefined;
        if (!key) return NOT_FOUND;
        return { status: 200, headers: { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store' }, body: key };
      },
    },
  ];
  if (app.clearKeyLicense) {
    /**
     * POST /clearkey/license?contentId=<id>: a W3C ClearKey license (JSON), as the deployed route
     * takes it (the last `contentId` when repeated, as API Gateway's queryStringParameters keeps;
     * the content ID is checked before a player token, as the Lambda handler does).
     */
    const licenseContentId = (query: URLSearchParams) => query.getAll('contentId').at(-1);
    routes.push({
      name: 'clearkey/license',
      path: /^\/clearkey\/license$/,
      methods: ['POST'],
      cors: { allowHeaders: 'Content-Type, Authorization' },
      auth: 'player',
      errors: 'json',
      playerContentId: ({ query }) => checkLicenseContentId(licenseContentId(query), app.license.core.limits.maxContentIdLength),
      handle: async ({ req, res, query }, facts) => {
        const contentId = licenseContentId(query);
        const body = await readBody(req, res, CLEARKEY_MAX_BODY_BYTES, budget);
        return clearKeyLicense({ body, contentId }, app.license, facts);
      },
    });
  }
  return routes;
}

/**
 * The local server: the key server's routes (keyServerRoutes) and any others it is given, through
 * one table (src/local/routes.ts) and one wrapper (src/service/edge.ts) that times, logs and maps
 * the errors of every request. Before any route: the Host and Origin checks (request-origin.ts).
 */
export function createLocalServer(deps: LocalServerDependencies): Server {
  const { app, keyStore, logger } = deps;
  const { limits } = app.http;
  const budget = new BodyBudget(limits.bodyBudgetBytes);
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // How often the timeouts above are checked (Node's default, 30 s, would stretch them).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    keepAliveTimeout: 5000,
  });
  server.maxConnections = limits.maxConnections;
  /** `http://<bind address>:<port>` once listening: the origin of pages (the demo's) opened at that address. */
  const ownOrigin = () => {
    const address = server.address() as AddressInfo | null;
    if (!address) return '';
    return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  };
  const origins = requestOriginPolicy(app.http, app.http.bindHost, ownOrigin, app.http.keyUrlPrefix);
  const table = new RouteTable([...keyServerRoutes(app, keyStore, budget), ...(deps.routes ?? [])]);

  /** The route's caller check (LocalRoute.auth); throws the 401 or 403. */
  async function authorize(route: LocalRoute, request: LocalRequest): Promise<void> {
    if (route.auth === 'open') return;
    const authorization = request.req.headers.authorization;
    if (route.auth === 'player' && app.playerTokenKey !== undefined) {
      await verifyPlayerToken(authorization, await app.playerTokenKey.masterSecret(), route.playerContentId?.(request) ?? '');
    } else if (app.keyAccessToken !== undefined && !hasBearerToken(authorization, app.keyAccessToken)) {
      throw new UnauthorizedError();
    }
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const target = req.url ?? '/';
    // The SPEKE route, as encryptors call it, needs no URL parsing; everything else is parsed, and a
    // target that is no URL (`//[`, `http://a:99999/`: node:http passes them on) is a 400.
    const url = target === '/copyProtection' ? undefined : parseTarget(target);
    const path = url === undefined || url === INVALID_TARGET ? target : url.pathname;
    const requestId = randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const origin = req.headers.origin;
    const matched = table.match(path);
    const route = matched?.route;
    // DNS rebinding: a name that is not this server's, re-pointed at it, is not served.
    // Cross-site requests (and CORS from origins not allowed) are refused before they do anything.
    const refusal =
      url === INVALID_TARGET
        ? text(400, 'Bad request: the request target is not a valid URL', 'invalid-request-target', { Connection: 'close' })
        : !origins.hostAllowed(req.headers.host)
          ? text(421, 'Misdirected request: this server does not answer for that Host (SPEKE_ALLOWED_HOSTS)', 'host-not-allowed', { Connection: 'close' })
          : !origins.originAllowed(origin)
            ? text(403, 'Origin not allowed (SPEKE_CORS_ORIGINS)', 'origin-not-allowed', { Vary: 'Origin', Connection: 'close' })
            : undefined;
    const allow = route ? allowedMethods(route) : '';
    const cors = refusal === undefined && route?.cors ? origins.corsHeaders(origin, allow, route.cors.allowHeaders) : undefined;
    // The route is async, so answerAtEdge answers with a promise (wrapped only for its type).
    Promise.resolve(
      answerAtEdge(
        { logger, route: route?.name ?? (refusal ? path : undefined), requestId, errors: refusal || !route ? 'text' : route.errors, headers: cors },
        async (facts) => {
          if (refusal) return refusal;
          if (!matched || !route) return NOT_FOUND;
          if (req.method === 'OPTIONS' && route.cors) return { status: 204, headers: { 'Access-Control-Max-Age': '86400' }, body: '' };
          if (!route.methods.includes(req.method ?? '')) return text(405, 'Method not allowed', 'method-not-allowed', { Allow: allow });
          const request: LocalRequest = {
            req,
            res,
            path,
            params: matched.params,
            query: url === INVALID_TARGET ? EMPTY_QUERY : (url?.searchParams ?? EMPTY_QUERY),
          };
          await authorize(route, request);
          return route.handle(request, facts);
        },
      ),
    )
      .then((answer) => send(res, answer))
      .catch((error: unknown) => {
        if (!res.headersSent) send(res, errorAnswer(error, 'text'));
        else res.destroy();
      });
  };

  server.on('request', handle);
  return server;
}

/** What parseTarget answers for a request target that is not a URL. */
const INVALID_TARGET = Symbol('invalid request target');

/** The request target as a URL (relative to this server), or INVALID_TARGET. */
function parseTarget(target: string): URL | typeof INVALID_TARGET {
  try {
    return new URL(target, 'http://localhost');
  } catch {
    return INVALID_TARGET;
  }
}

const EMPTY_QUERY = new URLSearchParams();
