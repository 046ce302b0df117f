/**
 * Powertools Logger's level names (POWERTOOLS_LOG_LEVEL takes any of them, in any case) with the
 * threshold each sets for the local server's log (src/local/json-line-logger.ts), which writes
 * DEBUG to ERROR lines; src/config.ts refuses any other name at start-up.
 */
export const LOG_LEVEL_THRESHOLDS = { TRACE: 5, DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, CRITICAL: 50, SILENT: 100 } as const;

export type LogLevelName = keyof typeof LOG_LEVEL_THRESHOLDS;

export const LOG_LEVELS = Object.keys(LOG_LEVEL_THRESHOLDS) as readonly LogLevelName[];
