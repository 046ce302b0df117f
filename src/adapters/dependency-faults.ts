import { DependencyError } from '../errors.js';

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ServiceUnavailable',
  'InternalError',
  'InternalServiceError',
  'InternalFailure',
  'AbortError',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** Whether a failed AWS SDK call may succeed if the encryptor tries again (→ 503 rather than 500). */
export function isRetryable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, code, $metadata, $retryable } = e as {
      name?: string;
      code?: string;
      $metadata?: { httpStatusCode?: number };
      $retryable?: unknown;
    };
    if ($retryable) return true;
    if (name && RETRYABLE_NAMES.has(name)) return true;
    if (code && RETRYABLE_CODES.has(code)) return true;
    const status = $metadata?.httpStatusCode;
    if (status !== undefined && (status === 429 || status >= 500)) return true;
  }
  return false;
}

export function dependencyFault(dependency: DependencyError['dependency'], error: unknown): DependencyError {
  return new DependencyError(dependency, isRetryable(error), { cause: error });
}
