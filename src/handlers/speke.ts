import { createAwsClients, createLambdaDependencies } from '../composition.js';
import { loadLambdaConfig } from '../config.js';
import { logger, metrics, tracer } from '../observability.js';
import { createSpekeHandler } from './speke-handler.js';

/** Lambda entry point (template.yaml: Handler speke.handler). Built once per cold start. */
export const handler = createSpekeHandler({
  app: createLambdaDependencies(loadLambdaConfig(), createAwsClients(tracer)),
  logger,
  tracer,
  metrics,
});
