import { DEFAULT_LIMITS, type Limits } from './speke/limits.js';

/**
 * The only reader of process.env. Every setting is read and validated here once, at start-up, and
 * every problem is reported together with the variable that caused it.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
  }
}

type Env = Record<string, string | undefined>;

export interface CommonConfig {
  limits: Limits;
  /** Seconds a fetched master secret is cached before it is read again. */
  masterSecretMaxAgeSeconds: number;
}

export interface LambdaConfig extends CommonConfig {
  keyBucket: string;
  keyUrlPrefix: string;
  masterSecretId: string;
}

export interface LocalConfig extends CommonConfig {
  host: string;
  port: number;
  dataDir: string;
  /** SPEKE_MASTER_SECRET: base64 master secret that replaces the data folder's secret file. */
  masterSecret: string | undefined;
  /** Defaults to the server's own /keys URL once it listens. */
  keyUrlPrefix: string | undefined;
  /** When set, keys are published to this S3 bucket (optionally at a custom endpoint) instead of the data folder. */
  s3: { bucket: string; endpoint: string | undefined; region: string } | undefined;
}

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
  };
}

export function loadLambdaConfig(env: Env = process.env): LambdaConfig {
  const r = new Reader(env);
  return r.done({
    ...common(r),
    keyBucket: r.required('SPEKE_KEY_BUCKET'),
    keyUrlPrefix: r.url('SPEKE_KEY_URL_PREFIX', r.required('SPEKE_KEY_URL_PREFIX')) ?? '',
    masterSecretId: r.required('SPEKE_MASTER_SECRET_ID'),
  });
}

export function loadLocalConfig(env: Env = process.env): LocalConfig {
  const r = new Reader(env);
  const bucket = r.string('SPEKE_KEY_BUCKET');
  return r.done({
    ...common(r),
    host: r.string('HOST') ?? '127.0.0.1',
    port: r.integer('PORT', 8080, 0, 65_535),
    dataDir: r.string('SPEKE_DATA_DIR') ?? '.speke',
    masterSecret: r.string('SPEKE_MASTER_SECRET'),
    keyUrlPrefix: r.url('SPEKE_KEY_URL_PREFIX', r.string('SPEKE_KEY_URL_PREFIX')),
    s3: bucket
      ? {
          bucket,
          endpoint: r.url('SPEKE_S3_ENDPOINT', r.string('SPEKE_S3_ENDPOINT')),
          region: r.string('AWS_REGION') ?? r.string('AWS_DEFAULT_REGION') ?? 'us-east-1',
        }
      : undefined,
  });
}
