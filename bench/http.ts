/**
 * `npm run bench:http`: the local server (src/local/main.ts, in its own process) over loopback,
 * driven by autocannon at a fixed concurrency with the fixed documents (a) and (b). Reports
 * requests/s and latency p50/p99 (median over the runs) and writes bench-results/bench-http-*.json.
 *
 * Options: --connections=<n> (default 10), --duration=<s> (default 10), --runs=<n> (default 3),
 *          --warmup=<s> (default 3), --label=<text>,
 *          --entry=<file> (the server's entry point, default src/local/main.ts; e.g. an older checkout's, to compare).
 * Case (a) publishes its AES-128 key to the server's data folder on every request (file I/O);
 * the server logs one line per request (to /dev/null here), as it does in normal use.
 */
import autocannon from 'autocannon';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { benchCases } from './fixtures.js';
import { median, table } from './harness.js';
import { startLocalServerProcess } from './local-server-process.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    label: { type: 'string' },
    entry: { type: 'string', default: 'src/local/main.ts' },
  },
});
const connections = Number(values.connections);
const duration = Number(values.duration);
const runs = Number(values.runs);
const warmup = Number(values.warmup);

interface RunResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
}

function summarize(r: autocannon.Result): RunResult {
  return { requestsPerSecond: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

async function main(): Promise<void> {
  const server = await startLocalServerProcess(values.entry);
  const base = server.base;
  try {
    const cases = benchCases().filter((c) => c.id === 'a' || c.id === 'b');
    const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.versions.node}`;
    console.log(`speke-key-server local server over loopback — ${machine}`);
    console.log(`autocannon: ${connections} connections, pipelining 1, ${duration} s per run, ${runs} runs per case (after ${warmup} s warm-up)\n`);
    const request = (c: (typeof cases)[number], seconds: number) =>
      autocannon({
        url: `${base}/copyProtection`,
        method: 'POST',
        body: c.body,
        headers: { 'content-type': 'application/xml', ...(c.spekeVersionHeader ? { 'x-speke-version': c.spekeVersionHeader } : {}) },
        connections,
        pipelining: 1,
        duration: seconds,
      });
    for (const c of cases) {
      const w = await request(c, warmup);
      if (w['2xx'] === 0) throw new Error(`case (${c.id}) got no 2xx answer during warm-up`);
    }
    const results = new Map<string, RunResult[]>(cases.map((c) => [c.id, []]));
    for (let i = 0; i < runs; i++) for (const c of cases) results.get(c.id)!.push(summarize(await request(c, duration)));

    const summary = cases.map((c) => {
      const rs = results.get(c.id)!;
      return {
        id: c.id,
        title: c.title,
        requestsPerSecond: median(rs.map((r) => r.requestsPerSecond)),
        p50Ms: median(rs.map((r) => r.p50Ms)),
        p99Ms: median(rs.map((r) => r.p99Ms)),
        failures: rs.reduce((n, r) => n + r.non2xx + r.errors, 0),
        runs: rs,
      };
    });
    console.log(
      table(
        ['case', 'requests/s', 'p50', 'p99', 'runs (req/s)', 'non-2xx + errors'],
        summary.map((s) => [
          `(${s.id}) ${s.title}`,
          Math.round(s.requestsPerSecond).toLocaleString('en-US'),
          `${s.p50Ms.toFixed(1)} ms`,
          `${s.p99Ms.toFixed(1)} ms`,
          s.runs.map((r) => Math.round(r.requestsPerSecond)).join(' / '),
          String(s.failures),
        ]),
      ),
    );
    const report = {
      kind: 'speke-key-server/bench-http',
      label: values.label,
      entry: values.entry,
      date: new Date().toISOString(),
      machine,
      connections,
      duration,
      runs,
      cases: summary,
    };
    await mkdir('bench-results', { recursive: true });
    const stamp = report.date.replace(/[:.]/g, '-');
    const json = `${JSON.stringify(report, null, 2)}\n`;
    await writeFile(`bench-results/bench-http-${stamp}.json`, json);
    await writeFile('bench-results/bench-http-latest.json', json);
    console.log(`\nwritten bench-results/bench-http-${stamp}.json and bench-results/bench-http-latest.json`);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
