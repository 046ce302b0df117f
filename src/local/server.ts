import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalDependencies } from '../composition.js';
import { contentIdFromPathSegment } from '../clearkey/license.js';
import { isUuid } from '../uuid.js';
import { verifyPlayerToken } from '../keys/player-token.js';
import type { KeyStore } from '../ports.js';
import { hasBearerToken } from '../service/bearer-token.js';
import { CLEARKEY_MAX_BODY_BYTES, clearKeyErrorAnswer, clearKeyLicense } from '../service/clearkey-license.js';
import { copyProtection } from '../service/copy-protection.js';
import { logRequest, type RequestLogger } from '../service/request-log.js';
import type { RequestFacts } from '../speke/answer.js';
import { errorResponse, PayloadTooLargeError } from '../errors.js';
import { BodyBudget, BodyBudgetExceededError } from './body-budget.js';
// The demo still lives in src/local/demo and is served here; issue 17 moves it out (then this import goes).
// eslint-disable-next-line layers/one-way
import { demoRoute } from './demo/demo-routes.js';
import { requestOriginPolicy } from '../service/request-origin.js';

export interface LocalServerDependencies {
  app: LocalDependencies;
  keyStore: KeyStore;
  logger: RequestLogger;
}

/** Bodies past the limit are read and dropped up to this many bytes, so the 413 reaches the client. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/** CORS of the key route (players fetch AES-128 keys, maybe with a bearer token) and the license route (JSON POST). */
const KEY_CORS = { methods: 'GET, HEAD, OPTIONS', headers: 'Authorization' };
const LICENSE_CORS = { methods: 'POST, OPTIONS', headers: 'Content-Type, Authorization' };

/** A percent-encoded path segment decoded, or undefined when it is not valid percent-encoding. */
function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer = ''): void {
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  send(res, status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, text);
}

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
 * The local server: the same POST /copyProtection as the deployed API, GET /keys/{contentId}/{kid}
 * for AES-128 players (the job CloudFront does in AWS), GET /health, POST /clearkey/license
 * (unless SPEKE_CLEARKEY_LICENSE=false), and the demo page at GET / with its /demo/… files.
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
  /** `http://<bind address>:<port>` once listening: the origin of the demo page when opened at that address. */
  const ownOrigin = () => {
    const address = server.address() as AddressInfo | null;
    if (!address) return '';
    return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  };
  const origins = requestOriginPolicy(app.http, app.http.bindHost, ownOrigin, app.http.keyUrlPrefix);

  async function copyProtectionRoute(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const started = performance.now();
    const facts: RequestFacts = {};
    try {
      const body = await readBody(req, res, app.core.limits.maxBodyBytes, budget);
      const version = req.headers['x-speke-version'];
      const answer = await copyProtection({ body, spekeVersionHeader: Array.isArray(version) ? version.join(',') : version }, app, facts);
      send(res, answer.status, answer.headers, answer.body);
      logRequest(logger, { requestId, route: 'copyProtection', facts, status: answer.status, durationMs: performance.now() - started });
    } catch (error) {
      const mapped = errorResponse(error);
      sendText(res, mapped.status, mapped.body);
      logRequest(logger, { requestId, route: 'copyProtection', facts, status: mapped.status, durationMs: performance.now() - started, reason: mapped.reason, error });
    }
  }

  async function keyRoute(res: ServerResponse, cors: Record<string, string>, segment: string, kid: string, head: boolean): Promise<void> {
    let contentId: string;
    try {
      contentId = decodeURIComponent(segment);
    } catch {
      return sendText(res, 404, 'Not found', cors);
    }
    const key = isUuid(kid) ? await keyStore.get(contentId, kid) : undefined;
    if (!key) return sendText(res, 404, 'Not found', cors);
    res.writeHead(200, { ...cors, 'Content-Type': 'application/octet-stream', 'Content-Length': String(key.length), 'Cache-Control': 'no-store' });
    res.end(head ? undefined : key);
  }

  /** POST /clearkey/license?contentId=<id> or /clearkey/license/<percent-encoded id>: a W3C ClearKey license (JSON). */
  async function clearKeyRoute(
    req: IncomingMessage,
    res: ServerResponse,
    cors: Record<string, string>,
    segment: string | undefined,
    query: string | null,
    requestId: string,
  ): Promise<void> {
    const started = performance.now();
    const facts: RequestFacts = {};
    try {
      const contentId = segment !== undefined ? contentIdFromPathSegment(segment) : (query ?? undefined);
      const body = await readBody(req, res, CLEARKEY_MAX_BODY_BYTES, budget);
      const answer = await clearKeyLicense({ body, contentId }, app.license, facts);
      send(res, answer.status, { ...cors, ...answer.headers }, answer.body);
      logRequest(logger, { requestId, route: 'clearkey/license', facts, status: answer.status, durationMs: performance.now() - started });
    } catch (error) {
      const answer = clearKeyErrorAnswer(error);
      send(res, answer.status, { ...cors, ...answer.headers }, answer.body);
      logRequest(logger, { requestId, route: 'clearkey/license', facts, status: answer.status, durationMs: performance.now() - started, reason: answer.reason, error });
    }
  }

  /**
   * The player routes (/keys, /clearkey/license) with SPEKE_PLAYER_TOKENS: a player token for this
   * content ID, else 401 (403 for another content ID). Answers and returns true when refused.
   */
  async function refusedPlayer(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>, contentId: string | undefined, json: boolean): Promise<boolean> {
    if (app.playerTokenKey === undefined) return unauthorized(req, res, cors, json);
    try {
      await verifyPlayerToken(req.headers.authorization, await app.playerTokenKey.masterSecret(), contentId ?? '');
      return false;
    } catch (error) {
      const answer = clearKeyErrorAnswer(error);
      const headers = { ...cors, ...(answer.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}) };
      if (json) send(res, answer.status, { ...headers, ...answer.headers }, answer.body);
      else sendText(res, answer.status, JSON.parse(answer.body).error as string, headers);
      return true;
    }
  }

  /**
   * 401 unless the request carries the configured bearer token (no token configured: open). The
   * license route answers it as JSON, like its other errors and the Lambda handler.
   */
  function unauthorized(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>, json = false): boolean {
    if (app.keyAccessToken === undefined || hasBearerToken(req.headers.authorization, app.keyAccessToken)) return false;
    const challenge = { ...cors, 'WWW-Authenticate': 'Bearer' };
    if (json) send(res, 401, { ...challenge, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, JSON.stringify({ error: 'Unauthorized' }));
    else sendText(res, 401, 'Unauthorized', challenge);
    return true;
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const target = req.url ?? '/';
    // The SPEKE route, as encryptors call it, needs no URL parsing; everything else is parsed as before.
    const url = target === '/copyProtection' ? undefined : new URL(target, 'http://localhost');
    const path = url === undefined ? target : url.pathname;
    const requestId = randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const origin = req.headers.origin;
    const route = async (): Promise<void> => {
      // DNS rebinding: a name that is not this server's, re-pointed at it, is not served.
      if (!origins.hostAllowed(req.headers.host)) {
        logRequest(logger, { requestId, route: path, facts: {}, status: 421, durationMs: 0, reason: 'host-not-allowed' });
        return sendText(res, 421, 'Misdirected request: this server does not answer for that Host (SPEKE_ALLOWED_HOSTS)', { Connection: 'close' });
      }
      // Cross-site requests (and CORS from origins not allowed) are refused before they do anything.
      if (!origins.originAllowed(origin)) {
        logRequest(logger, { requestId, route: path, facts: {}, status: 403, durationMs: 0, reason: 'origin-not-allowed' });
        return sendText(res, 403, 'Origin not allowed (SPEKE_CORS_ORIGINS)', { Vary: 'Origin', Connection: 'close' });
      }
      if (path === '/copyProtection') {
        if (req.method !== 'POST') return sendText(res, 405, 'Method not allowed', { Allow: 'POST' });
        // The same token as key delivery: the answer carries the keys in clear.
        if (unauthorized(req, res, {})) return;
        return copyProtectionRoute(req, res, requestId);
      }
      if (path === '/health') {
        if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
        return sendText(res, 200, 'OK');
      }
      const keyMatch = /^\/keys\/([^/]+)\/([^/]+)$/.exec(path);
      if (keyMatch) {
        const cors = origins.corsHeaders(origin, KEY_CORS.methods, KEY_CORS.headers);
        if (req.method === 'OPTIONS') return send(res, 204, { ...cors, 'Access-Control-Max-Age': '86400' });
        if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed', { ...cors, Allow: 'GET, HEAD, OPTIONS' });
        if (await refusedPlayer(req, res, cors, safeDecode(keyMatch[1]!), false)) return;
        return keyRoute(res, cors, keyMatch[1]!, keyMatch[2]!, req.method === 'HEAD');
      }
      const licenseMatch = /^\/clearkey\/license(?:\/([^/]+))?$/.exec(path);
      if (licenseMatch && app.clearKeyLicense) {
        const cors = origins.corsHeaders(origin, LICENSE_CORS.methods, LICENSE_CORS.headers);
        if (req.method === 'OPTIONS') return send(res, 204, { ...cors, 'Access-Control-Max-Age': '86400' });
        if (req.method !== 'POST') return sendText(res, 405, 'Method not allowed', { ...cors, Allow: 'POST, OPTIONS' });
        const licenseContentId = licenseMatch[1] !== undefined ? safeDecode(licenseMatch[1]) : (url?.searchParams.get('contentId') ?? undefined);
        if (await refusedPlayer(req, res, cors, licenseContentId, true)) return;
        return clearKeyRoute(req, res, cors, licenseMatch[1], url?.searchParams.get('contentId') ?? null, requestId);
      }
      if (await demoRoute(req, res, path, { app, demo: app.demo, clearKeyLicense: app.clearKeyLicense })) return;
      return sendText(res, 404, 'Not found');
    };
    route().catch((error: unknown) => {
      const mapped = errorResponse(error);
      logRequest(logger, { requestId, route: path, facts: {}, status: mapped.status, durationMs: 0, reason: mapped.reason, error });
      if (!res.headersSent) sendText(res, mapped.status, mapped.body);
      else res.destroy();
    });
  };

  server.on('request', handle);
  return server;
}
