import { required } from '../required.js';

/**
 * Who may talk to the local server from a browser. Two checks, both on every request:
 *
 * - Host allow-list (DNS rebinding): a page on `evil.example` whose name an attacker re-points at
 *   127.0.0.1 reaches this server with `Host: evil.example`. Only configured names are served
 *   (SPEKE_ALLOWED_HOSTS; by default the loopback names, the HOST the server binds and the host of
 *   SPEKE_KEY_URL_PREFIX); any other Host is answered 421 Misdirected Request.
 * - Origin allow-list (CORS and cross-site requests): browsers send `Origin` with cross-origin
 *   requests and with every POST. A request whose Origin is not allowed is refused (403) before it
 *   does anything, and allowed origins get `Access-Control-Allow-Origin: <that origin>` (never `*`)
 *   on the license and key routes. Allowed by default: the server's own origin and any loopback
 *   origin (SPEKE_CORS_ORIGINS replaces that list).
 */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** Host names as compared: lower-case, IPv6 without brackets, no trailing dot. */
export function normalHost(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** The host name of a Host header value (`name`, `name:port`, `[v6]`, `[v6]:port`), normalised. */
export function hostOfHeader(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (v6) return normalHost(required(v6[1], 'the IPv6 address'));
  const named = /^([^:[\]]+)(?::\d+)?$/.exec(value);
  return named ? normalHost(required(named[1], 'the host name')) : undefined;
}

/** A name or address that reaches only this machine (a bind host, or a Host header's host). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

export interface RequestOriginPolicy {
  /** Whether the request's Host header names this server. */
  hostAllowed(hostHeader: string | undefined): boolean;
  /** Whether a browser origin may call this server; `undefined` (no Origin header) always may. */
  originAllowed(origin: string | undefined): boolean;
  /** CORS response headers for an allowed origin (none for requests without Origin). */
  corsHeaders(origin: string | undefined, methods: string, allowHeaders: string): Record<string, string>;
}

export interface RequestOriginSettings {
  /** SPEKE_ALLOWED_HOSTS, normalised; undefined: the defaults below. */
  allowedHosts: readonly string[] | undefined;
  /** SPEKE_CORS_ORIGINS (`scheme://host[:port]`); undefined: own origin and loopback origins. */
  corsOrigins: readonly string[] | undefined;
}

/**
 * The policy for a server bound to `bindHost`, reachable at `ownOrigin()` (known once it listens)
 * and at the host of `keyUrlPrefix` (where players fetch keys), with the configured lists.
 */
export function requestOriginPolicy(settings: RequestOriginSettings, bindHost: string, ownOrigin: () => string, keyUrlPrefix?: string): RequestOriginPolicy {
  const hosts = new Set(
    settings.allowedHosts ?? [
      ...LOOPBACK_HOSTS,
      ...(['0.0.0.0', '::', ''].includes(normalHost(bindHost)) ? [] : [normalHost(bindHost)]),
      ...(keyUrlPrefix ? [normalHost(new URL(keyUrlPrefix).hostname)] : []),
    ],
  );
  const origins = settings.corsOrigins === undefined ? undefined : new Set(settings.corsOrigins);
  const originAllowed = (origin: string | undefined): boolean => {
    if (origin === undefined) return true;
    if (origins !== undefined) return origins.has(origin);
    if (origin === ownOrigin()) return true;
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(normalHost(url.hostname));
    } catch {
      return false;
    }
  };
  return {
    hostAllowed: (hostHeader) => {
      const host = hostOfHeader(hostHeader);
      return host !== undefined && hosts.has(host);
    },
    originAllowed,
    corsHeaders: (origin, methods, allowHeaders): Record<string, string> =>
      origin === undefined || !originAllowed(origin)
        ? {}
        : { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Methods': methods, 'Access-Control-Allow-Headers': allowHeaders, Vary: 'Origin' },
  };
}
