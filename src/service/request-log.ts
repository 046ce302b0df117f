import type { RequestFacts } from '../speke/answer.js';

export type LogFields = Record<string, unknown>;

/**
 * Where request lines go: Powertools Logger in the Lambda functions, the local server's
 * JsonLineLogger (src/local/json-line-logger.ts) there. Both write one JSON object a line.
 */
export interface RequestLogger {
  info(message: string, fields: LogFields): void;
  warn(message: string, fields: LogFields): void;
  error(message: string, fields: LogFields): void;
}

/** The one structured log line per request: identifiers, counts, outcome. Never key material or bodies. */
export function logRequest(
  logger: RequestLogger,
  entry: { facts: RequestFacts; status: number; durationMs: number; reason?: string; error?: unknown; route?: string; requestId?: string },
): void {
  const { facts, status, durationMs, reason, error, route, requestId } = entry;
  const fields = {
    ...(requestId ? { requestId } : {}),
    route,
    spekeVersion: facts.spekeVersion,
    contentId: facts.contentId,
    keyCount: facts.keyCount,
    systemIds: facts.systemIds,
    encrypted: facts.encrypted,
    status,
    durationMs: Math.round(durationMs * 100) / 100,
    ...(reason ? { reason } : {}),
  };
  if (status >= 500) {
    // The error's name and message only: SDK errors carry no key material, and bodies are never attached.
    const detail = error instanceof Error ? { errorName: error.name, cause: (error.cause as Error | undefined)?.name } : {};
    logger.error('request failed', { ...fields, ...detail });
  } else if (status >= 400) {
    logger.warn('request refused', fields);
  } else {
    logger.info('request answered', fields);
  }
}
