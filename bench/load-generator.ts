/**
 * One load generator for every server of a run: wrk when it is on PATH (Debian package `wrk`),
 * otherwise autocannon (a devDependency). Both drive a fixed number of connections with one
 * request in flight each (no pipelining) for a fixed time, POSTing the same body.
 */
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoadSettings {
  /** wrk -t (autocannon: workers are not used; it runs in this process). */
  threads: number;
  connections: number;
  durationS: number;
}

export interface LoadRequest {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers that were not 2xx, plus socket errors and timeouts. */
  failures: number;
}

export interface LoadGenerator {
  name: string;
  describe(settings: LoadSettings): string;
  run(request: LoadRequest, settings: LoadSettings): Promise<LoadResult>;
}

function luaString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** "1.23ms", "456.00us", "2.01s" → ms. */
function wrkMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

export function parseWrk(out: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`wrk printed no Requests/sec:\n${out}`);
  const pct = (p: string) => wrkMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((s, v) => s + Number(v), 0) : 0;
  return { requestsPerSecond: Number(rps[1]), p50Ms: pct('50'), p99Ms: pct('99'), failures: non2xx + socketErrors };
}

const wrk: LoadGenerator = {
  name: 'wrk',
  describe: (s) => `wrk -t${s.threads} -c${s.connections} -d${s.durationS}s`,
  async run(request, settings) {
    const dir = await mkdtemp(join(tmpdir(), 'speke-bench-wrk-'));
    try {
      const bodyFile = join(dir, 'body');
      await writeFile(bodyFile, request.body);
      const script = join(dir, 'post.lua');
      const lines = ['wrk.method = "POST"', `local f = assert(io.open(${luaString(bodyFile)}, "rb"))`, 'wrk.body = f:read("*a")', 'f:close()'];
      for (const [name, value] of Object.entries(request.headers)) lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
      await writeFile(script, `${lines.join('\n')}\n`);
      const args = [`-t${settings.threads}`, `-c${settings.connections}`, `-d${settings.durationS}s`, '--latency', '-s', script, request.url];
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let text = '';
        child.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
        child.stderr.on('data', (c: Buffer) => (text += c.toString('utf8')));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`))));
      });
      return parseWrk(out);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

const autocannonGenerator: LoadGenerator = {
  name: 'autocannon',
  describe: (s) => `autocannon -c ${s.connections} -p 1 -d ${s.durationS} (in the benchmark's process)`,
  async run(request, settings) {
    const r = await autocannon({
      url: request.url,
      method: 'POST',
      body: request.body,
      headers: request.headers,
      connections: settings.connections,
      pipelining: 1,
      duration: settings.durationS,
    });
    return { requestsPerSecond: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, failures: r.non2xx + r.errors + r.timeouts };
  },
};

/** wrk if installed (and `--load=autocannon` not asked for), else autocannon. */
export function loadGenerator(preferred?: string): LoadGenerator {
  if (preferred === 'autocannon') return autocannonGenerator;
  const hasWrk = spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
  if (preferred === 'wrk' && !hasWrk) throw new Error('--load=wrk: wrk is not installed (Debian: apt-get install wrk)');
  return hasWrk ? wrk : autocannonGenerator;
}
