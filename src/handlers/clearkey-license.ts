import { createAwsClients, createClearKeyLicenseDependencies, createLicenseAccessToken, createPlayerTokenKey } from '../composition.js';
import { loadLambdaConfig } from '../config.js';
import { logger, tracer } from '../observability.js';
import { createClearKeyLicenseHandler } from './clearkey-license-handler.js';

/** Lambda entry point for POST /clearkey/license (Handler clearkey-license.handler). Built once per cold start. */
const config = loadLambdaConfig();
const clients = createAwsClients(tracer);
export const handler = createClearKeyLicenseHandler({
  app: createClearKeyLicenseDependencies(config, clients),
  enabled: config.clearKeyLicense,
  accessToken: createLicenseAccessToken(config, clients),
  playerTokenKey: createPlayerTokenKey(config, clients),
  logger,
  tracer,
});
