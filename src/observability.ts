import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Logger and Tracer, created once per process as Powertools recommends. Nothing here may ever be
 * given a key, an IV, a secret or a request/response body: log calls pass counts and identifiers.
 */
export const SERVICE_NAME = 'speke-key-server';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });
