// Runs in a fresh `node` process started by bench/lambda-components.ts, in the emulated Lambda
// environment of bench/lambda-warm.ts: imports the components bundle (bench/lambda-components-entry.ts
// bundled like dist/speke/speke.mjs), warms the handler up, then times each piece of a warm
// invocation alone, interleaved round by round, next to the whole handler and the core.
// Result: JSON written to the file named by the last argument (stdout carries the logs and EMF).
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { nextInvocationContext as context } from './lambda-context.mjs';

const [bundlePath, specPath, resultPath] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const { handler, answerCore, service, components } = await import(pathToFileURL(bundlePath).href);

const now = () => process.hrtime.bigint();
const docs = spec.documents.map((d) => ({ ...d, body: Buffer.from(d.bodyBase64, 'base64') }));
for (const doc of docs) for (let i = 0; i < spec.warmUpCalls; i++) await handler({ ...doc.event, headers: { ...doc.event.headers } }, context());
// The pieces below read header names as the handler's middleware leaves them: lower-case.
for (const doc of docs) doc.event.headers = Object.fromEntries(Object.entries(doc.event.headers).map(([k, v]) => [k.toLowerCase(), v]));

/** Each piece: a function of (doc, context, outcome), timed one call at a time. */
const pieces = {
  handler: (doc, ctx, event) => handler(event, ctx),
  core: (doc) => answerCore(doc.body, doc.spekeVersionHeader),
  service: (doc) => service(doc.event),
  decodeEvent: (doc) => components.decodeEvent(doc.event),
  edge: () => components.edge(),
  floor: (_doc, ctx, event) => components.floor(event, ctx),
  stdoutWrite: () => void components.stdoutWrite(),
  loggerContext: (_doc, ctx) => components.loggerContext(ctx),
  logLine: (doc) => components.logLine(doc.outcome),
  metrics: (doc) => components.metrics(doc.outcome),
  trace: (doc) => components.trace(doc.outcome),
};
for (const doc of docs) {
  const facts = {};
  await service(doc.event, facts);
  doc.outcome = { facts, status: 200, durationMs: 0.5 };
}
const samples = Object.fromEntries(docs.map((d) => [d.id, Object.fromEntries(Object.keys(pieces).map((p) => [p, []]))]));
for (let r = 0; r < spec.rounds; r++) {
  for (const doc of docs) {
    for (const [name, run] of Object.entries(pieces)) {
      if (name === 'trace' && process.env.POWERTOOLS_TRACE_ENABLED === 'false') continue;
      for (let i = 0; i < spec.callsPerRound; i++) {
        const ctx = context();
        const event = { ...doc.event, headers: { ...doc.event.headers } };
        const t0 = now();
        const out = run(doc, ctx, event);
        if (out !== null && typeof out === 'object' && typeof out.then === 'function') await out;
        samples[doc.id][name].push(Number(now() - t0) / 1e3);
      }
    }
  }
}
writeFileSync(resultPath, JSON.stringify({ samples }));
