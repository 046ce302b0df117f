// Runs in a fresh `node` process started by bench/lambda-warm.ts, in an emulated Lambda
// environment: imports the built SPEKE bundle (dist/speke/speke.mjs as deployed) and the core
// bundle, then times warm invocations of each, interleaved, one call at a time. Every invocation
// gets its own request ID and _X_AMZN_TRACE_ID, as the Lambda runtime sets them.
// Result: JSON written to the file named by the last argument (stdout carries the handler's logs and EMF).
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { invocationCount, nextInvocationContext as context } from './lambda-context.mjs';

const [bundlePath, corePath, specPath, resultPath] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const { handler } = await import(pathToFileURL(bundlePath).href);
const { answerCore } = await import(pathToFileURL(corePath).href);

const now = () => process.hrtime.bigint();
const us = (t0) => Number(now() - t0) / 1e3;

async function invoke(doc) {
  // A fresh event and context per invocation, as the Lambda runtime gives them (the handler lower-cases header names in place).
  const event = { ...doc.event, headers: { ...doc.event.headers } };
  const ctx = context();
  const t0 = now();
  const answer = await handler(event, ctx);
  const t = us(t0);
  if (answer.statusCode !== 200) throw new Error(`${doc.id}: the handler answered HTTP ${answer.statusCode}: ${answer.body}`);
  return t;
}

function core(doc) {
  const t0 = now();
  answerCore(doc.body, doc.spekeVersionHeader);
  return us(t0);
}

const docs = spec.documents.map((d) => ({ ...d, body: Buffer.from(d.bodyBase64, 'base64') }));
const samples = Object.fromEntries(docs.map((d) => [d.id, { handler: [], core: [], invocations: 0 }]));
// Warm-up: the first invocation is the cold one (SDK client, secret fetch, first S3 put).
for (const doc of docs) {
  for (let i = 0; i < spec.warmUpCalls; i++) {
    await invoke(doc);
    core(doc);
  }
}
const warmInvocations = invocationCount();
for (let r = 0; r < spec.rounds; r++) {
  for (const doc of docs) {
    const s = samples[doc.id];
    for (let i = 0; i < spec.callsPerRound; i++) {
      s.handler.push(await invoke(doc));
      s.core.push(core(doc));
      s.invocations++;
    }
  }
}
writeFileSync(resultPath, JSON.stringify({ warmUpInvocations: warmInvocations, totalInvocations: invocationCount(), samples }));
