// Runs in a fresh `node` process started by bench/lambda-async-resources.ts, in the emulated Lambda
// environment of bench/lambda-warm.ts: warms the built SPEKE bundle up, then counts the async
// resources (async_hooks init, by type) its warm invocations create: each of them runs the X-Ray
// SDK's async hook (installed by importing the Tracer). Result: JSON per document, per invocation.
import { createHook } from 'node:async_hooks';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { nextInvocationContext as context } from './lambda-context.mjs';

const [bundlePath, specPath, resultPath] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const { handler } = await import(pathToFileURL(bundlePath).href);

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
