import { createLambdaDependencies } from '../composition.js';
import { loadLambdaConfig } from '../config.js';
import { logger, tracer } from '../observability.js';
import { createClearKeyLicenseHandler } from './clearkey-license-handler.js';

/** Lambda entry point for POST /clearkey/license (Handler clearkey-license.handler). Built once per cold start. */
const config = loadLambdaConfig();
export const handler = createClearKeyLicenseHandler({ app: createLambdaDependencies(config), enabled: config.clearKeyLicense, logger, tracer });
