import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIP_FPS, CLIP_SECONDS, encodeClip, packageHlsAes128 } from '../../demo/sample-media.js';
import { requestHlsAes128Key } from '../../demo/speke-client.js';
import { removeDir, type RunningServer } from '../support/local-server.js';
import { startDemoServer } from './support/demo-server.js';
import { launchChromium, playerResult, type DemoElement, type RunningBrowser } from './support/browser.js';
import { frameHashes, tryFrameHashes } from './support/media.js';
import { describeWithTools } from './support/tools.js';

declare const document: { getElementById(id: string): DemoElement | null };
declare const window: { demo: { playHls(video: unknown, status: unknown, log: unknown, playlist: string): Promise<void> } };

const KID = '3c1f6e2a-8b4d-4f7e-9a15-2d6c0b8e4f31';
const CONTENT_ID = 'e2e/hls channel';
const FRAMES = CLIP_SECONDS * CLIP_FPS;

const suite = await describeWithTools(['ffmpeg', 'chromium']);

suite('HLS AES-128 end to end: SPEKE v1 key, ffmpeg packaging, players fetching the key from our server', () => {
  let server: RunningServer;
  let work: string;
  let clip: string;
  let clearHashes: string[];
  let keyUrl: string;
  const hlsDir = () => join(server.dataDir, 'demo-media', 'hls');

  beforeAll(async () => {
    server = await startDemoServer();
    work = await mkdtemp(join(tmpdir(), 'speke-e2e-hls-'));
    clip = await encodeClip(join(work, 'clip.mp4'));
    clearHashes = await frameHashes(clip, 'v');

    // The encryptor's side: a SPEKE v1 request for 81376844-…, the key and key URL from the answer.
    const answered = await requestHlsAes128Key(server.url, CONTENT_ID, KID);
    expect(answered.key).toHaveLength(16);
    keyUrl = answered.keyUrl!;
    expect(keyUrl).toBe(`${server.url}/keys/e2e%2Fhls%20channel/${KID}`);
    await packageHlsAes128(clip, hlsDir(), answered.key, keyUrl, 'playlist.m3u8');
    // A negative control: the same key URL in the playlist, segments encrypted with another key.
    await packageHlsAes128(clip, hlsDir(), Buffer.alloc(16, 0x5a), keyUrl, 'wrong-key.m3u8');
  });

  afterAll(async () => {
    await server.stop();
    await removeDir(server.dataDir);
    await removeDir(work);
  });

  it('writes a playlist whose #EXT-X-KEY is AES-128 with the key URL from the SPEKE answer', async () => {
    const playlist = await readFile(join(hlsDir(), 'playlist.m3u8'), 'utf8');
    expect(playlist).toContain(`#EXT-X-KEY:METHOD=AES-128,URI="${keyUrl}"`);
    expect(playlist.match(/\.ts$/gm)).toHaveLength(CLIP_SECONDS);
  });

  it('ffmpeg, reading the playlist from our server and the key from its key URL, decodes every frame exactly', async () => {
    const decoded = await frameHashes(`${server.url}/demo/media/hls/playlist.m3u8`, 'v', ['-allowed_extensions', 'ALL']);
    expect(decoded).toHaveLength(FRAMES);
    expect(decoded).toEqual(clearHashes);
    // The key exists only behind the key URL: nothing but the playlists and segments is next to the media.
    expect((await readdir(hlsDir())).every((name) => /\.(m3u8|ts)$/.test(name))).toBe(true);
  });

  // A control that fails only for the wrong key: the playlist, its segments and the key URL all
  // answer, so a decode failure or different frames come from decryption (before, a missing
  // playlist passed too; found by review).
  it('the same check fails when the segments were encrypted with another key', async () => {
    const playlist = await fetch(`${server.url}/demo/media/hls/wrong-key.m3u8`, { signal: AbortSignal.timeout(10_000) });
    expect(playlist.status).toBe(200);
    const segments = (await playlist.text()).split('\n').filter((line) => line.endsWith('.ts'));
    expect(segments).toHaveLength(CLIP_SECONDS);
    for (const segment of segments) expect((await fetch(`${server.url}/demo/media/hls/${segment}`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    expect((await fetch(keyUrl, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    const decoded = await tryFrameHashes(`${server.url}/demo/media/hls/wrong-key.m3u8`, 'v', ['-allowed_extensions', 'ALL']);
    if (decoded instanceof Error) expect(decoded.message).not.toMatch(/Server returned|HTTP error|No such file/i);
    else expect(decoded).not.toEqual(clearHashes);
  });

  describe('hls.js in headless Chromium', () => {
    let chromium: RunningBrowser;
    beforeAll(async () => {
      chromium = await launchChromium();
    });
    afterAll(async () => {
      await chromium.close();
    });

    async function play(playlist: string) {
      const { page, errors } = await chromium.open(`${server.url}/`);
      await page.evaluate((url) => {
        const el = (id: string) => document.getElementById(id);
        void window.demo.playHls(el('video-hls'), el('status-hls'), el('log-hls'), url);
      }, playlist);
      const result = await playerResult(page, 'hls');
      await page.close();
      return { result, errors };
    }

    it('plays the stream to the end, every frame decoded, with the key from our key URL', async () => {
      const { result, errors } = await play('/demo/media/hls/playlist.m3u8');
      // Every frame decoded: Chromium's count can include a frame decoded twice (e.g. after a stall), never fewer.
      expect(result).toMatchObject({ state: 'ended', errors: undefined });
      expect(Number(result.frames)).toBeGreaterThanOrEqual(FRAMES);
      expect(result.log).toContain(`key loaded from ${keyUrl}`);
      expect(errors).toEqual([]);
    });

    it('does not play the stream encrypted with another key', async () => {
      const { result } = await play('/demo/media/hls/wrong-key.m3u8');
      expect(result.state).toBe('error');
      expect(result.errors).toMatch(/^hls\.js /);
    });
  });
});
