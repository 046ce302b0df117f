import { loadLocalConfig } from '../config.js';
import { JsonLineLogger } from './json-line-logger.js';
import { listenLocalServer, runLocal } from './listen.js';
import { SERVICE_NAME } from '../service-name.js';

/** `npm start`: the key server alone on its embedded defaults (no AWS account needed); `npm run demo` adds the demo page. */
runLocal(async () => {
  const config = loadLocalConfig();
  const { server, app, baseUrl } = await listenLocalServer(config, JsonLineLogger.fromEnvironment(SERVICE_NAME));
  console.log(`SPEKE key server listening on ${baseUrl}`);
  console.log(`  POST ${baseUrl}/copyProtection    (the demo page is served by npm run demo)`);
  console.log(`  key URLs ${app.core.keyUrlPrefix}/<content ID>/<kid>, keys kept in ${config.s3 ? `s3://${config.s3.bucket}` : `${config.dataDir}/keys`}`);
  return server;
});
