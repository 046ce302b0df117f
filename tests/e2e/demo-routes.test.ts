import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeDir, type RunningServer } from '../support/local-server.js';
import { startDemoServer } from './support/demo-server.js';

/** The demo's HTTP routes, without a browser or ffmpeg: what is served, and what never is. */
describe('demo routes of the local server', () => {
  let server: RunningServer;
  const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

  beforeAll(async () => {
    server = await startDemoServer({ SPEKE_MASTER_SECRET: Buffer.alloc(32, 9).toString('base64') });
  });
  afterAll(async () => {
    await server.stop();
    await removeDir(server.dataDir);
  });

  it('serves the page at / and its scripts, and hls.js from node_modules', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script type="module" src="/demo/app.js">');
    for (const asset of ['/demo/app.js', '/demo/decode.js', '/demo/players.js', '/demo/requests.js', '/demo/certificate.js', '/demo/vendor/hls.mjs']) {
      const res = await get(asset);
      expect([asset, res.status, res.headers.get('content-type')]).toEqual([asset, 200, 'text/javascript; charset=utf-8']);
    }
  });

  it('gives the settings without any secret', async () => {
    const res = await get('/demo/settings');
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      keyUrlPrefix: `${server.url}/keys`,
      masterSecret: 'SPEKE_MASTER_SECRET',
      keyStore: { kind: 'data-folder' },
      spekeVersions: ['1.0', '2.0', '2.1'],
      protectionLevels: { hdcp: '', robustness: '', allowedCpc: '' },
    });
    expect(text).not.toContain(Buffer.alloc(32, 9).toString('base64'));
    expect(text).not.toContain(server.dataDir);
  });

  it('says when no samples are prepared, and serves prepared sample files only by their strict names', async () => {
    expect(await (await get('/demo/samples')).json()).toMatchObject({ available: false });
    const dir = join(server.dataDir, 'demo-media', 'hls');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'playlist.m3u8'), '#EXTM3U\n');
    const playlist = await get('/demo/media/hls/playlist.m3u8');
    expect([playlist.status, playlist.headers.get('content-type')]).toEqual([200, 'application/vnd.apple.mpegurl']);
    for (const path of [
      '/demo/media/hls/..%2F..%2Fmaster-secret',
      '/demo/media/hls/%2E%2E/%2E%2E/master-secret',
      '/demo/media/keys/x.ts',
      '/demo/media/hls/key.bin',
      '/demo/../master-secret',
      '/demo/vendor/hls.js',
    ]) {
      expect([path, (await get(path)).status]).toEqual([path, 404]);
    }
  });

  it('answers 405 to anything but GET and HEAD on demo routes', async () => {
    expect((await get('/', { method: 'POST' })).status).toBe(405);
    expect((await get('/demo/settings', { method: 'DELETE' })).status).toBe(405);
    expect((await get('/', { method: 'HEAD' })).status).toBe(200);
  });
});
