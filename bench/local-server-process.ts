/** The local server (src/local/main.ts by default) in its own `node` process on a loopback port, as bench:http and the comparison run it. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopChild, waitForHealth, type RunningHttpServer } from './baseline.js';

/**
 * Its data folder is a fresh temporary one (removed on stop); it logs one line per request to
 * /dev/null, as in normal use but unread. Metrics are off (the local server emits none anyway).
 */
export async function startLocalServerProcess(entry = 'src/local/main.ts'): Promise<RunningHttpServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'speke-bench-http-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      SPEKE_DATA_DIR: dataDir,
      SPEKE_MASTER_SECRET: Buffer.alloc(32, 7).toString('base64'),
      SPEKE_KEY_URL_PREFIX: 'https://keys.example.com/k',
      POWERTOOLS_SERVICE_NAME: 'speke-key-server',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(base, child, 'local server');
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: 'speke-key-server (local server)', base, stop };
}
