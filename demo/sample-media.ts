import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fragmentCencMp4, trackCodec } from './cenc-fragmenter.js';

/**
 * The demo's packager: ffmpeg (from the system, e.g. Debian's package) encodes a short test clip
 * and encrypts it with keys from SPEKE answers, as MediaPackage or MediaConvert would.
 */
const run = promisify(execFile);

export const FFMPEG = 'ffmpeg';
export const CLIP_SECONDS = 4;
export const CLIP_FPS = 25;

async function ffmpeg(args: string[]): Promise<void> {
  await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
}

/** True when `ffmpeg -version` runs. */
export async function hasFfmpeg(): Promise<boolean> {
  try {
    await run(FFMPEG, ['-version'], { timeout: 10_000, killSignal: 'SIGKILL' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A clear clip: lavfi test pattern (320x240, 25 fps) and a 440 Hz tone, H.264 Constrained
 * Baseline with a keyframe every second, AAC-LC 48 kHz, in MP4.
 */
export async function encodeClip(file: string, seconds = CLIP_SECONDS): Promise<string> {
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=320x240:rate=${CLIP_FPS}:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-profile:v',
    'baseline',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(CLIP_FPS),
    '-keyint_min',
    String(CLIP_FPS),
    '-sc_threshold',
    '0',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-shortest',
    file,
  ]);
  return file;
}

/**
 * HLS AES-128: one-second MPEG-TS segments encrypted whole with `key`; the playlist's
 * #EXT-X-KEY URI is `keyUri` (the key URL from the SPEKE answer); segments are named after the
 * playlist (`playlist-0.ts`, …). The key file ffmpeg reads is
 * written to a private temporary folder and removed, never next to the media.
 */
export async function packageHlsAes128(clip: string, outDir: string, key: Buffer, keyUri: string, playlist = 'playlist.m3u8'): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const secretDir = await mkdtemp(join(tmpdir(), 'speke-demo-key-'));
  try {
    const keyFile = join(secretDir, 'key.bin');
    await writeFile(keyFile, key, { mode: 0o600 });
    await writeFile(join(secretDir, 'key-info'), `${keyUri}\n${keyFile}\n`, { mode: 0o600 });
    await ffmpeg([
      '-i',
      clip,
      '-c',
      'copy',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_list_size',
      '0',
      '-hls_playlist_type',
      'vod',
      '-hls_key_info_file',
      join(secretDir, 'key-info'),
      '-hls_segment_filename',
      join(outDir, `${playlist.replace(/\.m3u8$/, '')}-%d.ts`),
      join(outDir, playlist),
    ]);
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
  return join(outDir, playlist);
}

export interface CencTrack {
  /** ffmpeg stream selector: `v` (video) or `a` (audio). */
  stream: 'v' | 'a';
  kid: string;
  key: Buffer;
  /** PSSH boxes to carry in the init segment (from the SPEKE answer). */
  pssh: Buffer[];
}

/**
 * CENC (`cenc`, AES-CTR with subsamples for video): ffmpeg encrypts one track with the key and
 * KID; the result is fragmented for MSE with the PSSH boxes in its moov (see cenc-fragmenter.ts).
 * Returns the MSE codec string of the track.
 */
export async function packageCenc(clip: string, out: string, track: CencTrack): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'speke-demo-cenc-'));
  try {
    const encrypted = join(work, 'encrypted.mp4');
    await ffmpeg([
      '-i',
      clip,
      '-map',
      `0:${track.stream}`,
      '-c',
      'copy',
      '-encryption_scheme',
      'cenc-aes-ctr',
      '-encryption_key',
      track.key.toString('hex'),
      '-encryption_kid',
      track.kid.replace(/-/g, ''),
      encrypted,
    ]);
    const input = await readFile(encrypted);
    await writeFile(out, fragmentCencMp4(input, track.pssh));
    return trackCodec(input);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
