// Runs in a fresh `node` process started by bench/cold-start.ts: imports the bundled Lambda
// handler and answers one API Gateway event, timing import and first answer separately.
// Prints one line `BENCH_RESULT {...}` on stdout (the handler's own log lines go there too).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { lambdaContext } from './lambda-context.mjs';

const started = performance.now();
const [bundlePath, eventPath] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventPath, 'utf8'));
const context = lambdaContext('00000000-0000-4000-8000-000000000000');

const t0 = performance.now();
const { handler } = await import(pathToFileURL(bundlePath).href);
const t1 = performance.now();
const first = await handler(event, context);
const t2 = performance.now();
const second = await handler(event, { ...context, awsRequestId: '00000000-0000-4000-8000-000000000001' });
const t3 = performance.now();

const result = {
  nodeBootMs: started,
  importMs: t1 - t0,
  firstAnswerMs: t2 - t1,
  importAndFirstAnswerMs: t2 - t0,
  secondAnswerMs: t3 - t2,
  status: first.statusCode,
  secondStatus: second.statusCode,
  bodyBytes: Buffer.byteLength(first.body ?? ''),
};
process.stdout.write(`\nBENCH_RESULT ${JSON.stringify(result)}\n`);
