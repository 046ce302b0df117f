/**
 * Async resources per warm invocation of the Lambda bundle as deployed (tracing on): builds
 * dist/speke/speke.mjs as `npm run build` does (into a temporary folder) and counts, in the
 * emulated Lambda environment of bench/lambda-warm.ts, what its warm invocations create
 * (async_hooks init, by type: promises, timers, ticks): importing the Tracer installs the X-Ray
 * SDK's async hook, which runs for each of them. Not timed; run with
 * `npx tsx bench/lambda-async-resources.ts`.
 */
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHandler } from '../scripts/build.mjs';
import { baselineDocuments } from './baseline.js';
import { documentsSpec, runInLambdaEnvironment } from './lambda-warm.js';

const CHILD = fileURLToPath(new URL('./lambda-async-resources-child.mjs', import.meta.url));

const docs = baselineDocuments();
if (!docs) throw new Error('../shared/baseline is not there (its three documents are counted)');
const run = await runInLambdaEnvironment({ taskRoot: 'speke', tracing: true }, CHILD, async (dir) => {
  await buildHandler({ outdir: join(dir, 'speke') });
  const specFile = join(dir, 'spec.json');
  await writeFile(specFile, documentsSpec(docs, { rounds: 1, callsPerRound: 50, warmUpCalls: 20 }));
  return [join(dir, 'speke', 'speke.mjs'), specFile, join(dir, 'result.json')];
});
try {
  const counts = JSON.parse(await readFile(join(run.dir, 'result.json'), 'utf8')) as Record<string, Record<string, number>>;
  console.log('async resources per warm invocation (async_hooks init), bundle as deployed, tracing on:');
  for (const d of docs)
    console.log(
      `  ${d.title}: ${Object.entries(counts[d.id] ?? {})
        .map(([type, n]) => `${type} ${String(n)}`)
        .join(', ')}`,
    );
} finally {
  await run.cleanup();
}
