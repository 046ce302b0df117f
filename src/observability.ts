import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './service-name.js';

/**
 * Logger, Tracer and Metrics, created once per process as Powertools recommends. Nothing here may
 * ever be given a key, an IV, a secret or a request/response body: calls pass counts and identifiers.
 */
export { SERVICE_NAME };
export const METRICS_NAMESPACE = 'SpekeKeyServer';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
