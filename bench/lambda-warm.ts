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
import { buildHandler, LAMBDA_BUNDLE_OPTIONS } from '../scripts/build.mjs';
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
  /** (handler − core) / core: what the edge, Powertools and the handler add, in units of the core's own time. */
  wrapperOverCore: number;
}

export interface LambdaWarmResult {
  rows: LambdaWarmRow[];
  tracing: boolean;
  /** Tracing on: whether the invocations were sampled (their subsegments sent). */
  sampled: boolean;
  /** UDP datagrams the X-Ray receiver got (segments and subsegments), over every invocation. */
  traceDatagrams: number;
  invocations: number;
  /** EMF records on stdout over every invocation (the cold-start metric is one more, once). */
  metricRecords: number;
  logLines: number;
}

function apiGatewayEvent(doc: WarmDocument): object {
  const headers: Record<string, string> = {
    'Content-Type': 'application/xml',
    ...(doc.spekeVersionHeader ? { 'X-Speke-Version': doc.spekeVersionHeader } : {}),
  };
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

/** What the Lambda runtime and template.yaml set, for a bundle in `taskRoot` (see the top of this file). */
export function lambdaEnvironment(options: {
  awsEnv: Record<string, string>;
  taskRoot: string;
  xrayPort: number;
  tracing: boolean;
  /**
   * Variables set over the template's: Powertools silenced, to see what is left without it;
   * BENCH_XRAY_SAMPLED=false, read by bench/lambda-context.mjs, for Sampled=0 trace headers.
   */
  overrides?: Record<string, string>;
}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    ...options.awsEnv,
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
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: options.taskRoot,
    _HANDLER: 'speke.handler',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${options.xrayPort}`,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    POWERTOOLS_TRACE_ENABLED: String(options.tracing),
    ...options.overrides,
  };
}

/** Bundles `entry` as `<outdir>/<name>.mjs` with the Lambda bundle's esbuild settings (scripts/build.mjs LAMBDA_BUNDLE_OPTIONS). */
export async function bundleLikeLambda(name: string, entry: string, outdir: string): Promise<string> {
  await build({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: { [name]: entry }, outdir, minify: !process.env.BENCH_NO_MINIFY });
  return join(outdir, `${name}.mjs`);
}

/**
 * Runs `child` (a .mjs under bench/) with `args` in a fresh node process in the emulated Lambda
 * environment, with the loopback AWS stand-ins and an X-Ray receiver; counts what it writes.
 */
export async function runInLambdaEnvironment(
  options: { taskRoot: string; tracing: boolean; overrides?: Record<string, string>; nodeFlags?: string[] },
  child: string,
  args: (dir: string) => Promise<string[]>,
): Promise<{ dir: string; traceDatagrams: number; metricRecords: number; logLines: number; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'speke-bench-warm-'));
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const aws = await startLocalAws({ masterSecret: BENCH_MASTER_SECRET });
  const xray = createSocket('udp4');
  let traceDatagrams = 0;
  xray.on('message', () => traceDatagrams++);
  await new Promise<void>((resolve) => xray.bind(0, '127.0.0.1', () => resolve()));
  const cleanup = async () => {
    xray.close();
    await aws.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const argv = await args(dir);
    const env = lambdaEnvironment({
      awsEnv: aws.env,
      taskRoot: join(dir, options.taskRoot),
      xrayPort: (xray.address() as { port: number }).port,
      tracing: options.tracing,
      overrides: options.overrides,
    });
    let metricRecords = 0;
    let logLines = 0;
    let pending = '';
    const count = (line: string) => {
      if (line.includes('"CloudWatchMetrics"')) metricRecords++;
      else if (line.startsWith('{')) logLines++;
    };
    await new Promise<void>((resolve, reject) => {
      const proc = spawn(process.execPath, [...(options.nodeFlags ?? []), child, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      proc.stdout.on('data', (c: Buffer) => {
        const lines = (pending + c.toString('utf8')).split('\n');
        pending = lines.pop()!;
        lines.forEach(count);
      });
      proc.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
      proc.on('error', reject);
      proc.on('close', (code) => {
        count(pending);
        if (code === 0) resolve();
        else reject(new Error(`${child} exited with ${code}:\n${err}`));
      });
    });
    // Let the last datagrams arrive.
    await new Promise((r) => setTimeout(r, 100));
    return { dir, traceDatagrams, metricRecords, logLines, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export function documentsSpec(docs: WarmDocument[], plan: { rounds: number; callsPerRound: number; warmUpCalls: number }): string {
  return JSON.stringify({
    ...plan,
    documents: docs.map((d) => ({ id: d.id, spekeVersionHeader: d.spekeVersionHeader, bodyBase64: d.body.toString('base64'), event: apiGatewayEvent(d) })),
  });
}

export async function measureLambdaWarm(
  docs: WarmDocument[],
  options: {
    rounds: number;
    callsPerRound: number;
    warmUpCalls: number;
    tracing?: boolean;
    /**
     * Tracing on, whether every invocation is sampled (the default: the worst case, every
     * subsegment sent) or none is (Sampled=0 in the trace header, as for most invocations under
     * X-Ray's default rule of one request a second and 5 % of the rest: subsegments built, not sent).
     */
    sampled?: boolean;
    /** Environment variables set over the template's (see lambdaEnvironment). */
    overrides?: Record<string, string>;
    /** Extra `node` flags for the child, e.g. `--cpu-prof` to profile the invocations. */ nodeFlags?: string[];
  },
): Promise<LambdaWarmResult> {
  const tracing = options.tracing ?? true;
  const sampled = options.sampled ?? true;
  const run = await runInLambdaEnvironment(
    { taskRoot: 'speke', tracing, overrides: { ...options.overrides, ...(sampled ? {} : { BENCH_XRAY_SAMPLED: 'false' }) }, nodeFlags: options.nodeFlags },
    CHILD,
    async (dir) => {
      await buildHandler({ outdir: join(dir, 'speke') });
      const core = await bundleLikeLambda('core', CORE_ENTRY, join(dir, 'core'));
      const specFile = join(dir, 'spec.json');
      await writeFile(specFile, documentsSpec(docs, options));
      return [join(dir, 'speke', 'speke.mjs'), core, specFile, join(dir, 'result.json')];
    },
  );
  try {
    const result = JSON.parse(await readFile(join(run.dir, 'result.json'), 'utf8')) as {
      totalInvocations: number;
      samples: Record<string, { handler: number[]; core: number[]; invocations: number }>;
    };
    const rows = docs.map((d) => {
      const s = result.samples[d.id]!;
      const handlerMedianUs = median(s.handler);
      const coreMedianUs = median(s.core);
      return {
        id: d.id,
        title: d.title,
        invocations: s.invocations,
        handlerMedianUs,
        coreMedianUs,
        wrapperOverCore: (handlerMedianUs - coreMedianUs) / coreMedianUs,
      };
    });
    return {
      rows,
      tracing,
      sampled,
      traceDatagrams: run.traceDatagrams,
      invocations: result.totalInvocations,
      metricRecords: run.metricRecords,
      logLines: run.logLines,
    };
  } finally {
    await run.cleanup();
  }
}
