import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EdgeAnswer, ErrorStyle } from '../service/edge.js';
import type { RequestFacts } from '../speke/answer.js';

/**
 * The local server's route table: each route says where it is (an exact path, a list of paths or
 * a pattern whose groups are its parameters), which methods it answers, its CORS policy, who may
 * call it and how its errors read. The server answers 404 for a path no route has, 405 (with
 * Allow) for a method the route does not answer, and the CORS preflight (OPTIONS) of routes with
 * a CORS policy, all from the table; a route's handler sees only the requests it answers.
 */
export interface LocalRoute {
  /** Named in the request's log line. */
  name: string;
  path: string | readonly string[] | RegExp;
  /** The methods answered (OPTIONS is added for routes with a CORS policy). */
  methods: readonly string[];
  /** Browser routes: which request headers a cross-origin caller may send; the answers carry CORS headers for allowed origins. */
  cors?: { allowHeaders: string };
  /**
   * - `open`: anyone (the Host and Origin checks still apply);
   * - `access-token`: the bearer token SPEKE_KEY_ACCESS_TOKEN when it is set (401 without it);
   * - `player`: with SPEKE_PLAYER_TOKENS a player token for the route's content ID (401, or 403 for
   *   another content ID), else as `access-token`.
   */
  auth: 'open' | 'access-token' | 'player';
  /** Plain text, or `{"error": "…"}` (the license route, like its Lambda function). */
  errors: ErrorStyle;
  /** `player` routes: the content ID the player token must be for. */
  playerContentId?: (request: LocalRequest) => string | undefined;
  handle(request: LocalRequest, facts: RequestFacts): EdgeAnswer | Promise<EdgeAnswer>;
}

export interface LocalRequest {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  /** The pattern's groups (undefined for a group that did not take part). */
  params: readonly (string | undefined)[];
  /** The query string's parameters (the URL is parsed for every route but POST /copyProtection). */
  query: URLSearchParams;
}

export interface MatchedRoute {
  route: LocalRoute;
  params: readonly (string | undefined)[];
}

const NO_PARAMS: readonly string[] = [];

/** Finds a path's route: exact paths first, then the patterns in table order. */
export class RouteTable {
  private readonly exact = new Map<string, LocalRoute>();
  private readonly patterns: { pattern: RegExp; route: LocalRoute }[] = [];

  constructor(routes: readonly LocalRoute[]) {
    for (const route of routes) {
      if (route.path instanceof RegExp) this.patterns.push({ pattern: route.path, route });
      else {
        for (const path of typeof route.path === 'string' ? [route.path] : route.path) {
          if (this.exact.has(path)) throw new Error(`Two routes for ${path}`);
          this.exact.set(path, route);
        }
      }
    }
  }

  match(path: string): MatchedRoute | undefined {
    const route = this.exact.get(path);
    if (route !== undefined) return { route, params: NO_PARAMS };
    for (const { pattern, route: candidate } of this.patterns) {
      const found = pattern.exec(path);
      if (found) return { route: candidate, params: found.slice(1) };
    }
    return undefined;
  }
}

/** The Allow header of a route: its methods, and OPTIONS when it has a CORS policy. */
export function allowedMethods(route: LocalRoute): string {
  return [...route.methods, ...(route.cors ? ['OPTIONS'] : [])].join(', ');
}
