import { createAwsClients, createLambdaDependencies } from '../composition.js';
import { loadLambdaConfig } from '../config.js';
import { logger, tracer } from '../observability.js';
import { createClearKeyLicenseHandler } from './clearkey-license-handler.js';

/** Lambda entry point for POST /clearkey/license (Handler clearkey-license.handler). Built once per cold start. */
const config = loadLambdaConfig();
export const handler = createClearKeyLicenseHandler({
  app: createLambdaDependencies(config, createAwsClients(tracer), { createContentSecrets: false }),
  enabled: config.clearKeyLicense,
  accessToken: config.keyAccessToken,
  logger,
  tracer,
});
