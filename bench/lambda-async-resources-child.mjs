// Runs in a fresh `node` process started by bench/lambda-async-resources.ts, in the emulated Lambda
// environment of bench/lambda-warm.ts: warms the built SPEKE bundle up, then counts the async
// resources (async_hooks init, by type) its warm invocations create: each of them runs the X-Ray
// SDK's async hook (installed by importing the Tracer). Result: JSON per document, per invocation.
import { createHook } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundlePath, specPath, resultPath] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const { handler } = await import(pathToFileURL(bundlePath).href);

let invocation = 0;
function context() {
  const id = `00000000-0000-4000-8000-${String(++invocation).padStart(12, '0')}`;
  process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
  return {
    functionName: 'speke-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:speke-bench',
    memoryLimitInMB: '512',
    awsRequestId: id,
    logGroupName: '/aws/lambda/speke-bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 15_000,
  };
}
// Not an async function: the count then holds only the handler's own, and the one promise of the
// caller's await (as the Lambda runtime awaits the handler).
const invoke = (doc) => handler({ ...doc.event, headers: { ...doc.event.headers } }, context());

let counts = {};
const hook = createHook({ init: (_id, type) => void (counts[type] = (counts[type] ?? 0) + 1) });
const result = {};
for (const doc of spec.documents) {
  for (let i = 0; i < spec.warmUpCalls; i++) {
    const answer = await invoke(doc);
    if (answer.statusCode !== 200) throw new Error(`${doc.id}: HTTP ${answer.statusCode}`);
  }
  counts = {};
  hook.enable();
  for (let i = 0; i < spec.callsPerRound; i++) await invoke(doc);
  hook.disable();
  // The two trace-header IDs this script draws per invocation are not the handler's.
  if (counts.RANDOMBYTESREQUEST !== undefined) counts.RANDOMBYTESREQUEST -= 2 * spec.callsPerRound;
  result[doc.id] = Object.fromEntries(
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([type, n]) => [type, n / spec.callsPerRound]),
  );
}
writeFileSync(resultPath, JSON.stringify(result));
