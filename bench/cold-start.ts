/**
 * Bundle size and cold start: builds the Lambda bundle as `npm run build` does (into a temporary
 * folder), then, in fresh `node` processes, imports it and answers one API Gateway event for case
 * (b). The master secret comes from the loopback Secrets Manager stand-in of scripts/lib/local-aws.mjs
 * (case (b) publishes no AES-128 key, so S3 is never called).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHandler } from '../scripts/build.mjs';
import { startLocalAws } from '../scripts/lib/local-aws.mjs';
import { median } from './harness.js';

export interface ColdStartRun {
  nodeBootMs: number;
  importMs: number;
  firstAnswerMs: number;
  importAndFirstAnswerMs: number;
  secondAnswerMs: number;
  status: number;
}

export interface ColdStartResult {
  bundleBytes: number;
  sourceMapBytes: number;
  runs: ColdStartRun[];
  /** Medians over the runs. */
  median: Omit<ColdStartRun, 'status'>;
  /** The same with NODE_OPTIONS=--enable-source-maps, as template.yaml deploys it. */
  withSourceMaps: Omit<ColdStartRun, 'status'>;
}

const CHILD = fileURLToPath(new URL('./cold-start-child.mjs', import.meta.url));

/** 48 fixed bytes as base64: the bench's master secret (never a real one). */
export const BENCH_MASTER_SECRET = Buffer.alloc(48, 7).toString('base64');

function apiGatewayEvent(body: string): object {
  return {
    resource: '/copyProtection',
    path: '/copyProtection',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/xml', 'X-Speke-Version': '2.0' },
    multiValueHeaders: { 'Content-Type': ['application/xml'], 'X-Speke-Version': ['2.0'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: 'bench', stage: 'prod', httpMethod: 'POST', path: '/prod/copyProtection', resourcePath: '/copyProtection' },
    body,
    isBase64Encoded: false,
  };
}

function runChild(bundle: string, eventFile: string, env: Record<string, string>): Promise<ColdStartRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, bundle, eventFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) return reject(new Error(`cold-start child exited with ${code}:\n${err || out}`));
      resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as ColdStartRun);
    });
  });
}

function medians(runs: ColdStartRun[]): Omit<ColdStartRun, 'status'> {
  const m = (k: keyof ColdStartRun) => median(runs.map((r) => r[k]));
  return {
    nodeBootMs: m('nodeBootMs'),
    importMs: m('importMs'),
    firstAnswerMs: m('firstAnswerMs'),
    importAndFirstAnswerMs: m('importAndFirstAnswerMs'),
    secondAnswerMs: m('secondAnswerMs'),
  };
}

export async function measureColdStart(requestBody: string, runs = 5): Promise<ColdStartResult> {
  const dir = await mkdtemp(join(tmpdir(), 'speke-bench-bundle-'));
  // The stand-ins' own SDK client (this process, not the measured one) need not warn about Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const aws = await startLocalAws({ masterSecret: BENCH_MASTER_SECRET });
  try {
    await buildHandler({ outdir: dir });
    const bundle = join(dir, 'speke.mjs');
    const eventFile = join(dir, 'event.json');
    await writeFile(eventFile, JSON.stringify(apiGatewayEvent(requestBody)));
    // Only what the function's environment has (template.yaml), pointed at the stand-ins.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...aws.env,
      SPEKE_KEY_URL_PREFIX: 'https://d111111abcdef8.cloudfront.net',
      POWERTOOLS_SERVICE_NAME: 'speke-key-server',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_LOGGER_LOG_EVENT: 'false',
      POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_NAMESPACE: 'SpekeKeyServer',
    };
    const plain: ColdStartRun[] = [];
    const mapped: ColdStartRun[] = [];
    // Interleaved, so that load from other processes hits both variants alike.
    for (let i = 0; i < runs; i++) {
      plain.push(await runChild(bundle, eventFile, env));
      mapped.push(await runChild(bundle, eventFile, { ...env, NODE_OPTIONS: '--enable-source-maps' }));
    }
    for (const r of [...plain, ...mapped]) if (r.status !== 200) throw new Error(`cold-start answer was HTTP ${r.status}`);
    return {
      bundleBytes: (await stat(bundle)).size,
      sourceMapBytes: (await stat(`${bundle}.map`)).size,
      runs: plain,
      median: medians(plain),
      withSourceMaps: medians(mapped),
    };
  } finally {
    await aws.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
