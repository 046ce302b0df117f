import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildHandler } from '../../scripts/build.mjs';
import { randomUUID } from 'node:crypto';
import { apiGatewayEvent } from '../support/lambda.js';
import { SYSTEM, v2Request } from '../support/requests.js';
import { all, CPIX, parse, PSKC, SPEKE } from '../support/xml.js';

/**
 * Every event in events/ run through the built Lambda bundles (scripts/build.mjs, the artefacts `sam
 * build` produces) exactly as `npm run invoke` runs them: scripts/invoke.mjs in a child process, each
 * event in the bundle of its route, with S3 and Secrets Manager answered by loopback stand-ins.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EVENTS_DIR = join(ROOT, 'events');
const KEY_URL_PREFIX = 'https://d111111abcdef8.cloudfront.net'; // scripts/lib/run-bundle.mjs

/** The status each SPEKE event is answered with (events/README.md has the same table). */
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
  'v21-live-cmaf-key-rotation.json': 200,
  'v21-vod-offsets.json': 200,
};
/** ClearKey license events (POST /clearkey/license, run in clearkey-license.mjs) and their status. */
const LICENSE_STATUS: Record<string, number> = {
  'clearkey-license.json': 200,
};
/** The SPEKE event for the same content ID and KID as clearkey-license.json. */
const SAME_KEY_AS_LICENSE = 'v2-clearkey-aes128.json';
const TOKEN = 'viewer-token-0123456789abcdef';

interface Result {
  event: string;
  bundle: string;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
  publishedKeys: { key: string; value: string }[];
}

interface ApiEvent {
  headers: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  queryStringParameters?: Record<string, string> | null;
  body: string;
  isBase64Encoded: boolean;
}

let workDir: string;
let eventFiles: string[];
const results = new Map<string, Result>();
const events = new Map<string, ApiEvent>();
/** The license events again, in a run with SPEKE_KEY_ACCESS_TOKEN set: as sent, and with the token. */
const tokenResults = new Map<string, Result>();

/** Runs scripts/invoke.mjs on `files` with both bundles of workDir, as `npm run invoke` does. */
async function invoke(files: string[], resultsFile: string, extraEnv: Record<string, string> = {}): Promise<Result[]> {
  const { NODE_OPTIONS: _jestVmModules, ...env } = process.env;
  await promisify(execFile)(process.execPath, ['scripts/invoke.mjs', '--bundle-dir', join(workDir, 'speke'), '--results', resultsFile, ...files], {
    cwd: ROOT,
    env: { ...env, ...extraEnv },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(await readFile(resultsFile, 'utf8')) as Result[];
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'speke-bundle-events-'));
  await buildHandler({ outdir: join(workDir, 'speke') });
  eventFiles = (await readdir(EVENTS_DIR)).filter((f) => f.endsWith('.json')).sort();
  for (const file of eventFiles) events.set(file, JSON.parse(await readFile(join(EVENTS_DIR, file), 'utf8')) as ApiEvent);
  for (const result of await invoke(
    eventFiles.map((f) => join('events', f)),
    join(workDir, 'results.json'),
  )) {
    results.set(result.event.replace(/^events\//, ''), result);
  }

  // SPEKE_KEY_ACCESS_TOKEN exported, as for a stack with ClearKeyLicenseAccessToken: each license
  // event as it is (no Authorization header) and with `Authorization: Bearer <token>` added.
  // The SPEKE event that grants the license event's KID runs first in the same run (same stand-ins).
  const tokenFiles: string[] = [join('events', SAME_KEY_AS_LICENSE)];
  for (const file of Object.keys(LICENSE_STATUS)) {
    const event = events.get(file)!;
    const withToken = join(workDir, `with-token-${file}`);
    const authorization = `Bearer ${TOKEN}`;
    await writeFile(
      withToken,
      JSON.stringify({
        ...event,
        headers: { ...event.headers, Authorization: authorization },
        multiValueHeaders: { ...event.multiValueHeaders, Authorization: [authorization] },
      }),
    );
    tokenFiles.push(join('events', file), withToken);
  }
  for (const result of await invoke(tokenFiles, join(workDir, 'token-results.json'), { SPEKE_KEY_ACCESS_TOKEN: TOKEN })) {
    tokenResults.set(result.event.replace(/^events\//, '').replace(/^.*\/with-token-/, 'with-token-'), result);
  }
}, 120_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('events/ answered by the built bundles as deployed (npm run invoke -- --as-deployed)', () => {
  // Each function in its own process with its environment as the stack sets it at default
  // parameters and as the Lambda runtime adds to it: Tracing Active (X-Ray SDK sending to a
  // loopback receiver, a trace header per invocation), metrics on, NODE_OPTIONS from the template.
  let deployed: (Result & { xrayDatagrams: number; sourceMapsEnabled: boolean })[];
  let stdout: string;
  let stderr: string;
  beforeAll(async () => {
    const { NODE_OPTIONS: _jestVmModules, POWERTOOLS_TRACE_ENABLED: _t, POWERTOOLS_METRICS_DISABLED: _m, ...env } = process.env;
    const resultsFile = join(workDir, 'deployed-results.json');
    ({ stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['scripts/invoke.mjs', '--as-deployed', '--bundle-dir', join(workDir, 'speke'), '--results', resultsFile, ...eventFiles.map((f) => join('events', f))],
      { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 },
    ));
    deployed = JSON.parse(await readFile(resultsFile, 'utf8')) as typeof deployed;
  }, 120_000);

  it('answers every event with its expected status', () => {
    const expected = { ...EXPECTED_STATUS, ...LICENSE_STATUS };
    expect(Object.fromEntries(deployed.map((r) => [r.event.replace(/^events\//, ''), r.statusCode]))).toEqual(expected);
  });

  it('traces every invocation (segments reach the X-Ray daemon address) and runs with source maps enabled', () => {
    for (const result of deployed) {
      expect({ event: result.event, traced: result.xrayDatagrams > 0, sourceMaps: result.sourceMapsEnabled }).toEqual({
        event: result.event,
        traced: true,
        sourceMaps: true,
      });
    }
    // Nothing from the X-Ray SDK about a missing segment or context.
    expect(stderr).not.toMatch(/segment|context missing/i);
  });

  it('publishes CloudWatch metrics (EMF) in the template namespace for every SPEKE invocation', () => {
    const records = stdout
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as { _aws: { CloudWatchMetrics: { Namespace: string }[] } });
    expect(records.length).toBeGreaterThanOrEqual(Object.keys(EXPECTED_STATUS).length);
    for (const record of records) expect(record._aws.CloudWatchMetrics.map((m) => m.Namespace)).toEqual(['SpekeKeyServer']);
  });
});

const requestBody = (event: ApiEvent) => (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body);
const header = (event: ApiEvent, name: string) => Object.entries(event.headers).find(([k]) => k.toLowerCase() === name)?.[1];

describe('events/ answered by the built bundle', () => {
  it('has an expected status for every event, and an event for every expected status', () => {
    expect(eventFiles).toEqual([...Object.keys(EXPECTED_STATUS), ...Object.keys(LICENSE_STATUS)].sort());
  });

  it('runs each event in the bundle of its route', () => {
    for (const file of Object.keys(EXPECTED_STATUS)) expect(results.get(file)?.bundle).toBe('speke.mjs');
    for (const file of Object.keys(LICENSE_STATUS)) expect(results.get(file)?.bundle).toBe('clearkey-license.mjs');
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
      const signalled = [...all(answer, CPIX, 'URIExtXKey'), ...all(answer, CPIX, 'HLSSignalingData')].map((n) =>
        Buffer.from(n.text, 'base64').toString('utf8'),
      );
      expect(signalled.some((text) => text.includes(`${KEY_URL_PREFIX}/${encodeURIComponent(contentId)}/${kid}`))).toBe(true);
    }
    // v1 answers keep the speke: elements they fill; nothing is left empty.
    for (const element of [...all(answer, SPEKE, 'KeyFormat'), ...all(answer, CPIX, 'PSSH'), ...all(answer, CPIX, 'HLSSignalingData')]) {
      expect(element.text.length).toBeGreaterThan(0);
    }
  });
});

describe('SPEKE v2.1 events answered by the built bundle', () => {
  const v21 = () => Object.keys(EXPECTED_STATUS).filter((file) => header(events.get(file)!, 'x-speke-version') === '2.1');

  it('include a live event with start/end times and a VOD event with offsets', () => {
    const periods = v21().flatMap((file) => all(parse(requestBody(events.get(file)!)), CPIX, 'ContentKeyPeriod'));
    expect(periods.some((p) => p.attrs.start !== undefined && p.attrs.end !== undefined)).toBe(true);
    expect(periods.some((p) => p.attrs.startOffset !== undefined && p.attrs.endOffset !== undefined)).toBe(true);
  });

  it.each(['v21-live-cmaf-key-rotation.json', 'v21-vod-offsets.json'])('%s: CPIX 2.4 answered with every period and filter echoed exactly as sent', (file) => {
    const event = events.get(file)!;
    const result = results.get(file)!;
    expect(result.statusCode).toBe(200);
    expect(result.headers['X-Speke-Version']).toBe('2.1');
    const request = parse(requestBody(event));
    const answer = parse(result.body);
    expect(answer.attrs.version).toBe('2.4');
    expect(all(answer, CPIX, 'ContentKeyPeriod')).toEqual(all(request, CPIX, 'ContentKeyPeriod'));
    expect(all(answer, CPIX, 'ContentKeyUsageRule')).toEqual(all(request, CPIX, 'ContentKeyUsageRule'));
    // Each period's times appear in the answer byte for byte, as the request wrote them.
    for (const match of requestBody(event).matchAll(/<cpix:ContentKeyPeriod [^>]*\/>/g)) expect(result.body).toContain(match[0]);
    // No v1 markup in a v2.1 answer.
    expect(result.body).not.toMatch(/urn:aws:amazon:com:speke|URIExtXKey/);
  });

  it('v21-vod-offsets.json: the HLS method scheme is answered with METHOD=SAMPLE-AES for every system', () => {
    const answer = parse(results.get('v21-vod-offsets.json')!.body);
    const tags = all(answer, CPIX, 'HLSSignalingData').map((h) => Buffer.from(h.text, 'base64').toString('utf8'));
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag).toMatch(/^#EXT-X-(SESSION-)?KEY:METHOD=SAMPLE-AES,/);
  });
});

describe('events/clearkey-license.json answered by the built clearkey-license bundle', () => {
  interface KeySet {
    keys: { kty: string; kid: string; k: string }[];
    type: string;
  }
  const file = 'clearkey-license.json';
  const kidsAsked = () => (JSON.parse(requestBody(events.get(file)!)) as { kids: string[] }).kids;

  it('is a POST /clearkey/license with a content ID and an EME license request, as a browser sends it', () => {
    const event = events.get(file)! as ApiEvent & { resource: string; httpMethod: string };
    expect({ resource: event.resource, httpMethod: event.httpMethod }).toEqual({ resource: '/clearkey/license', httpMethod: 'POST' });
    expect(event.queryStringParameters?.contentId).toBeDefined();
    expect(header(event, 'authorization')).toBeUndefined(); // no SigV4: the route has no authorizer
    expect(kidsAsked().length).toBeGreaterThan(0);
  });

  it(`answers ${LICENSE_STATUS[file]} with the JSON Web Key set, the same keys the SPEKE bundle gives for that content ID and KID`, () => {
    const result = results.get(file)!;
    expect({ status: result.statusCode, body: result.statusCode === 200 ? '' : result.body }).toEqual({ status: LICENSE_STATUS[file], body: '' });
    expect(result.headers).toMatchObject({ 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' });
    expect(result.publishedKeys).toEqual([]); // a license publishes nothing

    const license = JSON.parse(result.body) as KeySet;
    expect(license.type).toBe('temporary');
    expect(license.keys.map((k) => k.kid)).toEqual(kidsAsked());

    // The SPEKE event for the same content ID and KID, answered in the same run (same master secret).
    const event = events.get(file)!;
    const speke = parse(results.get(SAME_KEY_AS_LICENSE)!.body);
    expect(speke.attrs.contentId).toBe(event.queryStringParameters!.contentId);
    for (const { kty, kid, k } of license.keys) {
      expect(kty).toBe('oct');
      const uuid = Buffer.from(kid, 'base64url')
        .toString('hex')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
      const contentKey = all(speke, CPIX, 'ContentKey').find((c) => c.attrs.kid === uuid)!;
      expect(contentKey).toBeDefined();
      expect(Buffer.from(k, 'base64url').toString('base64')).toBe(all(contentKey, PSKC, 'PlainValue')[0]!.text);
    }
  });

  it('answers 401 without the bearer token when SPEKE_KEY_ACCESS_TOKEN is set, and the keys with it', () => {
    const refused = tokenResults.get(file)!;
    expect(refused.statusCode).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({ error: 'Unauthorized' });
    expect(refused.headers).toMatchObject({ 'WWW-Authenticate': 'Bearer', 'Access-Control-Allow-Origin': '*' });

    const served = tokenResults.get(`with-token-${file}`)!;
    expect(served.statusCode).toBe(200);
    expect((JSON.parse(served.body) as KeySet).keys.map((k) => k.kid)).toEqual(kidsAsked());
  });
});

describe('1,000 AES-128 keys in one request, through the built SPEKE bundle and the S3 stand-in', () => {
  it('answers 200 with every key published (bounded publishing over a socket pool sized for it), within the function timeout', async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => ({
      kid: randomUUID(),
      trackType: `VIDEO_${String(i).padStart(4, '0')}`,
      filter: `<cpix:VideoFilter minPixels="${i * 1000}" maxPixels="${i * 1000 + 999}"/>`,
    }));
    const body = v2Request({
      contentId: 'vod-1000-aes',
      keys,
      // HLS AES-128 (MediaConvert VOD): one PutObject per key; the stand-in's 15 s function deadline holds.
      systems: [{ systemId: SYSTEM.hlsAes128, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>' }],
    });
    const file = join(workDir, 'thousand-aes128.json');
    await writeFile(file, JSON.stringify(apiGatewayEvent(body, { headers: { 'X-Speke-Version': '2.0' } })));
    const [result] = await invoke([file], join(workDir, 'thousand-results.json'));
    expect({ status: result!.statusCode, body: result!.statusCode === 200 ? '' : result!.body }).toEqual({ status: 200, body: '' });
    expect(result!.publishedKeys.map((p) => p.key).sort()).toEqual(keys.map((k) => `vod-1000-aes/${k.kid}`).sort());
    const answer = parse(result!.body);
    const plain = new Map(all(answer, CPIX, 'ContentKey').map((k) => [k.attrs.kid!, all(k, PSKC, 'PlainValue')[0]!.text]));
    for (const { key, value } of result!.publishedKeys) expect(value).toBe(plain.get(key.slice('vod-1000-aes/'.length)));
  }, 180_000);
});
