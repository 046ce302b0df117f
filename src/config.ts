import { isAccessToken } from './service/bearer-token.js';
import { isLoopbackHost, normalHost } from './service/request-origin.js';
import { DEFAULT_LIMITS, type Limits } from './speke/limits.js';
import { parseMasterSecret } from './keys/derive.js';
import { LOG_LEVELS } from './service/log-levels.js';
import { DEFAULT_FAIRPLAY_KEY_URI_TEMPLATE, type DrmSettings } from './drm/drm-settings.js';
import { FAIRPLAY_URI_PLACEHOLDERS, templatePlaceholders } from './drm/fairplay.js';
import { parseProtectionLevels } from './drm/protection-levels-settings.js';
import type { ProtectionLevels } from './drm/protection-levels.js';

/**
 * The only reader of process.env. Every setting is read and validated here once, at start-up, and
 * every problem is reported together with the variable that caused it.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
}

type Env = Record<string, string | undefined>;

export const KEY_DERIVATIONS = ['hkdf', 'reference'] as const;
export type KeyDerivation = (typeof KEY_DERIVATIONS)[number];

export interface CommonConfig {
  limits: Limits;
  /** Seconds a fetched master secret is cached before it is read again. */
  masterSecretMaxAgeSeconds: number;
  /** SPEKE_KEY_DERIVATION: `hkdf` (default) or `reference` (the Python reference server's keys; docs/migration.md). */
  keyDerivation: KeyDerivation;
  /** Widevine provider, PlayReady LA_URL, FairPlay key URI template. */
  drm: DrmSettings;
  /** SPEKE_ALLOW_EXPIRED_CERTIFICATES: encrypt for DeliveryData certificates past their notAfter date. */
  allowExpiredCertificates: boolean;
  /** SPEKE_HDCP_LEVELS, SPEKE_ROBUSTNESS, SPEKE_HLS_ALLOWED_CPC: output protection signalled in SPEKE v2.1 answers. */
  protectionLevels: ProtectionLevels;
  /**
   * SPEKE_CLEARKEY_ALLOW_SHARED_KEYS: the ClearKey license endpoint also answers KIDs that were
   * issued for Widevine, PlayReady or FairPlay in the same request (default false).
   */
  clearKeyAllowSharedKeys: boolean;
  /**
   * SPEKE_KEY_RETENTION_DAYS: keys (and, locally, grant files) are kept this many days after they
   * were last written (the stack's KeyRetentionDays, which the key bucket's lifecycle rule applies);
   * a key asked for again is rewritten once a day. 0 (default): kept, never rewritten.
   */
  keyRetentionDays: number;
}

export interface LambdaConfig extends CommonConfig {
  /** SPEKE_CLEARKEY_LICENSE: answer POST /clearkey/license (default false in Lambda: it hands out keys). */
  clearKeyLicense: boolean;
  /** SPEKE_KEY_ACCESS_TOKEN: when set, POST /clearkey/license requires `Authorization: Bearer <token>`. */
  keyAccessToken: string | undefined;
  /**
   * SPEKE_KEY_ACCESS_TOKEN_SECRET_ID: the same, with the token read from this Secrets Manager secret
   * (what the stack sets with ClearKeyLicenseAccessToken=generated). At most one of the two.
   */
  keyAccessTokenSecretId: string | undefined;
  /**
   * SPEKE_PLAYER_TOKEN_SECRET_ID: when set, POST /clearkey/license requires a player token (a JWT
   * bound to the content ID, src/keys/player-token.ts) signed with this secret's value.
   */
  playerTokenSecretId: string | undefined;
  keyBucket: string;
  /** SPEKE_GRANT_BUCKET: where ClearKey grants are recorded and read; required with SPEKE_CLEARKEY_LICENSE=true. */
  grantBucket: string | undefined;
  keyUrlPrefix: string;
  masterSecretId: string;
}

export interface LocalConfig extends CommonConfig {
  /** SPEKE_KEY_ACCESS_TOKEN: when set, /keys and /clearkey/license require `Authorization: Bearer <token>`. */
  keyAccessToken: string | undefined;
  /** SPEKE_CLEARKEY_LICENSE: answer POST /clearkey/license (default true locally). */
  clearKeyLicense: boolean;
  host: string;
  port: number;
  dataDir: string;
  /** SPEKE_MASTER_SECRET: base64 master secret that replaces the data folder's secret file. */
  masterSecret: string | undefined;
  /** Defaults to the server's own /keys URL once it listens. */
  keyUrlPrefix: string | undefined;
  /** SPEKE_ALLOWED_HOSTS: Host header names served (else 421); undefined: loopback names, HOST, the key URL prefix's host. */
  allowedHosts: string[] | undefined;
  /** SPEKE_CORS_ORIGINS: browser origins allowed (CORS and cross-site requests); undefined: own origin and loopback. */
  corsOrigins: string[] | undefined;
  /** Resource bounds of the HTTP server (docs/security.md). */
  server: LocalServerLimits;
  /**
   * SPEKE_PLAYER_TOKENS: /clearkey/license and /keys require a player token (JWT bound to the
   * content ID) signed with the data folder's player-token-key; SPEKE_KEY_ACCESS_TOKEN then guards
   * POST /copyProtection only.
   */
  playerTokens: boolean;
  /** When set, keys are published to this S3 bucket (optionally at a custom endpoint) instead of the data folder. */
  s3: { bucket: string; endpoint: string | undefined; region: string } | undefined;
}

export interface LocalServerLimits {
  /** SPEKE_MAX_CONNECTIONS: open connections at once; more are closed on arrival. */
  maxConnections: number;
  /** SPEKE_BODY_BUDGET_BYTES: request-body bytes held at once over all requests; past it, 503. */
  bodyBudgetBytes: number;
  /** SPEKE_HEADERS_TIMEOUT_SECONDS: time to receive a request's headers. */
  headersTimeoutMs: number;
  /** SPEKE_REQUEST_TIMEOUT_SECONDS: time to receive a whole request, body included. */
  requestTimeoutMs: number;
}

export const DEFAULT_LOCAL_SERVER_LIMITS: Readonly<LocalServerLimits> = {
  maxConnections: 256,
  bodyBudgetBytes: 64 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
};

/** Environment variables the configuration reads, for docs and the template test. */
export const LAMBDA_ENV = [
  'SPEKE_KEY_BUCKET',
  'SPEKE_KEY_URL_PREFIX',
  'SPEKE_MASTER_SECRET_ID',
  'SPEKE_MASTER_SECRET_MAX_AGE_SECONDS',
  'SPEKE_MAX_BODY_BYTES',
  'SPEKE_MAX_CONTENT_KEYS',
  'SPEKE_MAX_DRM_SYSTEMS',
  'SPEKE_MAX_CONTENT_ID_LENGTH',
  'SPEKE_WIDEVINE_PROVIDER',
  'SPEKE_PLAYREADY_LA_URL',
  'SPEKE_FAIRPLAY_KEY_URI_TEMPLATE',
  'SPEKE_ALLOW_EXPIRED_CERTIFICATES',
  'SPEKE_KEY_DERIVATION',
  'SPEKE_CLEARKEY_LICENSE',
  'SPEKE_KEY_ACCESS_TOKEN',
  'SPEKE_KEY_ACCESS_TOKEN_SECRET_ID',
  'SPEKE_HDCP_LEVELS',
  'SPEKE_ROBUSTNESS',
  'SPEKE_HLS_ALLOWED_CPC',
  'SPEKE_GRANT_BUCKET',
  'SPEKE_CLEARKEY_ALLOW_SHARED_KEYS',
  'SPEKE_PLAYER_TOKEN_SECRET_ID',
  'SPEKE_KEY_RETENTION_DAYS',
] as const;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined) this.problems.push(`${name} is required`);
    return value ?? '';
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  url(name: string, value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
      return value.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${name} must be an http(s) URL (got "${value}")`);
      return undefined;
    }
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  }

  done<T>(config: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return config;
  }
}

function common(r: Reader): CommonConfig {
  return {
    limits: {
      maxBodyBytes: r.integer('SPEKE_MAX_BODY_BYTES', DEFAULT_LIMITS.maxBodyBytes, 1024, 6 * 1024 * 1024),
      maxContentKeys: r.integer('SPEKE_MAX_CONTENT_KEYS', DEFAULT_LIMITS.maxContentKeys, 1, 100_000),
      maxDrmSystems: r.integer('SPEKE_MAX_DRM_SYSTEMS', DEFAULT_LIMITS.maxDrmSystems, 1, 500_000),
      maxContentIdLength: r.integer('SPEKE_MAX_CONTENT_ID_LENGTH', DEFAULT_LIMITS.maxContentIdLength, 1, 4096),
    },
    masterSecretMaxAgeSeconds: r.integer('SPEKE_MASTER_SECRET_MAX_AGE_SECONDS', 300, 0, 86_400),
    keyDerivation: r.oneOf('SPEKE_KEY_DERIVATION', KEY_DERIVATIONS, 'hkdf'),
    drm: drmSettings(r),
    allowExpiredCertificates: r.boolean('SPEKE_ALLOW_EXPIRED_CERTIFICATES', false),
    protectionLevels: protectionLevels(r),
    clearKeyAllowSharedKeys: r.boolean('SPEKE_CLEARKEY_ALLOW_SHARED_KEYS', false),
    keyRetentionDays: r.integer('SPEKE_KEY_RETENTION_DAYS', 0, 0, 36_500),
  };
}

/** DRM signalling settings (docs/drm-signalling.md); each problem names its variable. */
function drmSettings(r: Reader): DrmSettings {
  const provider = r.string('SPEKE_WIDEVINE_PROVIDER');
  if (provider !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(provider)) {
    r.problems.push(`SPEKE_WIDEVINE_PROVIDER must be a short ASCII name: 1 to 64 letters, digits, "_", "." or "-" (got "${provider}")`);
  }
  const laUrl = r.string('SPEKE_PLAYREADY_LA_URL');
  if (laUrl !== undefined) {
    let valid = false;
    try {
      const { protocol, host } = new URL(laUrl);
      valid = (protocol === 'https:' || protocol === 'http:') && host !== '' && laUrl.length <= 2048 && !/[\s<>"]/.test(laUrl);
    } catch {
      valid = false;
    }
    if (!valid) r.problems.push(`SPEKE_PLAYREADY_LA_URL must be an absolute http(s) URL of at most 2048 characters (got "${laUrl}")`);
  }
  const template = r.string('SPEKE_FAIRPLAY_KEY_URI_TEMPLATE') ?? DEFAULT_FAIRPLAY_KEY_URI_TEMPLATE;
  const allowed = FAIRPLAY_URI_PLACEHOLDERS.map((p) => `{${p}}`).join(' ');
  const unknown = templatePlaceholders(template).filter((p) => !(FAIRPLAY_URI_PLACEHOLDERS as readonly string[]).includes(p));
  if (!template.startsWith('skd://')) r.problems.push(`SPEKE_FAIRPLAY_KEY_URI_TEMPLATE must start with skd:// (got "${template}")`);
  else if (unknown.length > 0) {
    r.problems.push(`SPEKE_FAIRPLAY_KEY_URI_TEMPLATE has unknown placeholder ${unknown.map((p) => `{${p}}`).join(', ')}; allowed: ${allowed}`);
  } else if (/[\s"{}]/.test(template.replace(/\{[^{}]*\}/g, ''))) {
    r.problems.push(`SPEKE_FAIRPLAY_KEY_URI_TEMPLATE must not contain spaces, quotes or stray braces (got "${template}")`);
  }
  return { widevineProvider: provider, playReadyLaUrl: laUrl, fairPlayKeyUriTemplate: template };
}

/** HDCP, robustness and allowed-CPC settings (docs/speke-v2.1.md "HDCP and robustness"); each problem names its variable. */
function protectionLevels(r: Reader): ProtectionLevels {
  const { levels, problems } = parseProtectionLevels({
    SPEKE_HDCP_LEVELS: r.string('SPEKE_HDCP_LEVELS'),
    SPEKE_ROBUSTNESS: r.string('SPEKE_ROBUSTNESS'),
    SPEKE_HLS_ALLOWED_CPC: r.string('SPEKE_HLS_ALLOWED_CPC'),
  });
  r.problems.push(...problems);
  return levels;
}

function accessToken(r: Reader): string | undefined {
  const token = r.string('SPEKE_KEY_ACCESS_TOKEN');
  if (token !== undefined && !isAccessToken(token)) {
    r.problems.push('SPEKE_KEY_ACCESS_TOKEN must be 16 to 512 visible ASCII characters (no spaces)');
  }
  return token;
}

export function loadLambdaConfig(env: Env = process.env): LambdaConfig {
  const r = new Reader(env);
  const keyAccessToken = accessToken(r);
  const keyAccessTokenSecretId = r.string('SPEKE_KEY_ACCESS_TOKEN_SECRET_ID');
  if (keyAccessToken !== undefined && keyAccessTokenSecretId !== undefined) {
    r.problems.push('Set SPEKE_KEY_ACCESS_TOKEN or SPEKE_KEY_ACCESS_TOKEN_SECRET_ID, not both');
  }
  const clearKeyLicense = r.boolean('SPEKE_CLEARKEY_LICENSE', false);
  const grantBucket = r.string('SPEKE_GRANT_BUCKET');
  if (clearKeyLicense && grantBucket === undefined) r.problems.push('SPEKE_GRANT_BUCKET is required when SPEKE_CLEARKEY_LICENSE=true');
  return r.done({
    ...common(r),
    clearKeyLicense,
    keyAccessToken,
    keyAccessTokenSecretId,
    playerTokenSecretId: r.string('SPEKE_PLAYER_TOKEN_SECRET_ID'),
    keyBucket: r.required('SPEKE_KEY_BUCKET'),
    grantBucket,
    keyUrlPrefix: keyUrlPrefix(r, r.required('SPEKE_KEY_URL_PREFIX')) ?? '',
    masterSecretId: r.required('SPEKE_MASTER_SECRET_ID'),
  });
}

/**
 * SPEKE_KEY_URL_PREFIX: an http(s) URL that `/<content ID>/<kid>` can follow. A query or fragment
 * would put the path after it (the key URL would name another resource), and a `"`, space or
 * other character outside visible ASCII would break the quoted URI of an HLS key tag (RFC 8216
 * §4.2): each is refused at start-up rather than written into answers.
 */
function keyUrlPrefix(r: Reader, value: string | undefined): string | undefined {
  const prefix = r.url('SPEKE_KEY_URL_PREFIX', value);
  if (prefix === undefined) return undefined;
  if (!/^[\x21-\x7e]+$/.test(prefix) || /["<>\\^`{|}?#]/.test(prefix)) {
    r.problems.push(`SPEKE_KEY_URL_PREFIX must be a URL without query, fragment, quotes, spaces or other characters a URL must escape (got "${prefix}")`);
    return undefined;
  }
  return prefix;
}

/** A comma-separated list, trimmed, empty items dropped; undefined when the variable is unset. */
function list(r: Reader, name: string): string[] | undefined {
  const raw = r.string(name);
  return raw === undefined
    ? undefined
    : raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
}

function allowedHosts(r: Reader): string[] | undefined {
  const hosts = list(r, 'SPEKE_ALLOWED_HOSTS');
  for (const host of hosts ?? []) {
    if (!/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+)$/.test(host))
      r.problems.push(`SPEKE_ALLOWED_HOSTS: "${host}" is not a host name or address (no scheme, port or path)`);
  }
  return hosts?.map(normalHost);
}

function corsOrigins(r: Reader): string[] | undefined {
  const origins = list(r, 'SPEKE_CORS_ORIGINS');
  for (const origin of origins ?? []) {
    let valid = false;
    try {
      const url = new URL(origin);
      valid = (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
    } catch {
      valid = false;
    }
    if (!valid) r.problems.push(`SPEKE_CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path, no trailing slash; "*" is not accepted)`);
  }
  return origins;
}

function serverLimits(r: Reader, maxBodyBytes: number): LocalServerLimits {
  const d = DEFAULT_LOCAL_SERVER_LIMITS;
  const limits = {
    maxConnections: r.integer('SPEKE_MAX_CONNECTIONS', d.maxConnections, 1, 65_535),
    bodyBudgetBytes: r.integer('SPEKE_BODY_BUDGET_BYTES', d.bodyBudgetBytes, 1024, 4 * 1024 * 1024 * 1024),
    headersTimeoutMs: r.integer('SPEKE_HEADERS_TIMEOUT_SECONDS', d.headersTimeoutMs / 1000, 1, 600) * 1000,
    requestTimeoutMs: r.integer('SPEKE_REQUEST_TIMEOUT_SECONDS', d.requestTimeoutMs / 1000, 1, 3600) * 1000,
  };
  if (limits.bodyBudgetBytes < maxBodyBytes)
    r.problems.push(`SPEKE_BODY_BUDGET_BYTES (${limits.bodyBudgetBytes}) must be at least SPEKE_MAX_BODY_BYTES (${maxBodyBytes})`);
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) r.problems.push('SPEKE_HEADERS_TIMEOUT_SECONDS must not be longer than SPEKE_REQUEST_TIMEOUT_SECONDS');
  return limits;
}

/** SPEKE_MASTER_SECRET, checked as the secret file is (base64, at least 32 bytes), so that a bad value names its variable. */
function masterSecret(r: Reader): string | undefined {
  const value = r.string('SPEKE_MASTER_SECRET');
  if (value === undefined) return undefined;
  try {
    parseMasterSecret(value);
  } catch (error) {
    r.problems.push(`SPEKE_MASTER_SECRET: ${(error as Error).message}`);
  }
  return value;
}

/**
 * POWERTOOLS_LOG_LEVEL, which the local server's log reads itself (JsonLineLogger.fromEnvironment):
 * one of Powertools' level names, in any case; a misspelt one was taken as INFO without a word.
 */
function checkLogLevel(r: Reader): void {
  const value = r.string('POWERTOOLS_LOG_LEVEL');
  if (value !== undefined && !(LOG_LEVELS as readonly string[]).includes(value.toUpperCase())) {
    r.problems.push(`POWERTOOLS_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, in any case (got "${value}")`);
  }
}

/**
 * The local server's access token, required when HOST makes it reachable from other machines:
 * without one POST /copyProtection hands every key (Widevine, PlayReady and FairPlay ones too) in
 * clear to anyone who can reach the port. On loopback it may stay open for development.
 */
function guardedBeyondLoopback(r: Reader, token: string | undefined): string | undefined {
  const host = r.string('HOST') ?? '127.0.0.1';
  if (token === undefined && !isLoopbackHost(normalHost(host))) {
    r.problems.push(`HOST=${host} serves beyond this machine: set SPEKE_KEY_ACCESS_TOKEN, or POST /copyProtection answers every key to anyone who reaches it`);
  }
  return token;
}

export function loadLocalConfig(env: Env = process.env): LocalConfig {
  const r = new Reader(env);
  const bucket = r.string('SPEKE_KEY_BUCKET');
  const shared = common(r);
  checkLogLevel(r);
  return r.done({
    ...shared,
    allowedHosts: allowedHosts(r),
    corsOrigins: corsOrigins(r),
    server: serverLimits(r, shared.limits.maxBodyBytes),
    playerTokens: r.boolean('SPEKE_PLAYER_TOKENS', false),
    clearKeyLicense: r.boolean('SPEKE_CLEARKEY_LICENSE', true),
    keyAccessToken: guardedBeyondLoopback(r, accessToken(r)),
    host: r.string('HOST') ?? '127.0.0.1',
    port: r.integer('PORT', 8080, 0, 65_535),
    dataDir: r.string('SPEKE_DATA_DIR') ?? '.speke',
    masterSecret: masterSecret(r),
    keyUrlPrefix: keyUrlPrefix(r, r.string('SPEKE_KEY_URL_PREFIX')),
    s3: bucket
      ? {
          bucket,
          endpoint: r.url('SPEKE_S3_ENDPOINT', r.string('SPEKE_S3_ENDPOINT')),
          region: r.string('AWS_REGION') ?? r.string('AWS_DEFAULT_REGION') ?? 'us-east-1',
        }
      : undefined,
  });
}
