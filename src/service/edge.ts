import type { RequestFacts } from '../speke/answer.js';
import { SpekeHttpError } from '../errors.js';
import { logRequest, type RequestLogger } from './request-log.js';

/**
 * The edges: every route of the local server and both Lambda handlers answer through
 * `answerAtEdge`. It times the request, runs it, maps any error to its status (the one place where
 * an error becomes a status), writes the request's one log line and hands the outcome to the
 * caller's observer (metrics, trace annotations), unless the request was given up meanwhile. It
 * throws only if the logger or the observer does.
 */

/** An answer as the edges send it: status, headers, body (bytes for key files and demo media). */
export interface EdgeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** Why a refusal the route answered itself was made (logged with it). */
  reason?: string;
}

/** What the log line, metrics and trace annotations are made of. */
export interface EdgeOutcome {
  facts: RequestFacts;
  status: number;
  durationMs: number;
  reason?: string;
  error?: unknown;
}

/** How a route's errors reach the client: its status, and its text as plain text or as `{"error": "…"}`. */
export type ErrorStyle = 'text' | 'json';

export const TEXT_HEADERS: Readonly<Record<string, string>> = { 'Content-Type': 'text/plain; charset=utf-8' };
export const JSON_HEADERS: Readonly<Record<string, string>> = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };
const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

/**
 * Any error as a route of the given style answers it: typed errors keep their status and text,
 * anything else is a 500 with a fixed text; every 401 carries the Bearer challenge.
 */
export function errorAnswer(error: unknown, style: ErrorStyle): MappedError {
  const mapped =
    error instanceof SpekeHttpError
      ? { status: error.status, body: error.message, reason: error.reason }
      : { status: 500, body: 'Internal server error', reason: 'internal-error' };
  const headers = style === 'json' ? JSON_HEADERS : TEXT_HEADERS;
  return {
    status: mapped.status,
    headers: mapped.status === 401 ? { ...headers, ...CHALLENGE } : headers,
    body: style === 'json' ? JSON.stringify({ error: mapped.body }) : mapped.body,
    reason: mapped.reason,
  };
}

/** An error as answered: always a text body (plain or JSON). */
export type MappedError = EdgeAnswer & { body: string; reason: string };

export interface EdgeRequest {
  logger: RequestLogger;
  /** The route named in the log line (undefined: none, as the SPEKE Lambda function logs). */
  route?: string;
  requestId?: string;
  errors: ErrorStyle;
  /** Headers every answer carries (a route's CORS headers), under the answer's own. */
  headers?: Record<string, string> | undefined;
  /** Told the outcome after the log line (metrics, trace annotations). */
  observe?: (outcome: EdgeOutcome) => void;
  /**
   * Aborted when the request was given up and answered already (the Lambda handlers: Middy's
   * early timeout, answered, logged and counted by lambdaEdge): an outcome that arrives after that
   * is neither logged nor observed, so that it lands in no later invocation's log context, metrics
   * record or trace.
   */
  signal?: AbortSignal;
}

/**
 * Runs `run` (which fills in `facts` as it learns them) and answers: its answer, or its error
 * mapped in the request's style. Logs one line, then tells `observe`. Not an async function: when
 * `run` answers at once (the Lambda handler's warm path) so does this, without a promise (under the
 * X-Ray SDK's async hook every promise costs); callers await it.
 */
export function answerAtEdge<A extends EdgeAnswer>(
  request: EdgeRequest,
  run: (facts: RequestFacts) => A | Promise<A>,
): A | MappedError | Promise<A | MappedError> {
  const started = performance.now();
  const facts: RequestFacts = {};
  let running: A | Promise<A>;
  try {
    running = run(facts);
  } catch (caught) {
    return failed(request, facts, started, caught);
  }
  if (running instanceof Promise) {
    return running.then(
      (answer) => answered(request, facts, started, answer, undefined),
      (caught: unknown) => failed(request, facts, started, caught),
    );
  }
  return answered(request, facts, started, running, undefined);
}

function failed(request: EdgeRequest, facts: RequestFacts, started: number, caught: unknown): MappedError {
  return answered(request, facts, started, errorAnswer(caught, request.errors), caught);
}

function answered<A extends EdgeAnswer>(request: EdgeRequest, facts: RequestFacts, started: number, answer: A, error: unknown): A {
  const sent = request.headers === undefined ? answer : { ...answer, headers: { ...request.headers, ...answer.headers } };
  if (request.signal?.aborted === true) return sent;
  const outcome: EdgeOutcome = { facts, status: sent.status, durationMs: performance.now() - started, reason: sent.reason, error };
  logRequest(request.logger, { ...outcome, route: request.route, requestId: request.requestId });
  request.observe?.(outcome);
  return sent;
}
