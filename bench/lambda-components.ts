/**
 * What each piece of a warm SPEKE invocation costs, in the emulated Lambda environment of
 * bench/lambda-warm.ts (tracing and metrics on, loopback AWS stand-ins, X-Ray over UDP): the pieces
 * of bench/lambda-components-entry.ts bundled like dist/speke/speke.mjs and timed alone, one call at
 * a time, in one fresh process, next to the whole handler and the core. Medians per document; the
 * pieces do not add up exactly to the handler (each is timed apart, its own warm caches).
 */
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';
import { bundleLikeLambda, documentsSpec, runInLambdaEnvironment, type WarmDocument } from './lambda-warm.js';

const CHILD = fileURLToPath(new URL('./lambda-components-child.mjs', import.meta.url));
const ENTRY = fileURLToPath(new URL('./lambda-components-entry.ts', import.meta.url));

export const PIECES = {
  handler: 'whole invocation (the deployed handler)',
  core: 'core alone (read, derive, signal, render)',
  service: 'service step: copyProtection (secret cache, published-key memo, grants) around the core',
  decodeEvent: 'event body decoded, X-Speke-Version looked up',
  edge: 'answerAtEdge itself (timing, outcome), silent logger',
  floor: 'floor: bare Middy (one empty middleware, early timeout on, handler answers at once) + one 400-byte line to stdout',
  stdoutWrite: 'a 400-byte line written to stdout as it is (the floor under each line)',
  loggerContext: 'Powertools Logger: addContext (request ID, cold start)',
  logLine: 'Powertools Logger: the request line, formatted and written to stdout',
  metrics: 'Powertools Metrics: the request metrics, one EMF record written to stdout',
  trace: 'Powertools Tracer: handler subsegment, 5 annotations, closed and sent (UDP)',
} as const;

export type Piece = keyof typeof PIECES;

export interface LambdaComponentsRow {
  id: string;
  title: string;
  medianUs: Partial<Record<Piece, number>>;
}

export async function measureLambdaComponents(
  docs: WarmDocument[],
  options: { rounds: number; callsPerRound: number; warmUpCalls: number; tracing?: boolean; nodeFlags?: string[] },
): Promise<{ tracing: boolean; rows: LambdaComponentsRow[] }> {
  const tracing = options.tracing ?? true;
  const run = await runInLambdaEnvironment({ taskRoot: 'components', tracing, nodeFlags: options.nodeFlags }, CHILD, async (dir) => {
    const bundle = await bundleLikeLambda('components', ENTRY, join(dir, 'components'));
    const specFile = join(dir, 'spec.json');
    await writeFile(specFile, documentsSpec(docs, options));
    return [bundle, specFile, join(dir, 'result.json')];
  });
  try {
    const { samples } = JSON.parse(await readFile(join(run.dir, 'result.json'), 'utf8')) as { samples: Record<string, Record<Piece, number[]>> };
    const rows = docs.map((d) => ({
      id: d.id,
      title: d.title,
      medianUs: Object.fromEntries(
        Object.entries(samples[d.id]!)
          .filter(([, s]) => s.length > 0)
          .map(([piece, s]) => [piece, median(s)]),
      ),
    }));
    return { tracing, rows };
  } finally {
    await run.cleanup();
  }
}
