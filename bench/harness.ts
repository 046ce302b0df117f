/** Timing helpers for the benchmark scripts: sampling loops and order statistics, nothing else. */

export interface Stats {
  samples: number;
  medianUs: number;
  p99Us: number;
  meanUs: number;
  minUs: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function stats(samplesUs: readonly number[]): Stats {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    medianUs: median(sorted),
    p99Us: quantile(sorted, 0.99),
    meanUs: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    minUs: sorted[0] ?? NaN,
  };
}

const now = () => process.hrtime.bigint();

/**
 * Calls `fn` repeatedly for at least `minMs` and `minSamples` calls (at most `maxSamples`), timing
 * each call on its own; returns the durations in µs.
 */
export function sample(fn: () => unknown, options: { minMs: number; minSamples: number; maxSamples?: number }): number[] {
  const out: number[] = [];
  const until = now() + BigInt(Math.round(options.minMs * 1e6));
  const max = options.maxSamples ?? 1_000_000;
  while ((out.length < options.minSamples || now() < until) && out.length < max) {
    const t0 = now();
    fn();
    out.push(Number(now() - t0) / 1e3);
  }
  return out;
}

/** Runs `fn` for about `ms` milliseconds so that it is compiled and the heap has settled. */
export function warmUp(fn: () => unknown, ms: number, minCalls = 20): void {
  sample(fn, { minMs: ms, minSamples: minCalls });
}

export function fmtUs(us: number): string {
  if (!Number.isFinite(us)) return '-';
  if (us >= 10_000) return `${(us / 1000).toFixed(1)} ms`;
  if (us >= 1000) return `${(us / 1000).toFixed(2)} ms`;
  return `${us.toFixed(1)} µs`;
}

/** A plain-text table with right-aligned columns after the first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
