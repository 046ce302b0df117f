/**
 * `npm run load`: drives the local server (started here as its own process, as `npm start` runs it)
 * with autocannon over loopback: a mix of SPEKE v1 and v2 requests for a fixed time, then prints
 * requests/s, p50/p99 latency, errors, and the server's resident memory before and after.
 *
 * LOAD_SECONDS (default 10) and LOAD_CONNECTIONS (default 10) change the run.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { KID_A, KID_B, SYSTEM, v1Aes128, v2Request } from '../tests/support/requests.js';

const seconds = Number(process.env.LOAD_SECONDS ?? 10);
const connections = Number(process.env.LOAD_CONNECTIONS ?? 10);
const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';

/** The request mix: live v1 AES-128 with rotation, v1 DASH, v2 CMAF with three DRMs, v2 ClearKey, v2 VOD with 8 keys. */
function requestMix(): autocannon.Request[] {
  const v2 = (body: string) => ({
    method: 'POST' as const,
    path: '/copyProtection',
    headers: { 'content-type': 'application/xml', 'x-speke-version': '2.0' },
    body,
  });
  const v1 = (body: string) => ({ method: 'POST' as const, path: '/copyProtection', headers: { 'content-type': 'application/xml' }, body });
  const videoAudio = [
    { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
    { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
  ];
  const vod = Array.from({ length: 8 }, (_, i) => ({
    kid: randomUUID(),
    trackType: `TRACK_${i}`,
    filter: i < 5 ? '<cpix:VideoFilter/>' : '<cpix:AudioFilter/>',
  }));
  return [
    v1(v1Aes128({ contentId: 'live-1', kid: KID_A, period: 1 })),
    v1(
      `<cpix:CPIX id="dash-1" xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList><cpix:ContentKey kid="${KID_B}"/></cpix:ContentKeyList><cpix:DRMSystemList><cpix:DRMSystem kid="${KID_B}" systemId="${SYSTEM.widevine}"><cpix:PSSH/></cpix:DRMSystem><cpix:DRMSystem kid="${KID_B}" systemId="${SYSTEM.playready}"><cpix:PSSH/></cpix:DRMSystem></cpix:DRMSystemList></cpix:CPIX>`,
    ),
    v2(
      v2Request({
        contentId: 'cmaf-1',
        keys: videoAudio,
        periods: true,
        systems: [
          { systemId: SYSTEM.widevine, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` },
          { systemId: SYSTEM.playready, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` },
          { systemId: SYSTEM.fairplay, children: HLS_PAIR },
        ],
      }),
    ),
    v2(v2Request({ contentId: 'ts-1', scheme: 'cbc1', systems: [{ systemId: SYSTEM.clearKeyAes128, children: HLS_PAIR }] })),
    v2(
      v2Request({
        contentId: 'vod-1',
        scheme: 'cenc',
        keys: vod,
        systems: [{ systemId: SYSTEM.widevine, children: '<cpix:PSSH/><cpix:ContentProtectionData/>' }],
      }),
    ),
  ];
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rss = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (rss === undefined) throw new Error(`No VmRSS in /proc/${pid}/status`);
  return Number(rss) / 1024;
}

async function startServer(dataDir: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/local/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SPEKE_DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The server says where it listens within 30 s, or it is stopped and the run fails.
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('The local server did not say where it listens within 30 s'));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}`));
    });
  });
  child.stdout.resume();
  const { pid } = child;
  if (pid === undefined) throw new Error('The server process has no pid');
  return {
    url,
    pid,
    // Stops it (SIGTERM, then SIGKILL after 10 s); at once when it has already exited.
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

const dataDir = await mkdtemp(join(tmpdir(), 'speke-load-'));
let server: Awaited<ReturnType<typeof startServer>> | undefined;
try {
  server = await startServer(dataDir);
  // warm up: one pass over the mix, then measure memory
  for (const r of requestMix()) {
    await fetch(`${server.url}${r.path}`, {
      method: 'POST',
      headers: r.headers as Record<string, string>,
      body: r.body as string,
      signal: AbortSignal.timeout(10_000),
    });
  }
  const before = await rssMiB(server.pid);
  const result = await autocannon({ url: server.url, connections, duration: seconds, requests: requestMix() });
  const after = await rssMiB(server.pid);
  const errors = result.errors + result.timeouts + result.non2xx;
  const summary = {
    seconds,
    connections,
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    errors,
    non2xx: result.non2xx,
    serverRssMiB: { before: Math.round(before), after: Math.round(after) },
  };
  console.log(
    `load: ${summary.requests} requests in ${seconds} s over ${connections} connections: ${summary.requestsPerSecond} req/s, ` +
      `p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, ${errors} errors; server RSS ${summary.serverRssMiB.before} → ${summary.serverRssMiB.after} MiB`,
  );
  console.log(JSON.stringify(summary));
  process.exitCode = errors === 0 ? 0 : 1;
} finally {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
}
