/**
 * Typed errors: a leaf module (it imports nothing), so every layer may throw them. Each carries the
 * HTTP status and the plain-text body the client receives; the edge (src/service/edge.ts) maps them
 * to responses, nothing else does.
 */
export abstract class SpekeHttpError extends Error {
  /** Each subclass names itself, so logs and serialised errors show the class, not "Error". */
  abstract override readonly name: string;
  abstract readonly status: number;
  /** Short, stable reason used in logs and metrics (never key material). */
  abstract readonly reason: string;
}

/** 400: the body is not a CPIX XML document we can read (not UTF-8, not well-formed, DOCTYPE, wrong root). */
export class MalformedRequestError extends SpekeHttpError {
  override readonly name = 'MalformedRequestError';
  readonly status = 400;
  readonly reason = 'malformed-request';
}

/** 413: the body is over the configured size limit. */
export class PayloadTooLargeError extends SpekeHttpError {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly reason = 'payload-too-large';
}

/**
 * 413: the answer to the request would not fit what the platform can return (a Lambda result is at
 * most 6 MB): the encryptor can ask for fewer keys or DRM systems per request.
 */
export class AnswerTooLargeError extends SpekeHttpError {
  override readonly name = 'AnswerTooLargeError';
  readonly status = 413;
  readonly reason = 'answer-too-large';
}

/** 422: a SPEKE or CPIX rule is broken. v2 messages are the exact texts of the SPEKE specification. */
export class SpekeValidationError extends SpekeHttpError {
  override readonly name = 'SpekeValidationError';
  readonly status = 422;
  constructor(
    message: string,
    readonly reason: string = 'invalid-request',
  ) {
    super(message);
  }
}

/** 404: the request names something this server has no record of (e.g. a content ID no key was issued for). */
export class NotFoundError extends SpekeHttpError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/** 422 with the specification's `Unsupported SPEKE version` text. */
export class UnsupportedVersionError extends SpekeHttpError {
  override readonly name = 'UnsupportedVersionError';
  readonly status = 422;
  readonly reason = 'unsupported-speke-version';
  constructor() {
    super('Unsupported SPEKE version');
  }
}

/** A ClearKey license request the endpoint refuses; the message is safe to return as `{"error": …}`. */
export class ClearKeyRequestError extends SpekeHttpError {
  override readonly name = 'ClearKeyRequestError';
  constructor(
    message: string,
    readonly status: number = 400,
    readonly reason: string = 'invalid-clearkey-request',
  ) {
    super(message);
  }
}

const DEPENDENCY_NAMES = { 'key-store': 'Key store', 'secret-source': 'Secret source', 'grant-store': 'Grant store' } as const;

/**
 * 5xx: one of our dependencies (key store, secret source) failed. `retryable` faults
 * (throttling, timeouts, service unavailable) answer 503 so the encryptor tries again.
 */
export class DependencyError extends SpekeHttpError {
  override readonly name: string = 'DependencyError';
  readonly status: number;
  readonly reason: string;
  constructor(
    readonly dependency: 'key-store' | 'secret-source' | 'grant-store',
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${DEPENDENCY_NAMES[dependency]} unavailable`, options);
    this.status = retryable ? 503 : 500;
    this.reason = `${dependency}-failure`;
  }
}

/** 401: the request lacks the bearer token (SPEKE_KEY_ACCESS_TOKEN); the edge adds the Bearer challenge. */
export class UnauthorizedError extends SpekeHttpError {
  override readonly name = 'UnauthorizedError';
  readonly status = 401;
  readonly reason = 'unauthorized';
  constructor() {
    super('Unauthorized');
  }
}
