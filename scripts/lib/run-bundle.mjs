// Runs the built Lambda bundles (the artefacts `sam build` produces from the template's esbuild
// metadata: speke.mjs, clearkey-license.mjs) in this Node process, against the loopback
// stand-ins of scripts/lib/local-aws.mjs.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deployedVariables, FUNCTION_IDS, lambdaContext, loadTemplate, runtimeVariables, startXrayReceiver, taskRootOf } from './lambda-environment.mjs';
import { startLocalAws } from './local-aws.mjs';

/** Stands in for the CloudFront domain the stack creates; key URLs are printed, never fetched. */
export const LOCAL_KEY_URL_PREFIX = 'https://d111111abcdef8.cloudfront.net';

/** Variables that could send SDK calls somewhere other than the stand-ins; removed before the bundle loads. */
const UNSET = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
];

export { lambdaContext };

const FUNCTION_PROCESS = fileURLToPath(new URL('./function-process.mjs', import.meta.url));

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
 *
 * By default tracing and metrics are off (a quiet local run). With `asDeployed`, each function
 * gets instead the environment it has once deployed (scripts/lib/lambda-environment.mjs: the
 * template's variables at default parameters, the Lambda runtime's own, tracing on with a loopback
 * X-Ray receiver, metrics on); only `env` and the stand-ins' endpoints override it. Each answer then
 * also tells how many X-Ray datagrams its invocation sent (`xrayDatagrams`).
 */
export async function startBundles(bundles, { env = {}, asDeployed = false } = {}) {
  if (asDeployed) return startDeployedBundles(bundles, { env });
  const aws = await startLocalAws();
  const handlers = {};
  try {
    for (const name of UNSET) Reflect.deleteProperty(process.env, name);
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
          if (value === undefined) Reflect.deleteProperty(process.env, key);
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

/**
 * As deployed, each function runs in a process of its own, as on Lambda (two bundles in one
 * process would also share the X-Ray SDK's global context, and one of them would trace nothing):
 * scripts/lib/function-process.mjs imports the bundle with the function's whole environment and
 * answers the events sent to it. The stand-ins and the X-Ray receiver stay in this process.
 */
async function startDeployedBundles(bundles, { env }) {
  const aws = await startLocalAws();
  let xray;
  try {
    xray = await startXrayReceiver();
  } catch (error) {
    await aws.stop();
    throw error;
  }
  const children = {};
  const stop = async () => {
    await Promise.all(
      Object.values(children).map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill();
          }),
      ),
    );
    await xray.close();
    await aws.stop();
  };
  try {
    const template = loadTemplate();
    // Nothing of this process's own settings but what a Lambda function also has (PATH, HOME).
    const base = Object.fromEntries(
      ['PATH', 'HOME', 'TMPDIR', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']
        .filter((k) => process.env[k] !== undefined)
        .map((k) => [k, process.env[k]]),
    );
    for (const [name, bundlePath] of Object.entries(bundles)) {
      const functionId = FUNCTION_IDS[name];
      if (!functionId) throw new Error(`no function of template.yaml is built as ${name}.mjs`);
      const { variables } = deployedVariables(template, functionId);
      const functionName = name === 'speke' ? 'speke-local' : `${name}-local`;
      const runtime = runtimeVariables(template, functionId, { functionName, taskRoot: taskRootOf(bundlePath), xrayDaemonAddress: xray.address });
      // The stand-ins' endpoints and fake credentials last: no call may leave loopback.
      const childEnv = { ...base, SPEKE_KEY_URL_PREFIX: LOCAL_KEY_URL_PREFIX, ...variables, ...runtime, ...env, ...aws.env };
      const child = spawn(process.execPath, [FUNCTION_PROCESS, bundlePath], { env: childEnv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children[name] = child;
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}.mjs did not start within 30 s`)), 30_000);
        child.once('message', (message) => {
          clearTimeout(timer);
          if (message.ready) resolve();
          else reject(new Error(`${bundlePath}: ${message.error}`));
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${bundlePath}: the function process exited with ${code} before it was ready`));
        });
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  let next = 0;
  return {
    aws,
    async invoke(event, name = bundleNameFor(event)) {
      const child = children[name];
      if (!child) throw new Error(`no ${name} bundle was started for ${event?.resource ?? event?.path}`);
      const id = ++next;
      const before = xray.count();
      // As Lambda stops a function at its Timeout (15 s in template.yaml), an answer is waited for 30 s at most.
      const reply = await new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        const onMessage = (message) => {
          if (message.id !== id) return;
          done();
          resolve(message);
        };
        const onExit = (code) => {
          done();
          reject(new Error(`the ${name} function process exited with ${code}`));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`the ${name} function did not answer within 30 s`));
        }, 30_000);
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ id, event });
      });
      if (reply.error) throw new Error(`${name}.mjs: ${reply.error}`);
      await xray.waitBeyond(before);
      return { ...reply.answer, xrayDatagrams: xray.count() - before, sourceMapsEnabled: reply.sourceMapsEnabled };
    },
    stop,
  };
}

/** One bundle, answering every event (the SPEKE function's unless `name` says otherwise). */
export async function startBundle(bundlePath, { env = {}, name = 'speke', asDeployed = false } = {}) {
  const runner = await startBundles({ [name]: bundlePath }, { env, asDeployed });
  return { ...runner, invoke: (event) => runner.invoke(event, name) };
}
