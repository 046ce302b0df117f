import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { required } from '../src/required.js';
import { CENC_AUDIO, CENC_DIR, CENC_VIDEO, HLS_DIR, HLS_PLAYLIST, SAMPLES_FILE, type SamplesDescription } from './sample-layout.js';
import { CLIP_FPS, CLIP_SECONDS, encodeClip, packageCenc, packageHlsAes128 } from './sample-media.js';
import { requestCencKeys, requestHlsAes128Key } from './speke-client.js';

/** The demo's content IDs and KIDs (fixed, so the samples are the same at every run with the same master secret). */
export const DEMO_CONTENT = {
  hls: { contentId: 'demo/hls-aes128', kid: '5b1e7a2c-4d3f-4e8a-9c6b-0a1b2c3d4e5f' },
  cenc: {
    contentId: 'demo/cenc-clearkey',
    video: { kid: '0e4da92b-d0e8-4a66-8c3f-7a1d5e2b9c40', trackType: 'VIDEO' as const },
    audio: { kid: 'a7c3f1d2-6b8e-4f90-b1a2-3c4d5e6f7a8b', trackType: 'AUDIO' as const },
  },
};

/**
 * Prepares the demo's two encrypted samples against a running server, the way a packager does:
 * SPEKE requests to `baseUrl`, ffmpeg encryption with the keys in the answers, and a
 * samples.json that describes them (content IDs, KIDs, PSSH boxes, URLs; no keys).
 */
export async function prepareSamples(baseUrl: string, mediaDir: string): Promise<SamplesDescription> {
  const work = await mkdtemp(join(tmpdir(), 'speke-demo-'));
  try {
    const clip = await encodeClip(join(work, 'clip.mp4'));
    const { hls, cenc } = DEMO_CONTENT;

    const hlsKey = await requestHlsAes128Key(baseUrl, hls.contentId, hls.kid);
    const keyUrl = required(hlsKey.keyUrl, 'the HLS key URL');
    await rm(join(mediaDir, HLS_DIR), { recursive: true, force: true });
    await packageHlsAes128(clip, join(mediaDir, HLS_DIR), hlsKey.key, keyUrl, HLS_PLAYLIST);

    const [videoKey, audioKey] = await requestCencKeys(baseUrl, cenc.contentId, [cenc.video, cenc.audio]);
    const video = required(videoKey, 'the video key');
    const audio = required(audioKey, 'the audio key');
    const videoPssh = required(video.pssh, 'the video PSSH');
    const audioPssh = required(audio.pssh, 'the audio PSSH');
    await mkdir(join(mediaDir, CENC_DIR), { recursive: true });
    const videoCodec = await packageCenc(clip, join(mediaDir, CENC_DIR, CENC_VIDEO), { stream: 'v', kid: video.kid, key: video.key, pssh: [videoPssh] });
    const audioCodec = await packageCenc(clip, join(mediaDir, CENC_DIR, CENC_AUDIO), { stream: 'a', kid: audio.kid, key: audio.key, pssh: [audioPssh] });

    const description: SamplesDescription = {
      available: true,
      frames: { video: CLIP_SECONDS * CLIP_FPS },
      hls: { contentId: hls.contentId, kid: hls.kid, playlist: `/demo/media/${HLS_DIR}/${HLS_PLAYLIST}`, keyUrl },
      cenc: {
        contentId: cenc.contentId,
        licenseUrl: `/clearkey/license?contentId=${encodeURIComponent(cenc.contentId)}`,
        video: { url: `/demo/media/${CENC_DIR}/${CENC_VIDEO}`, type: `video/mp4; codecs="${videoCodec}"`, kid: video.kid, pssh: videoPssh.toString('base64') },
        audio: { url: `/demo/media/${CENC_DIR}/${CENC_AUDIO}`, type: `audio/mp4; codecs="${audioCodec}"`, kid: audio.kid, pssh: audioPssh.toString('base64') },
      },
    };
    await writeFile(join(mediaDir, SAMPLES_FILE), JSON.stringify(description, null, 2));
    return description;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
