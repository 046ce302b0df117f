/**
 * Warm per-invocation cost of the Lambda bundle as deployed, next to the core alone: builds
 * dist/speke/speke.mjs as `npm run build` does (into a temporary folder) and the core
 * (bench/lambda-core-entry.ts) with the same esbuild settings, then runs both in one fresh `node`
 * process (bench/lambda-warm-child.mjs) in an emulated Lambda environment:
 * - the function's environment of template.yaml (Powertools service, log level, namespace; events
 *   and responses never logged or traced) plus what the Lambda runtime sets (function name,
 *   memory, LAMBDA_TASK_ROOT, AWS_EXECUTION_ENV, a fresh _X_AMZN_TRACE_ID per invocation);
 * - tracing on (Tracing: Active): the X-Ray SDK sends its segments over UDP to a receiver on a
 *   loopback port (AWS_XRAY_DAEMON_ADDRESS), which counts them;
 * - metrics on: EMF records on stdout, counted per invocation;
 * - S3 and Secrets Manager: the loopback stand-ins of scripts/lib/local-aws.mjs.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildHandler } from '../scripts/build.mjs';
import { startLocalAws } from '../scripts/lib/local-aws.mjs';
import { BENCH_MASTER_SECRET } from './cold-start.js';
import { median } from './harness.js';

const CHILD = fileURLToPath(new URL('./lambda-warm-child.mjs', import.meta.url));
const CORE_ENTRY = fileURLToPath(new URL('./lambda-core-entry.ts', import.meta.url));

export interface WarmDocument {
  id: string;
  title: string;
  body: Buffer;
  spekeVersionHeader: string | undefined;
}

export interface LambdaWarmRow {
  id: string;
  title: string;
  invocations: number;
  handlerMedianUs: number;
  coreMedianUs: number;
  /** (handler − core) / core: what Middy, Powertools and the handler add, in units of the core's own time. */
  wrapperOverCore: number;
}

export interface LambdaWarmResult {
  rows: LambdaWarmRow[];
  tracing: boolean;
  /** UDP datagrams the X-Ray receiver got (segments and subsegments), over every invocation. */
  traceDatagrams: number;
  invocations: number;
  /** EMF records on stdout over every invocation (the cold-start metric is one more, once). */
  metricRecords: number;
  logLines: number;
}

function apiGatewayEvent(doc: WarmDocument): object {
  const headers: Record<string, string> = { 'Content-Type': 'application/xml', ...(doc.spekeVersionHeader ? { 'X-Speke-Version': doc.spekeVersionHeader } : {}) };
  return {
    resource: '/copyProtection',
    path: '/copyProtection',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: 'bench', stage: 'prod', httpMethod: 'POST', path: '/prod/copyProtection', resourcePath: '/copyProtection' },
    body: doc.body.toString('utf8'),
    isBase64Encoded: false,
  };
}

export async function measureLambdaWarm(docs: WarmDocument[], options: { rounds: number; callsPerRound: number; warmUpCalls: number; tracing?: boolean; /** Extra `node` flags for the child, e.g. `--cpu-prof` to profile the invocations. */ nodeFlags?: string[] }): Promise<LambdaWarmResult> {
  const tracing = options.tracing ?? true;
  const dir = await mkdtemp(join(tmpdir(), 'speke-bench-warm-'));
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const aws = await startLocalAws({ masterSecret: BENCH_MASTER_SECRET });
  const xray = createSocket('udp4');
  let traceDatagrams = 0;
  xray.on('message', () => traceDatagrams++);
  await new Promise<void>((resolve) => xray.bind(0, '127.0.0.1', () => resolve()));
  try {
    await buildHandler({ outdir: join(dir, 'speke') });
    await build({
      entryPoints: { core: CORE_ENTRY },
      outdir: join(dir, 'core'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      minify: true,
      mainFields: ['module', 'main'],
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
      logLevel: 'warning',
    });
    const specFile = join(dir, 'spec.json');
    const resultFile = join(dir, 'result.json');
    await writeFile(
      specFile,
      JSON.stringify({
        rounds: options.rounds,
        callsPerRound: options.callsPerRound,
        warmUpCalls: options.warmUpCalls,
        documents: docs.map((d) => ({ id: d.id, spekeVersionHeader: d.spekeVersionHeader, bodyBase64: d.body.toString('base64'), event: apiGatewayEvent(d) })),
      }),
    );
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...aws.env,
      // template.yaml, Globals.Function.Environment (NODE_OPTIONS=--enable-source-maps matters only for stack traces).
      SPEKE_KEY_URL_PREFIX: 'https://d111111abcdef8.cloudfront.net',
      POWERTOOLS_SERVICE_NAME: 'speke-key-server',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_LOGGER_LOG_EVENT: 'false',
      POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
      POWERTOOLS_METRICS_NAMESPACE: 'SpekeKeyServer',
      NODE_OPTIONS: '--enable-source-maps',
      // What the Lambda runtime sets.
      AWS_LAMBDA_FUNCTION_NAME: 'speke-bench',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/speke-bench',
      AWS_LAMBDA_LOG_STREAM_NAME: 'bench',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      LAMBDA_TASK_ROOT: join(dir, 'speke'),
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(xray.address() as { port: number }).port}`,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      POWERTOOLS_TRACE_ENABLED: String(tracing),
    };
    let metricRecords = 0;
    let logLines = 0;
    let pending = '';
    const count = (line: string) => {
      if (line.includes('"CloudWatchMetrics"')) metricRecords++;
      else if (line.startsWith('{')) logLines++;
    };
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [...(options.nodeFlags ?? []), CHILD, join(dir, 'speke', 'speke.mjs'), join(dir, 'core', 'core.mjs'), specFile, resultFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stdout.on('data', (c: Buffer) => {
        const lines = (pending + c.toString('utf8')).split('\n');
        pending = lines.pop()!;
        lines.forEach(count);
      });
      child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => {
        count(pending);
        if (code === 0) resolve();
        else reject(new Error(`lambda-warm child exited with ${code}:\n${err}`));
      });
    });
    // Let the last datagrams arrive.
    await new Promise((r) => setTimeout(r, 100));
    const result = JSON.parse(await readFile(resultFile, 'utf8')) as {
      totalInvocations: number;
      samples: Record<string, { handler: number[]; core: number[]; invocations: number }>;
    };
    const rows = docs.map((d) => {
      const s = result.samples[d.id]!;
      const handlerMedianUs = median(s.handler);
      const coreMedianUs = median(s.core);
      return { id: d.id, title: d.title, invocations: s.invocations, handlerMedianUs, coreMedianUs, wrapperOverCore: (handlerMedianUs - coreMedianUs) / coreMedianUs };
    });
    return { rows, tracing, traceDatagrams, invocations: result.totalInvocations, metricRecords, logLines };
  } finally {
    xray.close();
    await aws.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
