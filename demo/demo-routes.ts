import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { required } from '../src/required.js';
import type { LocalRoute } from '../src/local/routes.js';
import type { CopyProtectionDependencies } from '../src/service/copy-protection.js';
import type { EdgeAnswer } from '../src/service/edge.js';
import { demoSettings, type DemoEnvironment } from './demo-settings.js';
import { SAMPLES_FILE } from './sample-layout.js';

/** What the demo's routes show and serve. */
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

function answer(status: number, type: string, body: string | Buffer): EdgeAnswer {
  return { status, headers: { ...SECURITY_HEADERS, 'Content-Type': type }, body };
}

const notFound = (text: string) => answer(404, 'text/plain; charset=utf-8', text);

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

/**
 * The demo page's routes, added to the local server's table by `npm run demo`: GET / (the page),
 * GET /demo/<asset> (its scripts and styles), GET /demo/settings (secret-free settings),
 * GET /demo/samples and /demo/media/… (the encrypted samples `npm run demo` prepares),
 * GET /demo/vendor/hls.mjs (from node_modules). Every file served is on an explicit list or matches
 * a strict name pattern; nothing is resolved from the URL path. GET and HEAD only, open to anyone
 * the server's Host and Origin checks let through.
 */
export function demoRoutes(deps: DemoRouteDependencies): LocalRoute[] {
  const route = (path: LocalRoute['path'], handle: LocalRoute['handle']): LocalRoute => ({
    name: 'demo',
    path,
    methods: ['GET', 'HEAD'],
    auth: 'open',
    errors: 'text',
    handle,
  });
  return [
    route('/demo/settings', () => answer(200, required(TYPES.json, 'the JSON type'), JSON.stringify(demoSettings(deps.app, deps.demo, deps.clearKeyLicense)))),
    route('/demo/samples', async () => {
      const samples = await readOrUndefined(join(deps.demo.mediaDir, SAMPLES_FILE));
      return answer(
        200,
        required(TYPES.json, 'the JSON type'),
        samples ?? JSON.stringify({ available: false, hint: 'Run `npm run demo` (needs ffmpeg) to prepare the samples.' }),
      );
    }),
    route(MEDIA, async ({ params }) => {
      const [dir, name] = [required(params[0], 'the sample folder'), required(params[1], 'the sample file')];
      const file = await readOrUndefined(join(deps.demo.mediaDir, dir, name));
      return file ? answer(200, required(TYPES[extension(name)], `the type of ${name}`), file) : notFound('No such sample file');
    }),
    route(Object.keys(VENDOR), async ({ path }) => {
      const resolved = vendorFile(required(VENDOR[path], 'the vendor file'));
      const file = resolved ? await readOrUndefined(resolved) : undefined;
      return file ? answer(200, required(TYPES.mjs, 'the JavaScript type'), file) : notFound(`${VENDOR[path]} is not installed (npm install)`);
    }),
    route(Object.keys(ASSETS), async ({ path }) => {
      const name = required(ASSETS[path], 'the asset');
      const file = await readOrUndefined(join(PUBLIC_DIR, name));
      return file ? answer(200, required(TYPES[extension(name)], `the type of ${name}`), file) : notFound('Not found');
    }),
  ];
}
