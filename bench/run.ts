/**
 * `npm run bench`: in-process benchmarks of the pure core on the fixed documents (a)–(f), the
 * stage shares of (c) and (f), what the two XML libraries alone cost on (a)–(c), the Lambda bundle
 * size and its cold start in fresh processes; then, against the public Python reference server
 * (../shared/baseline) on its three documents: the core and the reference handler in-process, both
 * servers over HTTP under the same load in this run, and the warm per-invocation cost of the
 * Lambda bundle as deployed (tracing and metrics on) next to the core alone, and again with no
 * invocation sampled, with tracing off and with Powertools silenced, with the floor under any
 * Middy wrapper.
 * Writes bench-results/bench-<time>.json and bench-results/bench-latest.json.
 *
 * Options: --quick (shorter sampling, fewer cold starts), --cases=a,b,… (subset),
 *          --no-cold-start, --no-reference (none of the comparison), --no-http, --no-lambda,
 *          --label=<text> (stored in the JSON), --rounds=<n>, --round-ms=<n>,
 *          --load=wrk|autocannon (default: wrk when installed), --http-threads=<n> (2),
 *          --http-connections=<n> (8), --http-duration=<s> (10), --http-runs=<n> (1).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { baselineDocuments, referenceInProcess, type ReferenceTiming } from './baseline.js';
import { benchContext } from './context.js';
import { compareHttp, type HttpComparison } from './http-compare.js';
import { measureLambdaComponents, PIECES, type LambdaComponentsRow, type Piece } from './lambda-components.js';
import { measureLambdaWarm, type LambdaWarmResult, type LambdaWarmRow } from './lambda-warm.js';
import { measureColdStart, type ColdStartResult } from './cold-start.js';
import { answerOnce, benchCases as runCases, benchPhases, libraryCost, PHASES, type CaseResult, type LibraryCost, type PhaseResult } from './core.js';
import { benchCases, v2TwoKeys } from './fixtures.js';
import { fmtUs, median, table } from './harness.js';

const TARGETS = { bundleBytes: 1.5 * 1024 * 1024, coldStartMs: 300 };

/** Issue 16: at least this many times the reference, per baseline document; the Lambda wrapper at most this share of the core. */
export const REFERENCE_TARGETS = {
  http: { 'v1-1': 6, 'v2-2': 10, 'v2-8': 10 } as Record<string, number>,
  inProcess: 15,
  lambdaWrapperOverCore: 0.3,
};

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    cases: { type: 'string' },
    'no-cold-start': { type: 'boolean', default: false },
    'no-reference': { type: 'boolean', default: false },
    'no-http': { type: 'boolean', default: false },
    'no-lambda': { type: 'boolean', default: false },
    load: { type: 'string' },
    'http-threads': { type: 'string', default: '2' },
    'http-connections': { type: 'string', default: '8' },
    'http-duration': { type: 'string', default: '10' },
    'http-runs': { type: 'string', default: '1' },
    label: { type: 'string' },
    rounds: { type: 'string' },
    'round-ms': { type: 'string' },
  },
});

function checkAnswers(context = benchContext()): void {
  for (const c of benchCases()) {
    const body = answerOnce(c, context);
    const clear = (body.match(/<pskc:PlainValue>/g) ?? []).length;
    const encrypted = (body.match(/<pskc:EncryptedValue>/g) ?? []).length;
    const expected = c.id === 'f' ? encrypted === c.keys + 2 && clear === 0 : clear === c.keys;
    if (!expected) throw new Error(`case (${c.id}) did not answer as expected (${clear} PlainValue, ${encrypted} EncryptedValue)`);
  }
}

async function main(): Promise<void> {
  const quick = values.quick;
  const wanted = values.cases?.split(',').map((s) => s.trim());
  const cases = benchCases().filter((c) => !wanted || wanted.includes(c.id));
  const context = benchContext();
  checkAnswers();

  const plan = {
    rounds: Number(values.rounds ?? (quick ? 2 : 5)),
    roundMs: Number(values['round-ms'] ?? (quick ? 300 : 1000)),
    warmUpMs: quick ? 300 : 1000,
    minSamples: 25,
  };
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.versions.node}`;
  console.log(`speke-key-server core benchmark — ${machine}`);
  console.log(`${plan.rounds} interleaved rounds × ${plan.roundMs} ms per case (after ${plan.warmUpMs} ms warm-up)\n`);

  const results = runCases(cases, context, plan);
  console.log(
    table(
      ['case', 'median', 'p99', 'keys/s', 'µs/key', 'round medians', 'samples', 'target'],
      results.map((r) => [
        `(${r.id}) ${r.title}`,
        fmtUs(r.stats.medianUs),
        fmtUs(r.stats.p99Us),
        Math.round(r.keysPerSecond).toLocaleString('en-US'),
        r.usPerKey.toFixed(1),
        `${fmtUs(Math.min(...r.roundMediansUs))}–${fmtUs(Math.max(...r.roundMediansUs))}`,
        String(r.stats.samples),
        r.targetMedianUs === undefined ? '' : `≤ ${r.targetMedianUs} µs ${r.targetMet ? 'met' : `MISSED by ${fmtUs(r.stats.medianUs - r.targetMedianUs)}`}`,
      ]),
    ),
  );

  const byId = new Map(results.map((r) => [r.id, r]));
  const linear = ['c', 'd', 'e'].every((id) => byId.has(id))
    ? {
        usPerKey: { c: byId.get('c')!.usPerKey, d: byId.get('d')!.usPerKey, e: byId.get('e')!.usPerKey },
        eOverC: byId.get('e')!.usPerKey / byId.get('c')!.usPerKey,
      }
    : undefined;
  if (linear) {
    console.log(
      `\nscaling (c) → (d) → (e): ${linear.usPerKey.c.toFixed(1)} → ${linear.usPerKey.d.toFixed(1)} → ${linear.usPerKey.e.toFixed(1)} µs per key ` +
        `(1,000-key cost per key is ${linear.eOverC.toFixed(2)}× the 8-key one)`,
    );
  }

  const phases: PhaseResult[] = [];
  for (const id of ['c', 'f']) {
    const c = cases.find((x) => x.id === id);
    if (c) phases.push(benchPhases(c, context, { ms: quick ? 1000 : 3000, minSamples: 50 }));
  }
  for (const p of phases) {
    console.log(`\nstages of (${p.caseId}) (key data = ${p.keyData}), share of the summed stage means (${fmtUs(p.totalMeanUs)}):`);
    console.log(
      table(
        ['stage', 'median', 'mean', 'share'],
        PHASES.map((name) => [name, fmtUs(p.phases[name].medianUs), fmtUs(p.phases[name].meanUs), `${(p.phases[name].share * 100).toFixed(1)} %`]),
      ),
    );
  }

  const libraries: LibraryCost[] = [];
  for (const c of cases.filter((x) => x.targetMedianUs !== undefined)) libraries.push(libraryCost(c, context, { ms: quick ? 600 : 2000 }));
  if (libraries.length > 0) {
    console.log('\nreading and rendering alone (medians), against each target:');
    console.log(
      table(
        [
          'case',
          'fast-xml-parser validate+parse (reference)',
          'read: one pass (requests)',
          'render: xmlbuilder2 (reference)',
          'render: direct (answers)',
          'whole request',
          'target',
        ],
        libraries.map((l) => {
          const r = byId.get(l.caseId)!;
          return [
            `(${l.caseId})`,
            fmtUs(l.fastXmlParserUs),
            fmtUs(l.readUs),
            fmtUs(l.xmlbuilder2RenderUs),
            fmtUs(l.renderUs),
            fmtUs(r.stats.medianUs),
            `≤ ${r.targetMedianUs} µs`,
          ];
        }),
      ),
    );
  }

  let cold: ColdStartResult | undefined;
  if (!values['no-cold-start']) {
    cold = await measureColdStart(v2TwoKeys(), quick ? 3 : 7);
    const m = cold.median;
    console.log(
      `\nbundle dist/speke/speke.mjs: ${(cold.bundleBytes / 1024).toFixed(0)} KiB (target ≤ 1,536 KiB${cold.bundleBytes <= TARGETS.bundleBytes ? ', met' : ', MISSED'}); source map ${(cold.sourceMapBytes / 1024).toFixed(0)} KiB`,
    );
    console.log(
      `cold start, fresh node process, case (b), median of ${cold.runs.length}: import ${m.importMs.toFixed(1)} ms + first answer ${m.firstAnswerMs.toFixed(1)} ms = ` +
        `${m.importAndFirstAnswerMs.toFixed(1)} ms (target ≤ ${TARGETS.coldStartMs} ms${m.importAndFirstAnswerMs <= TARGETS.coldStartMs ? ', met' : ', MISSED'}); ` +
        `second answer ${m.secondAnswerMs.toFixed(2)} ms; node's own boot before our code ${m.nodeBootMs.toFixed(1)} ms`,
    );
    const s = cold.withSourceMaps;
    console.log(
      `  with NODE_OPTIONS=--enable-source-maps (as template.yaml deploys): import ${s.importMs.toFixed(1)} ms + first answer ${s.firstAnswerMs.toFixed(1)} ms = ${s.importAndFirstAnswerMs.toFixed(1)} ms`,
    );
  }

  const reference = values['no-reference'] ? undefined : await compareWithReference(context, plan, quick);

  const report = {
    kind: 'speke-key-server/bench',
    label: values.label,
    date: new Date().toISOString(),
    machine,
    plan,
    cases: results satisfies CaseResult[],
    scaling: linear,
    phases,
    libraries,
    bundle: cold && {
      bytes: cold.bundleBytes,
      sourceMapBytes: cold.sourceMapBytes,
      targetBytes: TARGETS.bundleBytes,
      targetMet: cold.bundleBytes <= TARGETS.bundleBytes,
    },
    coldStart: cold && { ...cold, targetMs: TARGETS.coldStartMs, targetMet: cold.median.importAndFirstAnswerMs <= TARGETS.coldStartMs },
    reference,
  };
  await mkdir('bench-results', { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(report, null, 2)}\n`;
  await writeFile(`bench-results/bench-${stamp}.json`, json);
  await writeFile('bench-results/bench-latest.json', json);
  console.log(`\nwritten bench-results/bench-${stamp}.json and bench-results/bench-latest.json`);
}

/** Powertools Logger and Metrics writing nothing (with POWERTOOLS_TRACE_ENABLED=false: no Powertools work per invocation). */
const POWERTOOLS_SILENCED = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' };

/** A warm-invocation row's cells: invocation, core alone, what the wrapper adds. */
const warmCells = (row: LambdaWarmRow) => [fmtUs(row.handlerMedianUs), fmtUs(row.coreMedianUs), `${row.wrapperOverCore.toFixed(2)}× core`];

const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
const times = (x: number) => `${x.toFixed(1)}×`;

interface ReferenceReport {
  inProcess: {
    id: string;
    title: string;
    oursMedianUs: number;
    referenceMedianUs: number;
    ratio: number;
    roundRatios: number[];
    targetRatio: number;
    targetMet: boolean;
  }[];
  http?: HttpComparison & { targets: Record<string, number> };
  lambda?: LambdaWarmResult & {
    targetWrapperOverCore: number;
    /** Tracing on, no invocation sampled (Sampled=0): subsegments built, none sent. */
    unsampled: LambdaWarmResult;
    withoutTracing: LambdaWarmResult;
    /** Tracing off, and Logger and Metrics told to write nothing: what Middy, the edge and the service step cost without Powertools' work. */
    silenced: LambdaWarmResult;
    components: LambdaComponentsRow[];
  };
}

/** The comparison with the Python reference server on its own three documents (../shared/baseline). */
async function compareWithReference(
  context: ReturnType<typeof benchContext>,
  plan: { rounds: number; roundMs: number; warmUpMs: number; minSamples: number },
  quick: boolean,
): Promise<ReferenceReport | undefined> {
  const docs = baselineDocuments();
  if (!docs) {
    console.log('\n../shared/baseline is not there: no comparison with the reference server');
    return undefined;
  }
  const asCases = docs.map((d) => ({ id: d.id, title: d.title, body: d.body, spekeVersionHeader: d.spekeVersionHeader, keys: 0 }));
  // Paired rounds: a reference round (its own Python process), then ours, `plan.rounds` times, so
  // that background load hits both alike; the ratio is the median of the rounds' ratios.
  const rounds: { ref: ReferenceTiming[]; ours: number[] }[] = [];
  for (let r = 0; r < plan.rounds; r++) {
    const ref = await referenceInProcess(docs, { roundMs: plan.roundMs, rounds: 1 });
    const ours = runCases(asCases, context, { ...plan, rounds: 1, warmUpMs: plan.warmUpMs / 4 }).map((c) => c.stats.medianUs);
    rounds.push({ ref, ours });
  }
  const inProcess = docs.map((d, i) => {
    const o = median(rounds.map((r) => r.ours[i]!));
    const ref = median(rounds.map((r) => r.ref[i]!.medianUs));
    const ratio = median(rounds.map((r) => r.ref[i]!.medianUs / r.ours[i]!));
    return {
      id: d.id,
      title: d.title,
      oursMedianUs: o,
      referenceMedianUs: ref,
      ratio,
      roundRatios: rounds.map((r) => r.ref[i]!.medianUs / r.ours[i]!),
      targetRatio: REFERENCE_TARGETS.inProcess,
      targetMet: ratio >= REFERENCE_TARGETS.inProcess,
    };
  });
  console.log(
    `\nagainst the Python reference server (../shared/baseline), its documents, in-process (handler call vs core; ${plan.rounds} paired rounds × ${plan.roundMs} ms per document; medians; ratio = median of the rounds' ratios):`,
  );
  console.log(
    table(
      ['document', 'reference', 'ours', 'ratio', 'round ratios', 'target'],
      inProcess.map((r) => [
        r.title,
        fmtUs(r.referenceMedianUs),
        fmtUs(r.oursMedianUs),
        times(r.ratio),
        r.roundRatios.map((x) => x.toFixed(1)).join(' / '),
        `≥ ${r.targetRatio}× ${met(r.targetMet)}`,
      ]),
    ),
  );
  const report: ReferenceReport = { inProcess };

  if (!values['no-http']) {
    const http = await compareHttp({
      settings: { threads: Number(values['http-threads']), connections: Number(values['http-connections']), durationS: Number(values['http-duration']) },
      warmUpS: quick ? 1 : 2,
      runs: Number(values['http-runs']),
      ...(values.load ? { load: values.load } : {}),
    });
    if (http) {
      report.http = { ...http, targets: REFERENCE_TARGETS.http };
      console.log(
        `\nover HTTP on loopback, both servers in this run (${http.generator} each, after ${http.warmUpS} s warm-up; the local server logs one line per request):`,
      );
      console.log(
        table(
          ['document', 'reference req/s', 'ours req/s', 'ratio', 'ours p50 / p99', 'failures', 'target'],
          http.rows.map((r) => {
            const target = REFERENCE_TARGETS.http[r.id]!;
            return [
              r.title,
              Math.round(r.reference.requestsPerSecond).toLocaleString('en-US'),
              Math.round(r.ours.requestsPerSecond).toLocaleString('en-US'),
              times(r.ratio),
              `${r.ours.p50Ms.toFixed(2)} / ${r.ours.p99Ms.toFixed(2)} ms`,
              String(r.ours.failures + r.reference.failures),
              `≥ ${target}× ${met(r.ratio >= target)}`,
            ];
          }),
        ),
      );
    }
  }

  if (!values['no-lambda']) {
    const plan = { rounds: quick ? 2 : 5, callsPerRound: quick ? 100 : 300, warmUpCalls: quick ? 50 : 200 };
    // As deployed (Tracing: Active), every invocation sampled (the worst case); then none sampled
    // (most invocations at volume); then POWERTOOLS_TRACE_ENABLED=false: what tracing costs.
    const lambda = await measureLambdaWarm(docs, plan);
    const unsampled = await measureLambdaWarm(docs, { ...plan, sampled: false });
    const untraced = await measureLambdaWarm(docs, { ...plan, tracing: false });
    // And with Powertools told to do nothing per invocation (no line, no EMF record, no trace): the rest of the wrapper.
    const silenced = await measureLambdaWarm(docs, { ...plan, tracing: false, overrides: POWERTOOLS_SILENCED });
    // Each piece of a warm invocation timed alone, in the same emulated environment (tracing on).
    const components = await measureLambdaComponents(docs, plan);
    report.lambda = {
      ...lambda,
      targetWrapperOverCore: REFERENCE_TARGETS.lambdaWrapperOverCore,
      unsampled,
      withoutTracing: untraced,
      silenced,
      components: components.rows,
    };
    console.log(
      `\nLambda bundle as deployed, warm invocations (tracing on: ${lambda.traceDatagrams} X-Ray datagrams; metrics on: ` +
        `${lambda.metricRecords} EMF records and ${lambda.logLines} log lines for ${lambda.invocations} invocations), medians, next to the core alone in the same process:`,
    );
    console.log(
      table(
        [
          'document',
          'invocation',
          'core alone',
          'wrapper adds',
          'target',
          'not sampled: invocation',
          'core',
          'adds',
          'tracing off: invocation',
          'core',
          'adds',
          'Powertools silenced: invocation',
          'core',
          'adds',
        ],
        lambda.rows.map((r, i) => [
          r.title,
          ...warmCells(r),
          `≤ ${REFERENCE_TARGETS.lambdaWrapperOverCore}× ${met(r.wrapperOverCore <= REFERENCE_TARGETS.lambdaWrapperOverCore)}`,
          ...[unsampled, untraced, silenced].flatMap((run) => warmCells(run.rows[i]!)),
        ]),
      ),
    );
    console.log('\nwhat a warm invocation is made of, each piece timed alone in the same environment (tracing on), medians:');
    console.log(
      table(
        ['piece', ...components.rows.map((r) => r.title)],
        (Object.keys(PIECES) as Piece[]).map((piece) => [
          PIECES[piece],
          ...components.rows.map((r) => (r.medianUs[piece] === undefined ? '–' : fmtUs(r.medianUs[piece]))),
        ]),
      ),
    );
    // What no wrapper can go below: bare Middy with one line, plus the service step's own work
    // around the core (secret cache, published-key memo), against what the target allows.
    console.log('\nthe floor under any Middy wrapper (bare Middy + one line, plus the service step over the core), against the target:');
    console.log(
      table(
        ['document', 'floor', 'service step − core', 'together', `target allows (${REFERENCE_TARGETS.lambdaWrapperOverCore}× core)`, 'fits'],
        components.rows.map((r) => {
          const { floor = NaN, service = NaN, core = NaN } = r.medianUs;
          const allowed = REFERENCE_TARGETS.lambdaWrapperOverCore * core;
          return [
            r.title,
            fmtUs(floor),
            fmtUs(service - core),
            fmtUs(floor + service - core),
            fmtUs(allowed),
            floor + service - core <= allowed ? 'yes' : 'no',
          ];
        }),
      ),
    );
  }
  return report;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
