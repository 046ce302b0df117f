import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CopyProtectionDependencies } from '../../service/copy-protection.js';
import { demoSettings, type DemoEnvironment } from './demo-settings.js';
import { SAMPLES_FILE } from './sample-layout.js';

/**
 * The demo page's routes: GET / (the page), GET /demo/<asset> (its scripts and styles),
 * GET /demo/settings (secret-free settings), GET /demo/samples and /demo/media/… (the encrypted
 * samples `npm run demo` prepares), GET /demo/vendor/hls.mjs (from node_modules). Every file served
 * is on an explicit list or matches a strict name pattern; nothing is resolved from the URL path.
 */
export interface DemoRouteDependencies {
  app: CopyProtectionDependencies;
  demo: DemoEnvironment;
  clearKeyLicense: boolean;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  mp4: 'video/mp4',
};

/** The page's own files, by URL path. */
const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/demo/': 'index.html',
  '/demo/style.css': 'style.css',
  '/demo/app.js': 'app.js',
  '/demo/requests.js': 'requests.js',
  '/demo/decode.js': 'decode.js',
  '/demo/certificate.js': 'certificate.js',
  '/demo/players.js': 'players.js',
};

/** Third-party browser code, served from node_modules (devDependencies) when installed. */
const VENDOR: Record<string, string> = {
  '/demo/vendor/hls.mjs': 'hls.js/dist/hls.min.mjs',
};

/** Sample media: /demo/media/<hls|cenc>/<name>.<m3u8|ts|mp4>, names of letters, digits and dashes only. */
const MEDIA = /^\/demo\/media\/(hls|cenc)\/([a-z0-9-]{1,64}\.(?:m3u8|ts|mp4))$/;

const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };

function extension(file: string): string {
  return file.slice(file.lastIndexOf('.') + 1);
}

function answer(res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(head ? undefined : body);
}

async function readOrUndefined(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch {
    return undefined;
  }
}

function vendorFile(specifier: string): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch {
    return undefined;
  }
}

/** Answers the request when its path is a demo route and returns true; returns false otherwise. */
export async function demoRoute(req: IncomingMessage, res: ServerResponse, path: string, deps: DemoRouteDependencies): Promise<boolean> {
  const media = MEDIA.exec(path);
  const known = path in ASSETS || path in VENDOR || path === '/demo/settings' || path === '/demo/samples' || media !== null;
  if (!known) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' });
    res.end('Method not allowed');
    return true;
  }
  const head = req.method === 'HEAD';
  const notFound = (text: string) => answer(res, 404, 'text/plain; charset=utf-8', text, head);

  if (path === '/demo/settings') {
    answer(res, 200, TYPES.json!, JSON.stringify(demoSettings(deps.app, deps.demo, deps.clearKeyLicense)), head);
  } else if (path === '/demo/samples') {
    const samples = await readOrUndefined(join(deps.demo.mediaDir, SAMPLES_FILE));
    answer(res, 200, TYPES.json!, samples ?? JSON.stringify({ available: false, hint: 'Run `npm run demo` (needs ffmpeg) to prepare the samples.' }), head);
  } else if (media) {
    const file = await readOrUndefined(join(deps.demo.mediaDir, media[1]!, media[2]!));
    if (file) answer(res, 200, TYPES[extension(media[2]!)]!, file, head);
    else notFound('No such sample file');
  } else if (path in VENDOR) {
    const resolved = vendorFile(VENDOR[path]!);
    const file = resolved ? await readOrUndefined(resolved) : undefined;
    if (file) answer(res, 200, TYPES.mjs!, file, head);
    else notFound(`${VENDOR[path]} is not installed (npm install)`);
  } else {
    const name = ASSETS[path]!;
    const file = await readOrUndefined(join(PUBLIC_DIR, name));
    if (file) answer(res, 200, TYPES[extension(name)]!, file, head);
    else notFound('Not found');
  }
  return true;
}
