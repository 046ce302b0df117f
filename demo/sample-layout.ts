/**
 * Where `npm run demo` puts its samples inside the demo media folder, and what it writes about
 * them. The description names content IDs, KIDs, PSSH boxes and URLs: nothing secret.
 */
export const SAMPLES_FILE = 'samples.json';
export const HLS_DIR = 'hls';
export const CENC_DIR = 'cenc';
export const HLS_PLAYLIST = 'playlist.m3u8';
export const CENC_VIDEO = 'video.mp4';
export const CENC_AUDIO = 'audio.mp4';

export interface CencTrackDescription {
  url: string;
  /** MSE type, e.g. `video/mp4; codecs="avc1.42c01e"`. */
  type: string;
  kid: string;
  /** The common PSSH box from the SPEKE answer (base64), also inside the file's moov. */
  pssh: string;
}

export interface SamplesDescription {
  available: true;
  /** Frames in the clip, per track (video frames, audio frames). */
  frames: { video: number };
  hls: { contentId: string; kid: string; playlist: string; keyUrl: string };
  cenc: { contentId: string; licenseUrl: string; video: CencTrackDescription; audio: CencTrackDescription };
}
