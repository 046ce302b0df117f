import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildHandler } from '../../scripts/build.mjs';
import { all, CPIX, parse, PSKC, SPEKE } from '../support/xml.js';

/**
 * Every event in events/ run through the built Lambda bundle (scripts/build.mjs, the artefact `sam
 * build` produces) exactly as `npm run invoke` runs it: scripts/invoke.mjs in a child process, with
 * S3 and Secrets Manager answered by loopback stand-ins.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EVENTS_DIR = join(ROOT, 'events');
const KEY_URL_PREFIX = 'https://d111111abcdef8.cloudfront.net'; // scripts/lib/run-bundle.mjs

/** The status each event is answered with (events/README.md has the same table). */
const EXPECTED_STATUS: Record<string, number> = {
  'v1-live-hls-aes128-rotation.json': 200,
  'v1-dash-widevine-playready.json': 200,
  'v1-hls-fairplay.json': 200,
  'v2-live-cmaf-widevine-playready-fairplay.json': 200,
  'v2-vod-presets-video3-audio2.json': 200,
  'v2-clearkey-aes128.json': 200,
  'v2-encrypted-answer.json': 200,
  'v2-malformed-request.json': 400,
  'v2-unsupported-speke-version.json': 422,
};

interface Result {
  event: string;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
  publishedKeys: { key: string; value: string }[];
}

interface ApiEvent {
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

let workDir: string;
let eventFiles: string[];
const results = new Map<string, Result>();
const events = new Map<string, ApiEvent>();

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'speke-bundle-events-'));
  await buildHandler({ outdir: join(workDir, 'speke') });
  eventFiles = (await readdir(EVENTS_DIR)).filter((f) => f.endsWith('.json')).sort();
  for (const file of eventFiles) events.set(file, JSON.parse(await readFile(join(EVENTS_DIR, file), 'utf8')) as ApiEvent);
  const resultsFile = join(workDir, 'results.json');
  const { NODE_OPTIONS: _jestVmModules, ...env } = process.env;
  await promisify(execFile)(
    process.execPath,
    ['scripts/invoke.mjs', '--bundle', join(workDir, 'speke', 'speke.mjs'), '--results', resultsFile, ...eventFiles.map((f) => join('events', f))],
    { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 },
  );
  for (const result of JSON.parse(await readFile(resultsFile, 'utf8')) as Result[]) results.set(result.event.replace(/^events\//, ''), result);
}, 120_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const requestBody = (event: ApiEvent) => (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body);
const header = (event: ApiEvent, name: string) => Object.entries(event.headers).find(([k]) => k.toLowerCase() === name)?.[1];

describe('events/ answered by the built bundle', () => {
  it('has an expected status for every event, and an event for every expected status', () => {
    expect(eventFiles).toEqual(Object.keys(EXPECTED_STATUS).sort());
  });

  it('includes at least one base64-encoded body, as API Gateway sends with binary media types', () => {
    expect([...events.values()].some((e) => e.isBase64Encoded)).toBe(true);
  });

  it.each(Object.entries(EXPECTED_STATUS))('%s → %i', (file, status) => {
    const result = results.get(file)!;
    const event = events.get(file)!;
    expect(result).toBeDefined();
    expect({ status: result.statusCode, body: result.statusCode === status ? '' : result.body }).toEqual({ status, body: '' });
    if (status !== 200) {
      expect(result.headers['Content-Type']).toMatch(/^text\/plain/);
      expect(result.body.length).toBeGreaterThan(0);
      expect(result.publishedKeys).toEqual([]);
      return;
    }

    expect(result.headers['Content-Type']).toBe('application/xml');
    const spekeVersion = header(event, 'x-speke-version');
    if (spekeVersion) expect(result.headers['X-Speke-Version']).toBe(spekeVersion);
    else expect(result.headers['Speke-User-Agent']).toBeDefined();

    const request = parse(requestBody(event));
    const answer = parse(result.body);
    const contentId = request.attrs.contentId ?? request.attrs.id!;
    expect(answer.attrs.contentId ?? answer.attrs.id).toBe(contentId);
    const requestedKids = all(request, CPIX, 'ContentKey').map((k) => k.attrs.kid);
    expect(all(answer, CPIX, 'ContentKey').map((k) => k.attrs.kid)).toEqual(requestedKids);

    const encrypted = all(request, CPIX, 'DeliveryDataList').length > 0;
    expect(all(answer, PSKC, 'PlainValue')).toHaveLength(encrypted ? 0 : requestedKids.length);
    expect(all(answer, PSKC, 'EncryptedValue').length > 0).toBe(encrypted);

    // Keys players fetch (HLS AES-128 / ClearKey AES-128) are published before the answer, at
    // <content ID>/<kid>, with the same bytes the answer carries, and signalled at <prefix>/<content ID>/<kid>.
    const aesKids = all(request, CPIX, 'DRMSystem')
      .filter((d) => ['81376844-f976-481e-a84e-cc25d39b0b33', '3ea8778f-7742-4bf9-b18b-e834b2acbd47'].includes(d.attrs.systemId!))
      .map((d) => d.attrs.kid!);
    expect(result.publishedKeys.map((p) => p.key).sort()).toEqual(aesKids.map((kid) => `${contentId}/${kid}`).sort());
    for (const { key, value } of result.publishedKeys) {
      const kid = key.slice(contentId.length + 1);
      const contentKey = all(answer, CPIX, 'ContentKey').find((k) => k.attrs.kid === kid)!;
      expect(all(contentKey, PSKC, 'PlainValue')[0]!.text).toBe(value);
      const signalled = [...all(answer, CPIX, 'URIExtXKey'), ...all(answer, CPIX, 'HLSSignalingData')].map((n) => Buffer.from(n.text, 'base64').toString('utf8'));
      expect(signalled.some((text) => text.includes(`${KEY_URL_PREFIX}/${encodeURIComponent(contentId)}/${kid}`))).toBe(true);
    }
    // v1 answers keep the speke: elements they fill; nothing is left empty.
    for (const element of [...all(answer, SPEKE, 'KeyFormat'), ...all(answer, CPIX, 'PSSH'), ...all(answer, CPIX, 'HLSSignalingData')]) {
      expect(element.text.length).toBeGreaterThan(0);
    }
  });
});
