/**
 * `npm run bench`: in-process benchmarks of the pure core on the fixed documents (a)–(f), the
 * stage shares of (c) and (f), what the two XML libraries alone cost on (a)–(c) (the floor under
 * each target), the Lambda bundle size and its cold start in fresh processes.
 * Writes bench-results/bench-<time>.json and bench-results/bench-latest.json.
 *
 * Options: --quick (shorter sampling, fewer cold starts), --cases=a,b,… (subset),
 *          --no-cold-start, --label=<text> (stored in the JSON), --rounds=<n>, --round-ms=<n>.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { benchContext } from './context.js';
import { measureColdStart, type ColdStartResult } from './cold-start.js';
import { answerOnce, benchCases as runCases, benchPhases, libraryCost, PHASES, type CaseResult, type LibraryCost, type PhaseResult } from './core.js';
import { benchCases, v2TwoKeys } from './fixtures.js';
import { fmtUs, table } from './harness.js';

const TARGETS = { bundleBytes: 1.5 * 1024 * 1024, coldStartMs: 300 };

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    cases: { type: 'string' },
    'no-cold-start': { type: 'boolean', default: false },
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
    ? { usPerKey: { c: byId.get('c')!.usPerKey, d: byId.get('d')!.usPerKey, e: byId.get('e')!.usPerKey }, eOverC: byId.get('e')!.usPerKey / byId.get('c')!.usPerKey }
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
    console.log('\nthe XML libraries alone (medians), against each target:');
    console.log(
      table(
        ['case', 'fast-xml-parser validate+parse', 'render (xmlbuilder2)', 'sum', 'whole request', 'target'],
        libraries.map((l) => {
          const r = byId.get(l.caseId)!;
          return [`(${l.caseId})`, fmtUs(l.fastXmlParserUs), fmtUs(l.renderUs), fmtUs(l.fastXmlParserUs + l.renderUs), fmtUs(r.stats.medianUs), `≤ ${r.targetMedianUs} µs`];
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
    bundle: cold && { bytes: cold.bundleBytes, sourceMapBytes: cold.sourceMapBytes, targetBytes: TARGETS.bundleBytes, targetMet: cold.bundleBytes <= TARGETS.bundleBytes },
    coldStart: cold && { ...cold, targetMs: TARGETS.coldStartMs, targetMet: cold.median.importAndFirstAnswerMs <= TARGETS.coldStartMs },
  };
  await mkdir('bench-results', { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(report, null, 2)}\n`;
  await writeFile(`bench-results/bench-${stamp}.json`, json);
  await writeFile('bench-results/bench-latest.json', json);
  console.log(`\nwritten bench-results/bench-${stamp}.json and bench-results/bench-latest.json`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
