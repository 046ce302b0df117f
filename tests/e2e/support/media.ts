import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The MD5 of every decoded frame of one stream (`v` or `a`), in order, as ffmpeg's framemd5
 * muxer prints them; `input` may be a file or an http:// URL (then ffmpeg fetches it, and any
 * key URL in an HLS playlist, from the server). Throws when ffmpeg fails.
 */
export async function frameHashes(input: string, stream: 'v' | 'a', inputOptions: string[] = []): Promise<string[]> {
  const { stdout } = await run(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-nostdin', ...inputOptions, '-i', input, '-map', `0:${stream}`, '-f', 'framemd5', '-'],
    // A deadline: ffmpeg fetching from a server that stops answering must not outlive the test.
    { maxBuffer: 64 * 1024 * 1024, timeout: 120_000, killSignal: 'SIGKILL' },
  );
  return stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(',').at(-1)!.trim());
}

/** Like frameHashes, but a failed decode gives the error instead of throwing. */
export async function tryFrameHashes(input: string, stream: 'v' | 'a', inputOptions: string[] = []): Promise<string[] | Error> {
  return frameHashes(input, stream, inputOptions).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
}
