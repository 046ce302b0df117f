// Runs the built Lambda bundles (the artefacts `sam build` produces from the template's esbuild
// metadata: speke.mjs, clearkey-license.mjs) in this Node process, against the loopback
// stand-ins of scripts/lib/local-aws.mjs.
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
 * The template's function for an API Gateway event, by its route: `clearkey-license` for
 * /clearkey/license (ClearKeyLicenseFunction), `speke` for everything else (SpekeFunction). It is
 * also the bundle's file name (scripts/build.mjs) and the module of the function's Handler.
 */
export function bundleNameFor(event) {
  const route = String(event?.resource ?? event?.path ?? '');
  return route === '/clearkey/license' || route.startsWith('/clearkey/license/') ? 'clearkey-license' : 'speke';
}

/**
 * Variables the template sets on one function only (its own Environment, over Globals.Function).
 * SPEKE_KEY_ACCESS_TOKEN is left to the caller: export it to try the license route with a token.
 */
export const FUNCTION_ENV = {
  speke: { SPEKE_CLEARKEY_LICENSE: 'false' },
  'clearkey-license': { SPEKE_CLEARKEY_LICENSE: 'true' },
};

/**
 * Starts the stand-ins, sets the environment the template gives the functions (settings the
 * caller already exported win, except endpoints and credentials, and each function's own
 * variables), then imports each bundle — its configuration is read once, at import, as on a Lambda
 * cold start. All bundles share the stand-ins, so they see the same master secret.
 *
 * `bundles` maps a function's bundle name (`speke`, `clearkey-license`) to its .mjs file.
 */
export async function startBundles(bundles, { env = {} } = {}) {
  const aws = await startLocalAws();
  const handlers = {};
  try {
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
    for (const [name, bundlePath] of Object.entries(bundles)) {
      const own = FUNCTION_ENV[name] ?? {};
      const saved = Object.fromEntries(Object.keys(own).map((key) => [key, process.env[key]]));
      Object.assign(process.env, own);
      try {
        const module = await import(pathToFileURL(bundlePath).href);
        if (typeof module.handler !== 'function') throw new Error(`${bundlePath} does not export a handler`);
        handlers[name] = module.handler;
      } finally {
        for (const [key, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }
    }
  } catch (error) {
    await aws.stop();
    throw error;
  }
  return {
    aws,
    /** Calls bundle `name`'s handler (default: the one for the event's route). */
    async invoke(event, name = bundleNameFor(event)) {
      const handler = handlers[name];
      if (!handler) throw new Error(`no ${name} bundle was started for ${event?.resource ?? event?.path}`);
      return handler(event, lambdaContext(name === 'speke' ? 'speke-local' : `${name}-local`));
    },
    stop: () => aws.stop(),
  };
}

/** One bundle, answering every event (the SPEKE function's unless `name` says otherwise). */
export async function startBundle(bundlePath, { env = {}, name = 'speke' } = {}) {
  const runner = await startBundles({ [name]: bundlePath }, { env });
  return { ...runner, invoke: (event) => runner.invoke(event, name) };
}
