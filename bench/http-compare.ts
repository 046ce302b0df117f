/**
 * The HTTP comparison of `npm run bench`: the local server and the Python reference server
 * (refserver.py), each in its own process on loopback, driven by the same load generator with the
 * same settings and the same three documents (../shared/baseline/bodies), one after the other in
 * one run; the ratio of requests/s per document.
 */
import { baselineDocuments, startReferenceServer, type BaselineDocument, type RunningHttpServer } from './baseline.js';
import { median } from './harness.js';
import { loadGenerator, type LoadResult, type LoadSettings } from './load-generator.js';
import { startLocalServerProcess } from './local-server-process.js';

export interface HttpComparisonRow {
  id: BaselineDocument['id'];
  title: string;
  ours: LoadResult;
  reference: LoadResult;
  /** Our requests/s over the reference's. */
  ratio: number;
  /** Every run's figures, when more than one was asked for (medians above). */
  runs: { ours: LoadResult; reference: LoadResult }[];
}

export interface HttpComparison {
  generator: string;
  settings: LoadSettings;
  warmUpS: number;
  rows: HttpComparisonRow[];
}

function medianResult(rs: LoadResult[]): LoadResult {
  return {
    requestsPerSecond: median(rs.map((r) => r.requestsPerSecond)),
    p50Ms: median(rs.map((r) => r.p50Ms)),
    p99Ms: median(rs.map((r) => r.p99Ms)),
    failures: rs.reduce((n, r) => n + r.failures, 0),
  };
}

export async function compareHttp(options: {
  settings: LoadSettings;
  warmUpS: number;
  runs: number;
  load?: string;
  entry?: string;
}): Promise<HttpComparison | undefined> {
  const docs = baselineDocuments();
  if (!docs) return undefined;
  const generator = loadGenerator(options.load);
  const servers: RunningHttpServer[] = [];
  try {
    const reference = await startReferenceServer();
    servers.push(reference);
    const ours = await startLocalServerProcess(options.entry);
    servers.push(ours);
    const request = (server: RunningHttpServer, doc: BaselineDocument, durationS: number) =>
      generator.run(
        {
          url: `${server.base}/copyProtection`,
          body: doc.body,
          headers: { 'Content-Type': 'application/xml', ...(doc.spekeVersionHeader ? { 'X-Speke-Version': doc.spekeVersionHeader } : {}) },
        },
        { ...options.settings, durationS },
      );
    // refserver.py answers any POST path; both get /copyProtection.
    for (const doc of docs) {
      for (const server of [reference, ours]) {
        const w = await request(server, doc, options.warmUpS);
        if (w.requestsPerSecond === 0 || w.failures > 0) throw new Error(`${server.name} failed ${doc.id} during warm-up (${w.failures} failures)`);
      }
    }
    const rows: HttpComparisonRow[] = [];
    for (const doc of docs) {
      const runs: HttpComparisonRow['runs'] = [];
      for (let i = 0; i < options.runs; i++) {
        // Alternating order, so that neither server always follows the other's load.
        const first = i % 2 === 0 ? reference : ours;
        const second = first === reference ? ours : reference;
        const a = await request(first, doc, options.settings.durationS);
        const b = await request(second, doc, options.settings.durationS);
        runs.push(first === reference ? { reference: a, ours: b } : { reference: b, ours: a });
      }
      const o = medianResult(runs.map((r) => r.ours));
      const r = medianResult(runs.map((x) => x.reference));
      rows.push({ id: doc.id, title: doc.title, ours: o, reference: r, ratio: o.requestsPerSecond / r.requestsPerSecond, runs });
    }
    return { generator: generator.describe(options.settings), settings: options.settings, warmUpS: options.warmUpS, rows };
  } finally {
    for (const s of servers.reverse()) await s.stop();
  }
}
