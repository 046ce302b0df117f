import { ConfigError, loadLocalConfig } from '../../src/config.js';
import { JsonLineLogger } from '../../src/local/json-line-logger.js';

function capture(level?: string) {
  const chunks: string[] = [];
  const logger = new JsonLineLogger({ service: 'svc', ...(level ? { level } : {}), write: (c) => chunks.push(c) });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, chunks, lines };
}

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('the local server log: one JSON object a line', () => {
  it('writes level, message, timestamp, service, then the fields', async () => {
    const { logger, lines } = capture();
    logger.info('request answered', { requestId: 'r1', status: 200, systemIds: ['a', 'b'], contentId: 'quote " and \\ and \n' });
    await nextTurn();
    expect(lines()).toEqual([
      {
        level: 'INFO',
        message: 'request answered',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        service: 'svc',
        requestId: 'r1',
        status: 200,
        systemIds: ['a', 'b'],
        contentId: 'quote " and \\ and \n',
      },
    ]);
    expect(Object.keys(lines()[0]!).slice(0, 4)).toEqual(['level', 'message', 'timestamp', 'service']);
  });

  it('writes the lines of one event-loop turn together, in order', async () => {
    const { logger, chunks, lines } = capture();
    logger.info('one', {});
    logger.warn('two', { status: 400 });
    logger.error('three', { status: 500 });
    expect(chunks).toEqual([]);
    await nextTurn();
    expect(chunks).toHaveLength(1);
    expect(lines().map((l) => [l.level, l.message])).toEqual([
      ['INFO', 'one'],
      ['WARN', 'two'],
      ['ERROR', 'three'],
    ]);
  });

  it('bounds what it buffers: past 64 KiB it writes at once', () => {
    const { logger, chunks } = capture();
    for (let i = 0; i < 1000; i++) logger.info('request answered', { contentId: 'x'.repeat(100) });
    expect(chunks.length).toBeGreaterThan(0);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(64 * 1024 + 1024);
  });

  it('drops lines below its level (POWERTOOLS_LOG_LEVEL, read once)', async () => {
    const { logger, lines } = capture('WARN');
    logger.debug('d');
    logger.info('i', {});
    logger.warn('w', {});
    logger.error('e', {});
    await nextTurn();
    expect(lines().map((l) => l.message)).toEqual(['w', 'e']);
    const fromEnv = JsonLineLogger.fromEnvironment('svc', { POWERTOOLS_LOG_LEVEL: 'error' });
    expect(fromEnv).toBeInstanceOf(JsonLineLogger);
  });

  it('takes every Powertools level name in any case: TRACE logs DEBUG lines, CRITICAL and SILENT drop ERROR lines', async () => {
    for (const [level, expected] of [
      ['trace', ['d', 'i', 'w', 'e']],
      ['Debug', ['d', 'i', 'w', 'e']],
      ['critical', []],
      ['SILENT', []],
    ] as const) {
      const { logger, lines } = capture(level);
      logger.debug('d');
      logger.info('i', {});
      logger.warn('w', {});
      logger.error('e', {});
      await nextTurn();
      expect(lines().map((l) => l.message)).toEqual(expected);
    }
  });
});

// A misspelt level was taken as INFO and a bad SPEKE_MASTER_SECRET stopped the server with a stack
// trace that did not name the variable (found by review): both are configuration errors now.
describe('the local server refuses at start-up, naming the variable', () => {
  it('a POWERTOOLS_LOG_LEVEL that is no Powertools level', () => {
    expect(() => loadLocalConfig({ POWERTOOLS_LOG_LEVEL: 'VERBOSE' })).toThrow(ConfigError);
    expect(() => loadLocalConfig({ POWERTOOLS_LOG_LEVEL: 'VERBOSE' })).toThrow(
      /POWERTOOLS_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT/,
    );
    for (const level of ['debug', 'INFO', 'Warn', 'silent']) expect(() => loadLocalConfig({ POWERTOOLS_LOG_LEVEL: level })).not.toThrow();
  });

  it('a SPEKE_MASTER_SECRET that is not base64 of at least 32 bytes', () => {
    expect(() => loadLocalConfig({ SPEKE_MASTER_SECRET: 'not base64!' })).toThrow(/SPEKE_MASTER_SECRET: Master secret is not base64 text/);
    expect(() => loadLocalConfig({ SPEKE_MASTER_SECRET: Buffer.alloc(16).toString('base64') })).toThrow(
      /SPEKE_MASTER_SECRET: Master secret must decode to at least 32 bytes/,
    );
    expect(loadLocalConfig({ SPEKE_MASTER_SECRET: Buffer.alloc(32, 1).toString('base64') }).masterSecret).toBe(Buffer.alloc(32, 1).toString('base64'));
  });
});
