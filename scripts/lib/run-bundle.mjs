// Runs the built Lambda bundle (the artefact `sam build` produces from the template's esbuild
// metadata) in this Node process, against the loopback stand-ins of scripts/lib/local-aws.mjs.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { startLocalAws } from './local-aws.mjs';

/** Stands in for the CloudFront domain the stack creates; key URLs are printed, never fetched. */
export const LOCAL_KEY_URL_PREFIX = 'https://d111111abcdef8.cloudfront.net';

/** Variables that could send SDK calls somewhere other than the stand-ins; removed before the bundle loads. */
const UNSET = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN'];

/** A Lambda context object with the fields Powertools reads. */
export function lambdaContext(functionName = 'speke-local') {
  const deadline = Date.now() + 15_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Starts the stand-ins, sets the environment the template gives the function (settings the caller
 * already exported win, except endpoints and credentials), then imports the bundle — its
 * configuration is read once, at import, as on a Lambda cold start.
 */
export async function startBundle(bundlePath, { env = {} } = {}) {
  const aws = await startLocalAws();
  for (const name of UNSET) delete process.env[name];
  const defaults = {
    SPEKE_KEY_URL_PREFIX: LOCAL_KEY_URL_PREFIX,
    POWERTOOLS_SERVICE_NAME: 'speke-key-server',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  for (const [name, value] of Object.entries(defaults)) if (!process.env[name]) process.env[name] = value;
  Object.assign(process.env, env, aws.env, { POWERTOOLS_TRACE_ENABLED: 'false' });
  const module = await import(pathToFileURL(bundlePath).href);
  if (typeof module.handler !== 'function') throw new Error(`${bundlePath} does not export a handler`);
  return {
    aws,
    async invoke(event) {
      return module.handler(event, lambdaContext());
    },
    stop: () => aws.stop(),
  };
}

