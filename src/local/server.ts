import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LocalDependencies } from '../composition.js';
import { contentIdFromPathSegment } from '../keys/clearkey-license.js';
import { isUuid } from '../keys/kid.js';
import type { KeyStore } from '../ports.js';
import { hasBearerToken } from '../service/bearer-token.js';
import { CLEARKEY_MAX_BODY_BYTES, clearKeyErrorAnswer, clearKeyLicense, LICENSE_CORS } from '../service/clearkey-license.js';
import { copyProtection } from '../service/copy-protection.js';
import { logRequest, type RequestLogger } from '../service/request-log.js';
import type { RequestFacts } from '../speke/answer.js';
import { errorResponse, PayloadTooLargeError } from '../speke/errors.js';
import { demoRoute } from './demo/demo-routes.js';

export interface LocalServerDependencies {
  app: LocalDependencies;
  keyStore: KeyStore;
  logger: RequestLogger;
}

/** Bodies past the limit are read and dropped up to this many bytes, so the 413 reaches the client. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  // '*' does not cover Authorization (Fetch spec), so it is named for players sending a bearer token.
  'Access-Control-Allow-Headers': 'Authorization, *',
};

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer = ''): void {
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  send(res, status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, text);
}

/** Reads a body up to `limit` bytes; past it, drains (bounded) and reports too large. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        if (size > DRAIN_LIMIT) req.destroy();
      } else chunks.push(chunk);
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

  async function copyProtectionRoute(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const started = performance.now();
    const facts: RequestFacts = {};
    try {
      const body = await readBody(req, app.core.limits.maxBodyBytes);
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

  async function keyRoute(res: ServerResponse, segment: string, kid: string, head: boolean): Promise<void> {
    let contentId: string;
    try {
      contentId = decodeURIComponent(segment);
    } catch {
      return sendText(res, 404, 'Not found', CORS);
    }
    const key = isUuid(kid) ? await keyStore.get(contentId, kid) : undefined;
    if (!key) return sendText(res, 404, 'Not found', CORS);
    res.writeHead(200, { ...CORS, 'Content-Type': 'application/octet-stream', 'Content-Length': String(key.length), 'Cache-Control': 'no-store' });
    res.end(head ? undefined : key);
  }

  /** POST /clearkey/license?contentId=<id> or /clearkey/license/<percent-encoded id>: a W3C ClearKey license (JSON). */
  async function clearKeyRoute(req: IncomingMessage, res: ServerResponse, segment: string | undefined, query: string | null, requestId: string): Promise<void> {
    const started = performance.now();
    const facts: RequestFacts = {};
    try {
      const contentId = segment !== undefined ? contentIdFromPathSegment(segment) : (query ?? undefined);
      const body = await readBody(req, CLEARKEY_MAX_BODY_BYTES);
      const answer = await clearKeyLicense({ body, contentId }, app.license, facts);
      send(res, answer.status, { ...LICENSE_CORS, ...answer.headers }, answer.body);
      logRequest(logger, { requestId, route: 'clearkey/license', facts, status: answer.status, durationMs: performance.now() - started });
    } catch (error) {
      const answer = clearKeyErrorAnswer(error);
      send(res, answer.status, { ...LICENSE_CORS, ...answer.headers }, answer.body);
      logRequest(logger, { requestId, route: 'clearkey/license', facts, status: answer.status, durationMs: performance.now() - started, reason: answer.reason, error });
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

  return createServer((req, res) => {
    const target = req.url ?? '/';
    // The SPEKE route, as encryptors call it, needs no URL parsing; everything else is parsed as before.
    const url = target === '/copyProtection' ? undefined : new URL(target, 'http://localhost');
    const path = url === undefined ? target : url.pathname;
    const requestId = randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const route = async (): Promise<void> => {
      if (path === '/copyProtection') {
        if (req.method !== 'POST') return sendText(res, 405, 'Method not allowed', { Allow: 'POST' });
        return copyProtectionRoute(req, res, requestId);
      }
      if (path === '/health') {
        if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
        return sendText(res, 200, 'OK');
      }
      const keyMatch = /^\/keys\/([^/]+)\/([^/]+)$/.exec(path);
      if (keyMatch) {
        if (req.method === 'OPTIONS') return send(res, 204, { ...CORS, 'Access-Control-Max-Age': '86400' });
        if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed', { ...CORS, Allow: 'GET, HEAD, OPTIONS' });
        if (unauthorized(req, res, CORS)) return;
        return keyRoute(res, keyMatch[1]!, keyMatch[2]!, req.method === 'HEAD');
      }
      const licenseMatch = /^\/clearkey\/license(?:\/([^/]+))?$/.exec(path);
      if (licenseMatch && app.clearKeyLicense) {
        if (req.method === 'OPTIONS') return send(res, 204, { ...LICENSE_CORS, 'Access-Control-Max-Age': '86400' });
        if (req.method !== 'POST') return sendText(res, 405, 'Method not allowed', { ...LICENSE_CORS, Allow: 'POST, OPTIONS' });
        if (unauthorized(req, res, LICENSE_CORS, true)) return;
        return clearKeyRoute(req, res, licenseMatch[1], url?.searchParams.get('contentId') ?? null, requestId);
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
  });
}
