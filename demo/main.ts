import { loadLocalConfig } from '../src/config.js';
import { SERVICE_NAME } from '../src/service-name.js';
import { JsonLineLogger } from '../src/local/json-line-logger.js';
import { listenLocalServer, runLocal } from '../src/local/listen.js';
import { DEMO_PROTECTION_LEVELS } from './demo-protection-levels.js';
import { demoRoutes } from './demo-routes.js';
import { demoEnvironment } from './demo-settings.js';
import { prepareSamples } from './prepare-samples.js';
import { hasFfmpeg } from './sample-media.js';

/**
 * `npm run demo`: the local server as `npm start` runs it with the demo's routes added to its table
 * (the page at /, demo-routes.ts), plus the demo's encrypted samples, prepared through the server's
 * own SPEKE endpoint with ffmpeg. Open the printed URL. Unless the
 * environment sets them, SPEKE v2.1 HDCP, robustness and allowed-CPC settings are those of
 * DEMO_PROTECTION_LEVELS, so that the page's v2.1 presets show them.
 */
runLocal(async () => {
  const config = loadLocalConfig({ ...DEMO_PROTECTION_LEVELS, ...process.env });
  const demo = demoEnvironment(config);
  const { server, baseUrl } = await listenLocalServer(config, JsonLineLogger.fromEnvironment(SERVICE_NAME), {
    routes: (app) => demoRoutes({ app, demo, clearKeyLicense: app.clearKeyLicense }),
  });
  if (await hasFfmpeg()) {
    console.log('Preparing the encrypted samples with ffmpeg (SPEKE requests to this server)…');
    await prepareSamples(baseUrl, demo.mediaDir);
  } else {
    console.log('ffmpeg not found: the demo page works, but without playable samples (apt-get install ffmpeg).');
  }
  console.log(`SPEKE key server demo: open ${baseUrl}/`);
  return server;
});
