import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { derive } from '../../src/keys/derive.js';
import { DEMO_PROTECTION_LEVELS } from '../../demo/demo-protection-levels.js';
import { prepareSamples } from '../../demo/prepare-samples.js';
import { removeDir, type RunningServer } from '../support/local-server.js';
import { startDemoServer } from './support/demo-server.js';
import { launchChromium, playerResult, type DemoElement, type RunningBrowser } from './support/browser.js';
import { describeWithTools } from './support/tools.js';

declare const document: { getElementById(id: string): DemoElement | null };
declare const window: { scrollTo(x: number, y: number): void };

const SECRET = Buffer.alloc(32, 0x2f).toString('base64');
/** `UPDATE_DEMO_SCREENSHOT=1 npm run test:e2e` refreshes docs/demo.png, which README.md and docs/demo.md show. */
const UPDATE = process.env.UPDATE_DEMO_SCREENSHOT === '1';
const SCREENSHOT = UPDATE ? join(process.cwd(), 'docs', 'demo.png') : join(tmpdir(), 'speke-demo.png');

async function reducePalette(file: string): Promise<void> {
  const out = `${file}.tmp.png`;
  const filter = 'split[a][b];[a]palettegen=max_colors=256:stats_mode=full[p];[b][p]paletteuse=dither=none';
  await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', file, '-filter_complex', filter, out]);
  await rename(out, file);
}

const suite = await describeWithTools(['ffmpeg', 'chromium']);

suite('the demo page at / (as `npm run demo` serves it), in headless Chromium', () => {
  let server: RunningServer;
  let chromium: RunningBrowser | undefined;
  let page: Page;
  let pageErrors: string[];

  const text = (id: string) => page.evaluate((i) => document.getElementById(i)!.innerText, id);

  async function sendPreset(name: string, options: { encrypted?: boolean } = {}) {
    await page.selectOption('#preset', { label: name });
    if (options.encrypted !== undefined) await page.setChecked('#encrypted', options.encrypted);
    await page.waitForFunction(() => document.getElementById('request-status')!.textContent === '');
    await page.evaluate(() => delete document.getElementById('answer-body')!.dataset.status);
    await page.click('#send');
    await page.waitForFunction(() => document.getElementById('answer-body')!.dataset.status !== undefined);
    return page.evaluate(() => Number(document.getElementById('answer-body')!.dataset.status));
  }

  beforeAll(async () => {
    server = await startDemoServer({ SPEKE_MASTER_SECRET: SECRET, ...DEMO_PROTECTION_LEVELS });
    await prepareSamples(server.url, join(server.dataDir, 'demo-media'));
    chromium = await launchChromium();
    ({ page, errors: pageErrors } = await chromium.open(`${server.url}/`));
  });

  afterAll(async () => {
    await chromium?.close();
    await server.stop();
    await removeDir(server.dataDir);
  });

  it("shows the server's settings and never its secret", async () => {
    const settings = await text('settings-list');
    expect(settings).toContain(`${server.url}/keys`);
    expect(settings).toContain('from SPEKE_MASTER_SECRET (not shown)');
    expect(settings).toContain('/clearkey/license?contentId=<content ID>');
    expect(settings).toMatch(/HLS AES-128 \(81376844…\)/);
    const everything = (await page.content()) + (await (await fetch(`${server.url}/demo/settings`)).text());
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(Buffer.from(SECRET, 'base64').toString('hex'));
  });

  it('sends a prepared SPEKE v1 request and shows the key URL decoded', async () => {
    expect(await sendPreset('MediaPackage v1 — HLS AES-128 (live)')).toBe(200);
    const decoded = await text('decoded');
    expect(decoded).toMatch(/PlainValue\s+[0-9a-f]{32} \(16 bytes\)/);
    expect(decoded).toContain(`URI\t${server.url}/keys/demo%2Fchannel-1/`);
  });

  it('sends a prepared SPEKE v2 request and decodes PSSH boxes, Widevine data and the PlayReady header', async () => {
    expect(await sendPreset('SPEKE v2 — DASH cenc, video + audio keys, Widevine + PlayReady + common PSSH')).toBe(200);
    const decoded = await text('decoded');
    expect(decoded).toContain('SystemID\tedef8ba9-79d6-4ace-a3c8-27dcd51d21ed (Widevine)');
    expect(decoded).toMatch(/Widevine key_id\t[0-9a-f-]{36}/);
    expect(decoded).toMatch(/WRMHEADER version\t4\.\d\.0\.0/);
    expect(decoded).toContain('SystemID\t1077efec-c0b2-4d02-ace3-3c1e52e2fb4b (W3C common PSSH)');
  });

  it('sends an encrypted request with a certificate made in the page and decrypts the keys it gets back', async () => {
    expect(await sendPreset('SPEKE v2 — CMAF HLS cbcs, FairPlay + Widevine', { encrypted: true })).toBe(200);
    const decoded = await text('decoded');
    const match = /decrypted in this page\t([0-9a-f]{32}) \(16 bytes\), ValueMAC verified/.exec(decoded);
    expect(match).not.toBeNull();
    expect(await text('answer-body')).not.toContain('PlainValue');
    // The key the server derives for that content ID and KID from its master secret (the ClearKey
    // license endpoint refuses it: the KID was issued for FairPlay and Widevine, not ClearKey).
    const kid = /kid="([0-9a-f-]{36})"/.exec(await page.inputValue('#request-body'))![1]!;
    expect(derive(Buffer.from(SECRET, 'base64'), 'content-key', 'demo/channel-1', kid).toString('hex')).toBe(match![1]);
    const refused = await fetch(`${server.url}/clearkey/license?contentId=demo%2Fchannel-1`, {
      method: 'POST',
      body: JSON.stringify({ kids: [Buffer.from(kid.replace(/-/g, ''), 'hex').toString('base64url')] }),
    });
    expect(refused.status).toBe(403);
    await page.setChecked('#encrypted', false);
  });

  it('sends a SPEKE v2.1 live request with a start/end key period and decodes HDCP, robustness and allowed CPC', async () => {
    expect(await sendPreset('SPEKE v2.1 — live CMAF cbcs, key period with start/end, SD/HD/UHD + audio, Widevine + PlayReady + FairPlay')).toBe(200);
    const request = await page.inputValue('#request-body');
    expect(request).toContain('version="2.4"');
    const [, start, end] = /start="([^"]+)" end="([^"]+)"/.exec(request)!;
    expect(await text('answer-status')).toContain('X-Speke-Version 2.1');
    const decoded = await text('decoded');
    expect(decoded).toContain(`keyPeriod_1 @start\t${start}`);
    expect(decoded).toContain(`keyPeriod_1 @end\t${end}`);
    expect(decoded).toContain('keyPeriod_1 length\t6 s (live)');
    expect(decoded).toContain('HDCPData HLSHDCPLevel\tTYPE-1');
    expect(decoded).toContain('HDCPData HLSHDCPLevel\tNONE');
    expect(decoded).toContain('schemeIdUri="urn:mpeg:dash:output-protection:hdcp:2020" value="2.2"');
    expect(decoded).toContain('ContentProtectionData robustness\tHW_SECURE_ALL');
    expect(decoded).toContain('HLSAllowedCPC (ALLOWED-CPC)\tcom.apple.streamingkeydelivery:AppleMain/Main');
    expect(await text('settings-list')).toContain('SD=NONE,HD=TYPE-0,UHD=TYPE-1');
  });

  it('sends a SPEKE v2.1 VOD request with offset periods and an HLS method as scheme', async () => {
    expect(await sendPreset('SPEKE v2.1 — VOD, key periods as offsets, SAMPLE-AES, FairPlay + Widevine')).toBe(200);
    const decoded = await text('decoded');
    expect(decoded).toContain('vod_period_1 @startOffset\tPT30S');
    expect(decoded).toContain('vod_period_1 kind\tVOD (offsets into the title)');
    expect(decoded).toMatch(/commonEncryptionScheme\tSAMPLE-AES/);
    expect(decoded).toMatch(/METHOD\tSAMPLE-AES\n/);
  });

  it("shows the server's refusal of a request it cannot answer", async () => {
    await page.selectOption('#preset', { label: 'SPEKE v2 — CMAF HLS cbcs, FairPlay + Widevine' });
    await page.selectOption('#scheme', 'cenc');
    await page.click('#send');
    await page.waitForFunction(() => document.getElementById('answer-body')!.dataset.status === '422');
    expect(await text('decoded')).toContain('ContentKey@commonEncryptionScheme non compatible with DRMSystem 94ce86fb-07ff-4f43-adb8-93d2fa968ca2');
  });

  it('plays both encrypted samples to the end', async () => {
    await page.click('#play-hls');
    const hls = await playerResult(page, 'hls');
    expect(hls).toMatchObject({ state: 'ended' });
    expect(Number(hls.frames)).toBeGreaterThanOrEqual(100);
    await page.click('#play-cenc');
    const cenc = await playerResult(page, 'cenc');
    expect(cenc).toMatchObject({ state: 'ended' });
    expect(Number(cenc.frames)).toBeGreaterThanOrEqual(100);
    expect(pageErrors).toEqual([]);
  });

  it('takes the screenshot README.md and docs/demo.md show (1280x800)', async () => {
    expect(await sendPreset('SPEKE v2 — DASH cenc, video + audio keys, Widevine + PlayReady + common PSSH')).toBe(200);
    await page.evaluate(() => window.scrollTo(0, 0));
    await mkdir(join(SCREENSHOT, '..'), { recursive: true });
    await writeFile(SCREENSHOT, await page.screenshot());
    // A 256-colour palette keeps the committed image small; text stays sharp.
    if (UPDATE) await reducePalette(SCREENSHOT);
    const png = await readFile(SCREENSHOT);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 800]);
  });
});
