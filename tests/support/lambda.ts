import { Tracer } from '@aws-lambda-powertools/tracer';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { createLambdaDependencies, type AwsClients } from '../../src/composition.js';
import { loadLambdaConfig } from '../../src/config.js';
import { createSpekeHandler } from '../../src/handlers/speke-handler.js';
import { capturingLogger, capturingMetrics } from './local-server.js';

/** An API Gateway REST proxy event for POST /copyProtection, as API Gateway builds it. */
export function apiGatewayEvent(body: string, options: { headers?: Record<string, string>; base64?: boolean } = {}): APIGatewayProxyEvent {
  return {
    resource: '/copyProtection',
    path: '/copyProtection',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/xml', ...options.headers },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'speke',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:speke',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/speke',
  logStreamName: '2026/11/24/[$LATEST]abc',
  getRemainingTimeInMillis: () => 10_000,
  // Context still declares the callback API of the Node.js 8 runtime (deprecated): the fake has no-ops.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  done: () => undefined,
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  fail: () => undefined,
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  succeed: () => undefined,
};

/** The Lambda environment the component tests run with (values as the template would set them). */
export const LAMBDA_TEST_ENV = {
  SPEKE_KEY_BUCKET: 'speke-keys',
  SPEKE_KEY_URL_PREFIX: 'https://d111111abcdef8.cloudfront.net',
  SPEKE_MASTER_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:speke-master-AbCdEf',
};

/** Fresh SDK clients (aws-sdk-client-mock's mockClient(S3Client) etc. intercept them); a fresh pair also means cold caches. */
export function testAwsClients(): AwsClients {
  return { s3: new S3Client({ region: 'us-east-1' }), secretsManager: new SecretsManagerClient({ region: 'us-east-1' }) };
}

/**
 * The SPEKE Lambda handler as the entry point builds it, over mocked AWS clients, with its log lines
 * and EMF metric lines captured and tracing disabled (or the given tracer).
 */
export function spekeHandlerUnderTest(options: { env?: Record<string, string>; tracer?: Tracer } = {}) {
  const logs: string[] = [];
  const emf: string[] = [];
  const app = createLambdaDependencies(loadLambdaConfig({ ...LAMBDA_TEST_ENV, ...options.env }), testAwsClients());
  const handler = createSpekeHandler({
    app,
    logger: capturingLogger(logs),
    tracer: options.tracer ?? new Tracer({ enabled: false }),
    metrics: capturingMetrics(emf),
  });
  return { handler, logs, emf };
}
