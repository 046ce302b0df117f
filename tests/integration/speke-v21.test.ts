import { randomBytes } from 'node:crypto';
import { removeDir, startLocalServer, useLocalServer, type RunningServer } from '../support/local-server.js';
import { fromBase64, parseHlsTag } from '../support/drm-decoders.js';
import { KID_A, KID_B, SYSTEM, v21Request, type V2Period } from '../support/requests.js';
import { all, CPIX, parse, PSKC, type Node } from '../support/xml.js';

/** SPEKE v2.1 (CPIX 2.4) through the local server over HTTP. */
const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
const SYSTEMS = [
  { systemId: SYSTEM.widevine, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` },
  { systemId: SYSTEM.playready, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` },
  { systemId: SYSTEM.fairplay, children: HLS_PAIR },
];
/** MediaPackage v2 with INDEX_WITH_START_END: one live period of 6 s per rotation, the video and audio keys of that period. */
const LIVE_PERIOD: V2Period = {
  id: 'keyPeriod_0909829f-40ff-4625-90fa-75da3e53278f',
  attributes: 'index="11425" start="2026-01-01T00:00:00Z" end="2026-01-01T00:00:06Z"',
};
const KEYS = [
  { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
  { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
];
const liveRequest = (contentId = 'live-v21-channel') => v21Request({ contentId, keys: KEYS, systems: SYSTEMS, periodList: [LIVE_PERIOD] });

function post(server: RunningServer, body: string, version = '2.1') {
  return fetch(`${server.url}/copyProtection`, { method: 'POST', body, headers: { 'Content-Type': 'application/xml', 'X-Speke-Version': version } });
}

/** What an encryptor takes from an answer: keys, IVs and every DRM payload, by KID and system. */
function material(doc: Node): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of all(doc, CPIX, 'ContentKey')) {
    out[`${key.attrs.kid} key`] = all(key, PSKC, 'PlainValue')[0]!.text;
    out[`${key.attrs.kid} iv`] = key.attrs.explicitIV ?? '';
  }
  for (const drm of all(doc, CPIX, 'DRMSystem')) {
    for (const child of drm.children) out[`${drm.attrs.kid} ${drm.attrs.systemId} ${child.name} ${child.attrs.playlist ?? ''}`] = child.text;
  }
  return out;
}

describe('SPEKE v2.1 over HTTP', () => {
  const server = useLocalServer();

  it('answers a live request with start/end times: 200, X-Speke-Version 2.1, CPIX 2.4, the period echoed', async () => {
    const res = await post(server, liveRequest());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-speke-version')).toBe('2.1');
    expect(res.headers.get('content-type')).toBe('application/xml');
    const doc = parse(await res.text());
    expect(doc.attrs.version).toBe('2.4');
    expect(all(doc, CPIX, 'ContentKeyPeriod').map((p) => p.attrs)).toEqual([
      { id: LIVE_PERIOD.id, index: '11425', start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:00:06Z' },
    ]);
    expect(all(doc, CPIX, 'KeyPeriodFilter').map((f) => f.attrs.periodId)).toEqual([LIVE_PERIOD.id, LIVE_PERIOD.id]);
    expect(all(doc, PSKC, 'PlainValue')).toHaveLength(2);
  });

  it('answers a VOD request with offsets and SAMPLE-AES, signalled as METHOD=SAMPLE-AES', async () => {
    const body = v21Request({
      contentId: 'vod-v21-title',
      scheme: 'SAMPLE-AES',
      keys: KEYS,
      systems: SYSTEMS,
      periodList: [
        { id: 'p0', attributes: 'index="0" startOffset="PT0S" endOffset="PT30S"' },
        { id: 'p1', attributes: 'index="1" startOffset="PT30S" endOffset="PT60S"' },
      ],
    }).replace(/<cpix:KeyPeriodFilter periodId="p1"\/>/g, '');
    const res = await post(server, body);
    expect(res.status).toBe(200);
    const doc = parse(await res.text());
    const methods = all(doc, CPIX, 'HLSSignalingData').map((h) => parseHlsTag(fromBase64(h.text).toString('utf8')).attributes.METHOD);
    expect(new Set(methods)).toEqual(new Set(['SAMPLE-AES']));
    expect(all(doc, CPIX, 'ContentKeyPeriod').map((p) => [p.attrs.startOffset, p.attrs.endOffset])).toEqual([
      ['PT0S', 'PT30S'],
      ['PT30S', 'PT60S'],
    ]);
  });

  it.each([
    [
      'a bad period',
      liveRequest().replace('end="2026-01-01T00:00:06Z"', 'end="2025-12-31T23:59:59Z"'),
      `Malformed ContentKeyPeriod ${LIVE_PERIOD.id}: @end must be after @start`,
    ],
    ['CPIX 2.3 under 2.1', liveRequest().replace('version="2.4"', 'version="2.3"'), 'Unsupported CPIX@version'],
    [
      'AES-128 for PSSH systems',
      liveRequest().replace(/commonEncryptionScheme="cbcs"/g, 'commonEncryptionScheme="AES-128"'),
      `ContentKey@commonEncryptionScheme non compatible with DRMSystem ${SYSTEM.widevine}`,
    ],
  ])('refuses %s with 422 and plain text', async (_name, body, text) => {
    const res = await post(server, body);
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(text);
  });

  it('refuses CPIX 2.4 under header 2.0', async () => {
    const res = await post(server, liveRequest(), '2.0');
    expect({ status: res.status, body: await res.text() }).toEqual({ status: 422, body: 'Unsupported CPIX@version' });
  });
});

describe('SPEKE v2.1 with HDCP and robustness configured (environment, as npm start reads it)', () => {
  const server = useLocalServer({
    SPEKE_HDCP_LEVELS: 'VIDEO=TYPE-1,AUDIO=NONE',
    SPEKE_ROBUSTNESS: 'widevine:VIDEO=HW_SECURE_ALL',
    SPEKE_HLS_ALLOWED_CPC: 'fairplay:*=AppleMain/Main',
  });

  it('signals them in v2.1 answers', async () => {
    const doc = parse(await (await post(server, liveRequest())).text());
    const video = all(doc, CPIX, 'ContentKey').find((k) => k.attrs.kid === KID_A)!;
    expect(video.children.map((c) => c.name)).toEqual(['HDCPData', 'Data']);
    expect(all(video, CPIX, 'HDCPData')[0]!.attrs.HLSHDCPLevel).toBe('TYPE-1');
    const widevine = all(doc, CPIX, 'DRMSystem').find((d) => d.attrs.kid === KID_A && d.attrs.systemId === SYSTEM.widevine)!;
    expect(all(widevine, CPIX, 'ContentProtectionData')[0]!.attrs.robustness).toBe('HW_SECURE_ALL');
    const fairplay = all(doc, CPIX, 'DRMSystem').filter((d) => d.attrs.systemId === SYSTEM.fairplay);
    expect(fairplay.map((d) => d.attrs.HLSAllowedCPC)).toEqual([
      'com.apple.streamingkeydelivery:AppleMain/Main',
      'com.apple.streamingkeydelivery:AppleMain/Main',
    ]);
  });

  it('and not in v2.0 answers', async () => {
    const body = liveRequest().replace('version="2.4"', 'version="2.3"');
    const text = await (await post(server, body, '2.0')).text();
    expect(text).not.toMatch(/HDCPData|robustness=|HLSAllowedCPC/);
  });
});

/**
 * Two redundant encryptors in two regions (MediaPackage v2 with INDEX_WITH_START_END) ask their own
 * region's key server for the same content ID and period: each region's server derives the keys
 * from the same master secret (the template's replicated secret; here SPEKE_MASTER_SECRET) and
 * nothing else, so the answers carry the same keys and the same DRM signalling.
 */
describe('keys that are the same across regions', () => {
  const sharedSecret = randomBytes(48).toString('base64');
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    servers.push(await startLocalServer({ SPEKE_MASTER_SECRET: sharedSecret, SPEKE_KEY_URL_PREFIX: 'https://keys.us-east-1.example.com' }));
    servers.push(await startLocalServer({ SPEKE_MASTER_SECRET: sharedSecret, SPEKE_KEY_URL_PREFIX: 'https://keys.eu-west-1.example.com' }));
    servers.push(await startLocalServer({ SPEKE_MASTER_SECRET: randomBytes(48).toString('base64') }));
  });
  afterAll(async () => {
    for (const s of servers) {
      await s.stop();
      await removeDir(s.dataDir);
    }
  });

  it('two servers sharing a master secret (and nothing else) answer the same keys, IVs and DRM payloads', async () => {
    const [east, west] = servers as [RunningServer, RunningServer];
    const a = parse(await (await post(east, liveRequest())).text());
    const b = parse(await (await post(west, liveRequest())).text());
    expect(Object.keys(material(a)).length).toBeGreaterThan(10);
    expect(material(b)).toEqual(material(a));
  });

  it('the same period asked again later, or in the other order of regions, gets the same keys', async () => {
    const [east, west] = servers as [RunningServer, RunningServer];
    const first = material(parse(await (await post(west, liveRequest('live-v21-other'))).text()));
    const again = material(parse(await (await post(east, liveRequest('live-v21-other'))).text()));
    expect(again).toEqual(first);
  });

  it('each region publishes an AES-128 key with the same bytes at its own key URL', async () => {
    const [east, west] = servers as [RunningServer, RunningServer];
    const body = v21Request({
      contentId: 'live-ts-v21',
      scheme: 'AES-128',
      systems: [{ systemId: SYSTEM.clearKeyAes128, children: HLS_PAIR }],
      periodList: [LIVE_PERIOD],
    });
    const uris = await Promise.all(
      [east, west].map(async (s) => {
        const doc = parse(await (await post(s, body)).text());
        return {
          key: all(doc, PSKC, 'PlainValue')[0]!.text,
          uri: parseHlsTag(fromBase64(all(doc, CPIX, 'HLSSignalingData')[0]!.text).toString('utf8')).attributes.URI,
        };
      }),
    );
    expect(uris[0]!.key).toBe(uris[1]!.key);
    expect(uris.map((u) => u.uri)).toEqual([
      `https://keys.us-east-1.example.com/live-ts-v21/${KID_A}`,
      `https://keys.eu-west-1.example.com/live-ts-v21/${KID_A}`,
    ]);
  });

  it('a server with another master secret answers other keys (what a region with its own secret would do)', async () => {
    const [east, , other] = servers as [RunningServer, RunningServer, RunningServer];
    const a = material(parse(await (await post(east, liveRequest())).text()));
    const c = material(parse(await (await post(other, liveRequest())).text()));
    expect(c[`${KID_A} key`]).not.toBe(a[`${KID_A} key`]);
  });
});
