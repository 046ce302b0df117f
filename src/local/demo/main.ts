import type { AddressInfo } from 'node:net';
import { createLocalDependencies } from '../../composition.js';
import { ConfigError, loadLocalConfig } from '../../config.js';
import { logger } from '../../observability.js';
import { createLocalServer } from '../server.js';
import { prepareSamples } from './prepare-samples.js';
import { hasFfmpeg } from './sample-media.js';

/**
 * `npm run demo`: the local server as `npm start` runs it, plus the demo's encrypted samples,
 * prepared through the server's own SPEKE endpoint with ffmpeg. Open the printed URL.
 */
async function main(): Promise<void> {
  const config = loadLocalConfig();
  const app = await createLocalDependencies(config);
  const server = createLocalServer({ app, keyStore: app.keyStore, logger });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      const { port } = server.address() as AddressInfo;
      const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      app.core.keyUrlPrefix = config.keyUrlPrefix ?? `${url}/keys`;
      resolve(url);
    });
  });
  if (await hasFfmpeg()) {
    console.log('Preparing the encrypted samples with ffmpeg (SPEKE requests to this server)…');
    await prepareSamples(baseUrl, app.demo.mediaDir);
  } else {
    console.log('ffmpeg not found: the demo page works, but without playable samples (apt-get install ffmpeg).');
  }
  console.log(`SPEKE key server demo: open ${baseUrl}/`);

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
