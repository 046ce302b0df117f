import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from './tools.js';

/** The page's DOM, as far as these helpers touch it (the tests compile without the DOM library). */
export interface DemoElement {
  dataset: Record<string, string | undefined>;
  innerText: string;
  textContent: string | null;
}
declare const document: { getElementById(id: string): DemoElement | null };

export interface RunningBrowser {
  browser: Browser;
  /** A page of the demo at `url`, loaded and ready; page errors are collected in `errors`. */
  open(url: string): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, driven by playwright-core; traffic stays on 127.0.0.1. */
export async function launchChromium(): Promise<RunningBrowser> {
  // playwright-core starts it with a fresh, temporary profile (user data dir) and headless.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  return {
    browser,
    open: async (url) => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
      return { page, errors };
    },
    close: async () => {
      await browser.close();
    },
  };
}

export interface PlayerResult {
  state: string;
  frames: string | undefined;
  errors: string | undefined;
  log: string;
}

/** Waits until a demo player's status says ended or error, and returns what it reports. */
export async function playerResult(page: Page, player: 'hls' | 'cenc'): Promise<PlayerResult> {
  await page.waitForFunction((p) => ['ended', 'error'].includes(document.getElementById(`status-${p}`)!.dataset.state ?? ''), player, { timeout: 120_000 });
  return page.evaluate((p) => {
    const status = document.getElementById(`status-${p}`)!;
    return { state: status.dataset.state!, frames: status.dataset.frames, errors: status.dataset.errors, log: document.getElementById(`log-${p}`)!.innerText };
  }, player);
}
