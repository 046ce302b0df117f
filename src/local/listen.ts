import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalDependencies, type LocalDependencies } from '../composition.js';
import { ConfigError, type LocalConfig } from '../config.js';
import type { RequestLogger } from '../service/request-log.js';
import type { LocalRoute } from './routes.js';
import { createLocalServer } from './server.js';

export interface ListeningServer {
  server: Server;
  app: LocalDependencies;
  /** http://host:port, with the port the OS chose when PORT is 0. */
  baseUrl: string;
}

/**
 * Builds the local server's dependencies and listens. Without SPEKE_KEY_URL_PREFIX, key URLs point
 * at the server's own /keys, set in the listening callback, which runs before any connection is
 * served.
 */
export async function listenLocalServer(
  config: LocalConfig,
  logger: RequestLogger,
  options: { /** Routes to serve besides the key server's (`npm run demo`: the demo's). */ routes?: (app: LocalDependencies) => readonly LocalRoute[] } = {},
): Promise<ListeningServer> {
  const app = await createLocalDependencies(config);
  const server = createLocalServer({ app, keyStore: app.keyStore, logger, routes: options.routes?.(app) });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      const { port } = server.address() as AddressInfo;
      const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      app.core.keyUrlPrefix = config.keyUrlPrefix ?? `${url}/keys`;
      resolve(url);
    });
  });
  // Retention of the data folder's key and grant files: swept at start, then every hour.
  const sweep = () => void app.sweepExpired().catch(() => undefined);
  sweep();
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  timer.unref();
  server.once('close', () => clearInterval(timer));
  return { server, app, baseUrl };
}

/** How often expired key and grant files are removed (they are never served once expired). */
export const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Closes the server, open connections included. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Runs a command-line entry point: stops cleanly on SIGINT/SIGTERM, reports configuration errors plainly. */
export function runLocal(main: () => Promise<Server>): void {
  main()
    .then((server) => {
      const stop = (signal: string) => {
        console.log(`${signal}: stopping`);
        void closeServer(server).then(() => process.exit(0));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    })
    .catch((error: unknown) => {
      console.error(error instanceof ConfigError ? error.message : error);
      process.exit(1);
    });
}
