/* global document, MediaSource */
/**
 * The demo's two players. Each reports on a status element: data-state (idle, loading, playing,
 * ended, error), data-frames (decoded video frames at the end) and data-errors; the end-to-end
 * tests read the same attributes a person sees.
 */

function reporter(status, log) {
  const line = (text) => {
    const li = document.createElement('li');
    li.textContent = text;
    log.append(li);
  };
  return {
    line,
    state(state, text) {
      status.dataset.state = state;
      status.textContent = text ?? state;
    },
    fail(message) {
      status.dataset.errors = [status.dataset.errors, message].filter(Boolean).join('; ');
      status.dataset.state = 'error';
      status.textContent = `error: ${message}`;
      line(`error: ${message}`);
    },
  };
}

/** Resolves when the video ends; reports decoded frames and media errors. */
function watch(video, report) {
  return new Promise((resolve) => {
    video.addEventListener('playing', () => report.state('playing'));
    video.addEventListener('timeupdate', () => {
      if (video.dataset.done) return;
      const frames = video.getVideoPlaybackQuality().totalVideoFrames;
      video
        .closest('section')
        ?.querySelector('.time')
        ?.replaceChildren(`${video.currentTime.toFixed(2)} s, ${frames} frames decoded`);
    });
    video.addEventListener('error', () => {
      report.fail(`media error ${video.error?.code}: ${video.error?.message ?? ''}`);
      resolve();
    });
    video.addEventListener('ended', () => {
      video.dataset.done = 'true';
      const quality = video.getVideoPlaybackQuality();
      report.state('ended', `ended after ${video.currentTime.toFixed(2)} s: ${quality.totalVideoFrames} frames decoded, ${quality.droppedVideoFrames} dropped`);
      report.status.dataset.frames = String(quality.totalVideoFrames);
      report.status.dataset.dropped = String(quality.droppedVideoFrames);
      resolve();
    });
  });
}

/** HLS AES-128 with hls.js: hls.js fetches the key from the #EXT-X-KEY URI, i.e. from this server. */
export async function playHls(video, status, log, playlist) {
  const report = { ...reporter(status, log), status };
  report.state('loading');
  const { default: Hls } = await import('/demo/vendor/hls.mjs');
  if (!Hls.isSupported()) return report.fail('this browser has no Media Source Extensions');
  video.hls?.destroy();
  const hls = new Hls({ enableWorker: false });
  video.hls = hls;
  hls.on(Hls.Events.KEY_LOADED, (_event, data) => report.line(`key loaded from ${data.frag?.decryptdata?.uri ?? 'key URL'}`));
  let fatal;
  const failed = new Promise((resolve) => (fatal = resolve));
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (!data.fatal) return report.line(`hls.js warning: ${data.details}`);
    report.fail(`hls.js ${data.type}: ${data.details}`);
    fatal();
  });
  hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => report.line(`playlist parsed: ${data.levels.length} level(s)`));
  const ended = Promise.race([watch(video, report), failed]);
  hls.attachMedia(video);
  hls.loadSource(playlist);
  await video.play().catch((error) => report.line(`play(): ${error.message}`));
  // Kept attached after the end, so the last frame stays on screen; a new play destroys it.
  await ended;
}

const base64ToBytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const b64urlToHex = (s) => Array.from(base64ToBytes(s.replace(/-/g, '+').replace(/_/g, '/')), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * CENC with the W3C ClearKey CDM: MSE plays the separate video and audio files; each init segment
 * carries the common PSSH box from the SPEKE answer, so the browser fires 'encrypted'; the CDM's
 * license request goes to this server's /clearkey/license.
 */
export async function playCenc(video, status, log, sample) {
  const report = { ...reporter(status, log), status };
  report.state('loading');
  const access = await navigator.requestMediaKeySystemAccess('org.w3.clearkey', [
    { initDataTypes: ['cenc'], videoCapabilities: [{ contentType: sample.video.type }], audioCapabilities: [{ contentType: sample.audio.type }] },
  ]);
  const mediaKeys = await access.createMediaKeys();
  await video.setMediaKeys(mediaKeys);
  video.addEventListener('encrypted', (event) => {
    report.line(`'encrypted' event: ${event.initDataType} init data, ${event.initData.byteLength} bytes`);
    const session = mediaKeys.createSession('temporary');
    session.addEventListener('message', async (message) => {
      try {
        const request = JSON.parse(new TextDecoder().decode(message.message));
        const response = await fetch(sample.licenseUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: message.message });
        const body = await response.arrayBuffer();
        if (!response.ok) return report.fail(`license ${response.status}: ${new TextDecoder().decode(body)}`);
        report.line(
          `license for KID ${request.kids.map(b64urlToHex).join(', ')}: ${response.status}, ${JSON.parse(new TextDecoder().decode(body)).keys.length} key(s)`,
        );
        await session.update(body);
      } catch (error) {
        report.fail(`license: ${error.message}`);
      }
    });
    session.addEventListener('keystatuseschange', () => {
      session.keyStatuses.forEach((state, kid) => {
        const hex = Array.from(new Uint8Array(kid), (b) => b.toString(16).padStart(2, '0')).join('');
        report.line(`key ${hex}: ${state}`);
        if (state !== 'usable') report.fail(`key ${hex} is ${state}`);
      });
    });
    session.generateRequest(event.initDataType, event.initData).catch((error) => report.fail(`generateRequest: ${error.message}`));
  });
  const ended = watch(video, report);
  const source = new MediaSource();
  video.src = URL.createObjectURL(source);
  await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
  // Every SourceBuffer must exist before the first init segment is appended.
  const tracks = [sample.video, sample.audio].map((track) => ({ track, buffer: source.addSourceBuffer(track.type) }));
  for (const { track, buffer } of tracks) {
    const bytes = await (await fetch(track.url)).arrayBuffer();
    buffer.appendBuffer(bytes);
    await new Promise((resolve, reject) => {
      buffer.addEventListener('updateend', resolve, { once: true });
      buffer.addEventListener('error', () => reject(new Error(`appending ${track.url} failed`)), { once: true });
    });
    report.line(`${track.url}: ${bytes.byteLength} bytes appended (${track.type})`);
  }
  source.endOfStream();
  await video.play().catch((error) => report.line(`play(): ${error.message}`));
  await ended;
}
