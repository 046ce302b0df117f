// The environment a function of template.yaml runs in once deployed, for running its bundle here
// "as deployed" (npm run invoke -- --as-deployed, and the bundle tests):
// - the function's variables as the stack sets them with default parameters: Globals.Function
//   merged with the function's own, literal values as written and `!Ref <parameter>` as that
//   parameter's default; values made from resources (bucket, secret, distribution) are the
//   loopback stand-ins' (scripts/lib/local-aws.mjs) and left to the caller;
// - what the Lambda runtime adds: function name, memory, version, log group, AWS_EXECUTION_ENV,
//   LAMBDA_TASK_ROOT, and, with Tracing: Active, the X-Ray daemon address (here a UDP receiver on
//   loopback that counts what the X-Ray SDK sends) and a fresh _X_AMZN_TRACE_ID per invocation.
import { randomBytes, randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { yamlParse } from 'yaml-cfn';

export const TEMPLATE_FILE = fileURLToPath(new URL('../../template.yaml', import.meta.url));

/** The template's function for each bundle name of scripts/build.mjs. */
export const FUNCTION_IDS = { speke: 'SpekeFunction', 'clearkey-license': 'ClearKeyLicenseFunction' };

export function loadTemplate() {
  return yamlParse(readFileSync(TEMPLATE_FILE, 'utf8'));
}

function parameterDefault(template, name) {
  const parameter = template.Parameters?.[name];
  if (!parameter || parameter.Default === undefined) return undefined;
  return Array.isArray(parameter.Default) ? parameter.Default.join(',') : String(parameter.Default);
}

/**
 * The variables `functionId` gets from the template with every parameter at its default, and the
 * names left out because a resource (or a condition) makes their value.
 */
export function deployedVariables(template, functionId) {
  const resource = template.Resources?.[functionId];
  if (!resource || resource.Type !== 'AWS::Serverless::Function') throw new Error(`template.yaml has no function ${functionId}`);
  const merged = { ...(template.Globals?.Function?.Environment?.Variables ?? {}), ...(resource.Properties?.Environment?.Variables ?? {}) };
  const variables = {};
  const fromResources = [];
  for (const [name, value] of Object.entries(merged)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') variables[name] = String(value);
    else if (value && typeof value === 'object' && typeof value.Ref === 'string' && parameterDefault(template, value.Ref) !== undefined)
      variables[name] = parameterDefault(template, value.Ref);
    else fromResources.push(name);
  }
  return { variables, fromResources };
}

/** What the Lambda runtime sets for `functionId` (its name here is `<bundle>-local`). */
export function runtimeVariables(template, functionId, { functionName, taskRoot, xrayDaemonAddress }) {
  const props = template.Resources[functionId].Properties;
  const runtime = props.Runtime ?? template.Globals?.Function?.Runtime;
  return {
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(props.MemorySize ?? 128),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
    // Without it Powertools takes every invocation for a warm one (no ColdStart metric or annotation).
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: taskRoot,
    ...(props.Tracing === 'Active' ? { AWS_XRAY_DAEMON_ADDRESS: xrayDaemonAddress, AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR' } : {}),
  };
}

/** A sampled X-Ray trace header, as Lambda sets _X_AMZN_TRACE_ID for each invocation of a traced function. */
export function newTraceHeader() {
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
}

/** A UDP receiver on loopback standing in for the X-Ray daemon; counts the segment documents it gets. */
export async function startXrayReceiver() {
  const socket = createSocket('udp4');
  let datagrams = 0;
  let waiters = [];
  socket.on('message', () => {
    datagrams++;
    for (const wake of waiters) wake();
    waiters = [];
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    count: () => datagrams,
    /** Resolves once more than `seen` datagrams have arrived, or after `ms`. */
    waitBeyond(seen, ms = 1_000) {
      if (datagrams > seen) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

export const taskRootOf = (bundlePath) => dirname(bundlePath);

/** A Lambda context object with the fields Powertools reads. */
export function lambdaContext(functionName = 'speke-local') {
  const deadline = Date.now() + 15_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    // As deployed the runtime variables carry the function's MemorySize (256 for the license function).
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
