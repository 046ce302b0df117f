import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's Chromium (apt-get install chromium); CHROMIUM_PATH overrides. Never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function works(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args, { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` when the tools are installed. Without them the suite is skipped with a message,
 * except under CI=true, where a missing tool fails the run (.ci/run installs them).
 */
export async function describeWithTools(tools: ('ffmpeg' | 'chromium')[]): Promise<jest.Describe> {
  const missing: string[] = [];
  if (tools.includes('ffmpeg') && !(await works('ffmpeg', ['-version']))) missing.push('ffmpeg');
  if (
    tools.includes('chromium') &&
    !(await access(CHROMIUM).then(
      () => true,
      () => false,
    ))
  )
    missing.push(`chromium (${CHROMIUM})`);
  if (missing.length === 0) return describe;
  const message = `${missing.join(' and ')} not installed: apt-get install -y --no-install-recommends ffmpeg chromium`;
  if (process.env.CI === 'true') throw new Error(`End-to-end tests need ${message}`);
  console.warn(`Skipping end-to-end tests: ${message}`);
  return describe.skip;
}
