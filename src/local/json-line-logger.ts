import { LOG_LEVEL_THRESHOLDS, type LogLevelName } from '../service/log-levels.js';
import type { LogFields, RequestLogger } from '../service/request-log.js';

const LEVELS = LOG_LEVEL_THRESHOLDS;
type Level = LogLevelName;

/** Lines are written out together once per turn of the event loop, or at once past this many characters. */
const MAX_BUFFERED_CHARS = 64 * 1024;

/**
 * The local server's log: one JSON object a line on stdout, in the shape Powertools Logger writes
 * (level, message, timestamp, service, then the fields), without its per-line cost: the level and
 * service are read once, lines of one event-loop turn go out in one write, and nothing else is
 * attached. Whatever is logged is what the caller passes; request lines carry identifiers and
 * counts only (src/service/request-log.ts).
 */
export class JsonLineLogger implements RequestLogger {
  private readonly threshold: number;
  private readonly serviceField: string;
  private readonly write: (chunk: string) => void;
  private buffered = '';
  private scheduled = false;

  constructor(options: { service: string; level?: string; write?: (chunk: string) => void }) {
    const level = (options.level ?? 'INFO').toUpperCase();
    this.threshold = level in LEVELS ? LEVELS[level as Level] : LEVELS.INFO;
    this.serviceField = `,"service":${JSON.stringify(options.service)}`;
    this.write = options.write ?? ((chunk) => void process.stdout.write(chunk));
  }

  /** From POWERTOOLS_LOG_LEVEL, read once (checked by loadLocalConfig); INFO when unset. */
  static fromEnvironment(service: string, env: NodeJS.ProcessEnv = process.env): JsonLineLogger {
    const logger = new JsonLineLogger({ service, level: env.POWERTOOLS_LOG_LEVEL?.trim() || 'INFO' });
    // Lines still buffered when the process exits are written then (stdout is synchronous for files, pipes and terminals on Linux).
    process.once('exit', () => logger.flush());
    return logger;
  }

  debug(message: string, fields: LogFields = {}): void {
    this.line('DEBUG', message, fields);
  }

  info(message: string, fields: LogFields = {}): void {
    this.line('INFO', message, fields);
  }

  warn(message: string, fields: LogFields = {}): void {
    this.line('WARN', message, fields);
  }

  error(message: string, fields: LogFields = {}): void {
    this.line('ERROR', message, fields);
  }

  /** Writes what is buffered now. */
  flush(): void {
    if (this.buffered === '') return;
    const chunk = this.buffered;
    this.buffered = '';
    this.write(chunk);
  }

  private line(level: Level, message: string, fields: LogFields): void {
    if (LEVELS[level] < this.threshold) return;
    const rest = JSON.stringify(fields);
    const line = `{"level":"${level}","message":${JSON.stringify(message)},"timestamp":"${new Date().toISOString()}"${this.serviceField}${rest === '{}' ? '' : `,${rest.slice(1, -1)}`}}\n`;
    this.buffered += line;
    if (this.buffered.length > MAX_BUFFERED_CHARS) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }
}
