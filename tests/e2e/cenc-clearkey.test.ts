import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIP_FPS, CLIP_SECONDS, encodeClip, packageCenc } from '../../demo/sample-media.js';
import { requestCencKeys, type AnsweredKey } from '../../demo/speke-client.js';
import { removeDir, type RunningServer } from '../support/local-server.js';
import { startDemoServer } from './support/demo-server.js';
import { launchChromium, playerResult, type DemoElement, type RunningBrowser } from './support/browser.js';
import { frameHashes, tryFrameHashes } from './support/media.js';
import { describeWithTools } from './support/tools.js';

declare const document: { getElementById(id: string): DemoElement | null };
declare const window: { demo: { playCenc(video: unknown, status: unknown, log: unknown, sample: unknown): Promise<void> } };

const CONTENT_ID = 'e2e/cenc movie';
const VIDEO_KID = '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const AUDIO_KID = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
const FRAMES = CLIP_SECONDS * CLIP_FPS;
const b64url = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');

const suite = await describeWithTools(['ffmpeg', 'chromium']);

suite('CENC with ClearKey end to end: SPEKE v2 keys, ffmpeg encryption, EME playback with our license endpoint', () => {
  let server: RunningServer;
  let work: string;
  let clip: string;
  let video: AnsweredKey;
  let audio: AnsweredKey;
  const codecs: Record<string, string> = {};
  const licensePath = `/clearkey/license?contentId=${encodeURIComponent(CONTENT_ID)}`;
  const media = (name: string) => `${server.url}/demo/media/cenc/${name}`;

  beforeAll(async () => {
    server = await startDemoServer();
    work = await mkdtemp(join(tmpdir(), 'speke-e2e-cenc-'));
    clip = await encodeClip(join(work, 'clip.mp4'));
    // The encryptor's side: one SPEKE v2 request, common PSSH system, a video key and an audio key.
    const answered = await requestCencKeys(server.url, CONTENT_ID, [
      { kid: VIDEO_KID, trackType: 'VIDEO' },
      { kid: AUDIO_KID, trackType: 'AUDIO' },
    ]);
    video = answered[0]!;
    audio = answered[1]!;
    const dir = join(server.dataDir, 'demo-media', 'cenc');
    await mkdir(dir, { recursive: true });
    codecs.video = await packageCenc(clip, join(dir, 'video.mp4'), { stream: 'v', kid: VIDEO_KID, key: video.key, pssh: [video.pssh!] });
    codecs.audio = await packageCenc(clip, join(dir, 'audio.mp4'), { stream: 'a', kid: AUDIO_KID, key: audio.key, pssh: [audio.pssh!] });
  });

  afterAll(async () => {
    await server.stop();
    await removeDir(server.dataDir);
    await removeDir(work);
  });

  it('gets a distinct key and a common PSSH box naming its KID for each track', () => {
    expect(video.key).toHaveLength(16);
    expect(audio.key).not.toEqual(video.key);
    expect(video.pssh!.subarray(12, 28).toString('hex')).toBe('1077efecc0b24d02ace33c1e52e2fb4b');
    expect(video.pssh!.subarray(32, 48).toString('hex')).toBe(VIDEO_KID.replace(/-/g, ''));
  });

  it('the keys from /clearkey/license decrypt what ffmpeg encrypted, every frame exactly as the clear clip', async () => {
    const res = await fetch(`${server.url}${licensePath}`, {
      method: 'POST',
      body: JSON.stringify({ kids: [b64url(VIDEO_KID), b64url(AUDIO_KID)], type: 'temporary' }),
    });
    const license = (await res.json()) as { keys: { kid: string; k: string }[] };
    const key = (kid: string) => Buffer.from(license.keys.find((k) => k.kid === b64url(kid))!.k, 'base64url').toString('hex');

    const videoFrames = await frameHashes(media('video.mp4'), 'v', ['-decryption_key', key(VIDEO_KID)]);
    expect(videoFrames).toHaveLength(FRAMES);
    expect(videoFrames).toEqual(await frameHashes(clip, 'v'));
    // AAC: the fragmented file also yields the encoder's priming frame, which the clear clip's edit list hides.
    const audioFrames = await frameHashes(media('audio.mp4'), 'a', ['-decryption_key', key(AUDIO_KID)]);
    const clearAudio = await frameHashes(clip, 'a');
    expect(audioFrames.slice(-clearAudio.length)).toEqual(clearAudio);
  });

  // A control that fails only for the wrong key: the same file decodes with the right one (the
  // test above), so an error or different frames here come from decryption; an error that is not
  // ffmpeg decoding (a missing file) no longer passes (found by review).
  it('the same check fails with another key', async () => {
    const decoded = await tryFrameHashes(media('video.mp4'), 'v', ['-decryption_key', '00112233445566778899aabbccddeeff']);
    if (decoded instanceof Error) expect(decoded.message).not.toMatch(/No such file|Invalid argument|not found/i);
    else expect(decoded).not.toEqual(await frameHashes(clip, 'v'));
  });

  describe('headless Chromium with Encrypted Media Extensions (org.w3.clearkey)', () => {
    let chromium: RunningBrowser;
    beforeAll(async () => {
      chromium = await launchChromium();
    });
    afterAll(async () => {
      await chromium.close();
    });

    it('plays video and audio to the end with licenses from /clearkey/license, with no key or decode error', async () => {
      const before = server.logs.length;
      const { page, errors } = await chromium.open(`${server.url}/`);
      const sample = {
        licenseUrl: licensePath,
        video: { url: '/demo/media/cenc/video.mp4', type: `video/mp4; codecs="${codecs.video}"`, kid: VIDEO_KID },
        audio: { url: '/demo/media/cenc/audio.mp4', type: `audio/mp4; codecs="${codecs.audio}"`, kid: AUDIO_KID },
      };
      await page.evaluate((s) => {
        const el = (id: string) => document.getElementById(id);
        void window.demo.playCenc(el('video-cenc'), el('status-cenc'), el('log-cenc'), s);
      }, sample);
      const result = await playerResult(page, 'cenc');
      // Every frame decoded: Chromium's count can include a frame decoded twice (e.g. after a stall), never fewer.
      expect(result).toMatchObject({ state: 'ended', errors: undefined });
      expect(Number(result.frames)).toBeGreaterThanOrEqual(FRAMES);
      expect(result.log).toContain(`key ${VIDEO_KID.replace(/-/g, '')}: usable`);
      expect(result.log).toContain(`key ${AUDIO_KID.replace(/-/g, '')}: usable`);
      expect(errors).toEqual([]);

      // The CDM's license requests reached our endpoint, one per track's PSSH, and were answered.
      const licenses = server.logs
        .slice(before)
        .map((line) => JSON.parse(line) as { route?: string; status?: number; contentId?: string })
        .filter((l) => l.route === 'clearkey/license');
      expect(licenses).toEqual([
        expect.objectContaining({ status: 200, contentId: CONTENT_ID }),
        expect.objectContaining({ status: 200, contentId: CONTENT_ID }),
      ]);
      await page.close();
    });

    it('does not play when the license answers keys of another content ID', async () => {
      const { page } = await chromium.open(`${server.url}/`);
      const sample = {
        licenseUrl: '/clearkey/license?contentId=another-movie',
        video: { url: '/demo/media/cenc/video.mp4', type: `video/mp4; codecs="${codecs.video}"`, kid: VIDEO_KID },
        audio: { url: '/demo/media/cenc/audio.mp4', type: `audio/mp4; codecs="${codecs.audio}"`, kid: AUDIO_KID },
      };
      await page.evaluate((s) => {
        const el = (id: string) => document.getElementById(id);
        void window.demo.playCenc(el('video-cenc'), el('status-cenc'), el('log-cenc'), s);
      }, sample);
      const result = await playerResult(page, 'cenc');
      expect(result.state).toBe('error');
      await page.close();
    });
  });
});
