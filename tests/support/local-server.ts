import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalDependencies } from '../../src/composition.js';
import { loadLocalConfig, type LocalConfig } from '../../src/config.js';
import { JsonLineLogger } from '../../src/local/json-line-logger.js';
import { closeServer, listenLocalServer } from '../../src/local/listen.js';
import type { LocalRoute } from '../../src/local/routes.js';

export interface RunningServer {
  url: string;
  dataDir: string;
  server: Server;
  /** Log lines the server wrote (JSON strings), for assertions. */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * A Powertools logger whose output lines are captured instead of printed. Powertools writes every
 * line through its `console` property, which is replaced here.
 */
export function capturingLogger(lines: string[]): Logger {
  const logger = new Logger({ serviceName: 'speke-key-server-test', logLevel: 'DEBUG' });
  const sink = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  };
  (logger as unknown as { console: Record<string, unknown> }).console = { log: sink, info: sink, warn: sink, error: sink, debug: sink, trace: sink };
  return logger;
}

/** The local server's own logger, its lines captured one by one instead of written to stdout. */
export function capturingLineLogger(lines: string[]): JsonLineLogger {
  return new JsonLineLogger({ service: 'speke-key-server-test', level: 'DEBUG', write: (chunk) => lines.push(...chunk.split('\n').filter((l) => l !== '')) });
}

/**
 * Powertools Metrics whose EMF output lines (including those of single metrics) are captured
 * instead of printed.
 */
export function capturingMetrics(lines: string[]): Metrics {
  const sink = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  };
  const patch = (metrics: Metrics): Metrics => {
    const open = metrics as unknown as { console: Record<string, unknown>; singleMetric: () => Metrics };
    open.console = { log: sink, info: sink, warn: sink, error: sink, debug: sink };
    const single = open.singleMetric.bind(metrics);
    open.singleMetric = () => patch(single());
    return metrics;
  };
  return patch(new Metrics({ namespace: 'SpekeKeyServer', serviceName: 'speke-key-server-test' }));
}

/**
 * Starts the local server in-process on a free loopback port, configured like `npm start` from
 * the given environment, with its log lines captured. `dataDir` is created when not given;
 * `routes` are served besides the key server's (tests/e2e/support/demo-server.ts: the demo's).
 */
export async function startLocalServer(
  env: Record<string, string> = {},
  options: { dataDir?: string; routes?: (app: LocalDependencies, config: LocalConfig) => readonly LocalRoute[] } = {},
): Promise<RunningServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'speke-test-')));
  const logs: string[] = [];
  try {
    const config = loadLocalConfig({ PORT: '0', HOST: '127.0.0.1', SPEKE_DATA_DIR: dataDir, ...env });
    const routes = options.routes;
    const { server, baseUrl } = await listenLocalServer(config, capturingLineLogger(logs), routes ? { routes: (app) => routes(app, config) } : {});
    return { url: baseUrl, dataDir, server, logs, stop: () => closeServer(server) };
  } catch (error) {
    // A configuration the test expects refused, or a server that cannot start: no data folder left behind.
    if (options.dataDir === undefined) await removeDir(dataDir);
    throw error;
  }
}

/**
 * One local server for the enclosing describe block: started before its tests, stopped and its
 * data folder removed after them. The returned handle is filled in when the server has started.
 */
export function useLocalServer(env: Record<string, string> = {}): RunningServer {
  const handle = {} as RunningServer;
  beforeAll(async () => {
    Object.assign(handle, await startLocalServer(env));
  });
  afterAll(async () => {
    await handle.stop();
    await removeDir(handle.dataDir);
  });
  return handle;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
