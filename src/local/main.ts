import { loadLocalConfig } from '../config.js';
import { JsonLineLogger } from './json-line-logger.js';
import { listenLocalServer, runLocal } from './listen.js';
import { SERVICE_NAME } from '../service-name.js';

/** `npm start`: the local server on its embedded defaults (no AWS account needed). */
runLocal(async () => {
  const config = loadLocalConfig();
  const { server, app, baseUrl } = await listenLocalServer(config, JsonLineLogger.fromEnvironment(SERVICE_NAME));
  console.log(`SPEKE key server listening on ${baseUrl}`);
  console.log(`  POST ${baseUrl}/copyProtection    demo page ${baseUrl}/`);
  console.log(`  key URLs ${app.core.keyUrlPrefix}/<content ID>/<kid>, keys kept in ${config.s3 ? `s3://${config.s3.bucket}` : `${config.dataDir}/keys`}`);
  return server;
});
