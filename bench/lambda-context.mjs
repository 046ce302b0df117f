// The Lambda context the bench's child processes hand the bundle (as the Lambda runtime builds it),
// shared by bench/cold-start-child.mjs, lambda-warm-child.mjs, lambda-components-child.mjs and
// lambda-async-resources-child.mjs.
import { randomBytes } from 'node:crypto';

/** A context for one invocation with the given request ID. */
export function lambdaContext(awsRequestId) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'speke-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:speke-bench',
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: '/aws/lambda/speke-bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 15_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

let invocation = 0;
const SAMPLED = process.env.BENCH_XRAY_SAMPLED === 'false' ? '0' : '1';

/** How many invocation contexts nextInvocationContext() has built in this process. */
export const invocationCount = () => invocation;

/**
 * The next invocation's context: its own request ID and, as the Lambda runtime sets it per
 * invocation, a fresh _X_AMZN_TRACE_ID: sampled, unless the bench set BENCH_XRAY_SAMPLED=false
 * (bench/lambda-warm.ts lambdaEnvironment).
 */
export function nextInvocationContext() {
  const id = `00000000-0000-4000-8000-${String(++invocation).padStart(12, '0')}`;
  process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=${SAMPLED}`;
  return lambdaContext(id);
}
