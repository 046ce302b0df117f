/**
 * The public Python SPEKE reference server (../shared/baseline, see its README) as the yardstick:
 * its three documents, its handler timed in-process (bench/reference-inprocess.py) and its HTTP
 * server (refserver.py) started on a loopback port. Needs only `python3` (standard library).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';

export const BASELINE_DIR = fileURLToPath(new URL('../../shared/baseline/', import.meta.url));
export const REFSERVER = `${BASELINE_DIR}refserver.py`;
export const REFERENCE_SRC = `${BASELINE_DIR}reference-src`;
const IN_PROCESS = fileURLToPath(new URL('./reference-inprocess.py', import.meta.url));

export interface BaselineDocument {
  id: 'v1-1' | 'v2-2' | 'v2-8';
  title: string;
  file: string;
  body: Buffer;
  /** X-Speke-Version header, as MediaPackage v2 sends it; undefined for SPEKE v1. */
  spekeVersionHeader: string | undefined;
}

/** The documents of ../shared/baseline/bodies, or undefined when the baseline is not there. */
export function baselineDocuments(): BaselineDocument[] | undefined {
  if (!existsSync(REFSERVER)) return undefined;
  const doc = (id: BaselineDocument['id'], title: string, name: string, spekeVersionHeader: string | undefined): BaselineDocument => {
    const file = `${BASELINE_DIR}bodies/${name}`;
    return { id, title, file, body: readFileSync(file), spekeVersionHeader };
  };
  return [
    doc('v1-1', 'v1, 1 key, AES-128', 'v1-aes128-1key.xml', undefined),
    doc('v2-2', 'v2, 2 keys × WV+PR+FP', 'v2-2keys-wv-pr-fp.xml', '2.0'),
    doc('v2-8', 'v2, 8 keys × WV+PR+FP', 'v2-8keys-wv-pr-fp.xml', '2.0'),
  ];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Polls GET <base>/health until it answers 200 (30 s at most). */
export async function waitForHealth(base: string, server: ChildProcess, name: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`${name} exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not become healthy within 30 s`);
}

export interface RunningHttpServer {
  name: string;
  base: string;
  stop(): Promise<void>;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** refserver.py on a free loopback port (one Python process, its ThreadingHTTPServer). */
export async function startReferenceServer(): Promise<RunningHttpServer> {
  const port = await freePort();
  const child = spawn('python3', [REFSERVER, REFERENCE_SRC, String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base, child, 'reference server');
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { name: 'reference (Python)', base, stop: () => stopChild(child) };
}

export interface ReferenceTiming {
  id: BaselineDocument['id'];
  status: number;
  answerBytes: number;
  samples: number;
  medianUs: number;
}

/** The reference handler timed in its own Python process: `rounds` interleaved rounds of `roundMs` per document. */
export function referenceInProcess(docs: BaselineDocument[], options: { roundMs: number; rounds: number }): Promise<ReferenceTiming[]> {
  const args = [
    IN_PROCESS,
    REFSERVER,
    REFERENCE_SRC,
    String(options.roundMs),
    String(options.rounds),
    ...docs.map((d) => (d.spekeVersionHeader ? `${d.file}:${d.spekeVersionHeader}` : d.file)),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('python3', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`reference-inprocess.py exited with ${code}`));
      const parsed = JSON.parse(out) as Record<string, { status: number; answerBytes: number; samplesUs: number[] }>;
      resolve(
        docs.map((d) => {
          const r = parsed[d.file]!;
          if (r.status !== 200) throw new Error(`the reference answered ${d.id} with HTTP ${r.status}`);
          return { id: d.id, status: r.status, answerBytes: r.answerBytes, samples: r.samplesUs.length, medianUs: median(r.samplesUs) };
        }),
      );
    });
  });
}
