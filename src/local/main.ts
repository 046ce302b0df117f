import type { AddressInfo } from 'node:net';
import { createLocalDependencies } from '../composition.js';
import { ConfigError, loadLocalConfig } from '../config.js';
import { logger } from '../observability.js';
import { createLocalServer } from './server.js';

/** `npm start`: the local server on its embedded defaults (no AWS account needed). */
async function main(): Promise<void> {
  const config = loadLocalConfig();
  const app = await createLocalDependencies(config);
  const server = createLocalServer({ app, keyStore: app.keyStore, logger });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      const url = `http://${host}:${port}`;
      // Set before any connection is served: the listening callback runs ahead of connection events.
      app.core.keyUrlPrefix = config.keyUrlPrefix ?? `${url}/keys`;
      resolve(url);
    });
  });
  console.log(`SPEKE key server listening on ${baseUrl}`);
  console.log(`  POST ${baseUrl}/copyProtection`);
  console.log(`  key URLs ${app.core.keyUrlPrefix}/<content ID>/<kid>, keys kept in ${config.s3 ? `s3://${config.s3.bucket}` : `${config.dataDir}/keys`}`);

  const stop = (signal: string) => {
    console.log(`${signal}: stopping`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
