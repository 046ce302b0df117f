import { createCipheriv } from 'node:crypto';
import { decodePro, decodeProtobuf, decodePssh, fromBase64, guidText, parseHlsTag, uuidText, wrmHeaderOf, type HlsTag } from '../support/drm-decoders.js';
import { type RunningServer, useLocalServer } from '../support/local-server.js';
import { KID_A, KID_B, SYSTEM } from '../support/requests.js';
import { all, CPIX, one, parse, PSKC, SPEKE, type Node } from '../support/xml.js';

/**
 * DRM signalling end to end: the local server, started in-process with its real composition,
 * answers v1 and v2 requests for several keys, and every payload is decoded and checked against
 * the KID, the key and the scheme of the request.
 */

const KID_C = '1b7e1e0b-5f4a-4c7e-9d55-3e0a2f6b8c41';
const FOURCC = { cenc: 0x63656e63, cbcs: 0x63626373 } as const;
type Scheme = keyof typeof FOURCC;
const PRH = 'http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader';
const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
const V2_CHILDREN: Record<string, string> = {
  [SYSTEM.widevine]: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}`,
  [SYSTEM.playready]: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}<cpix:SmoothStreamingProtectionHeaderData/>`,
  [SYSTEM.fairplay]: HLS_PAIR,
};
const V1_CHILDREN: Record<string, string> = {
  [SYSTEM.widevine]: '<cpix:PSSH/>',
  [SYSTEM.playready]: '<cpix:PSSH/><speke:ProtectionHeader/>',
  [SYSTEM.fairplay]: '<cpix:URIExtXKey/><speke:KeyFormat/><speke:KeyFormatVersions/>',
};

interface Key {
  kid: string;
  rule: string;
  explicitIV?: string;
}

const VIDEO_AUDIO: Key[] = [
  { kid: KID_A, rule: 'intendedTrackType="VIDEO"><cpix:VideoFilter/>' },
  { kid: KID_B, rule: 'intendedTrackType="AUDIO"><cpix:AudioFilter/>' },
];
const SD_HD_AUDIO: Key[] = [
  { kid: KID_A, rule: 'intendedTrackType="SD"><cpix:VideoFilter maxPixels="589824"/>' },
  { kid: KID_B, rule: 'intendedTrackType="HD"><cpix:VideoFilter minPixels="589825"/>', explicitIV: Buffer.alloc(16, 0x5a).toString('base64') },
  { kid: KID_C, rule: 'intendedTrackType="AUDIO"><cpix:AudioFilter/>' },
];

function request(version: 'v1' | 'v2', keys: Key[], systems: string[], scheme: Scheme | undefined): string {
  const root =
    version === 'v2'
      ? `<cpix:CPIX contentId="event-42" version="2.3" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">`
      : `<cpix:CPIX id="event-42" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:speke="urn:aws:amazon:com:speke">`;
  const children = version === 'v2' ? V2_CHILDREN : V1_CHILDREN;
  const keyAttributes = (k: Key) => `${scheme ? ` commonEncryptionScheme="${scheme}"` : ''}${k.explicitIV ? ` explicitIV="${k.explicitIV}"` : ''}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
${root}
  <cpix:ContentKeyList>${keys.map((k) => `<cpix:ContentKey kid="${k.kid}"${keyAttributes(k)}/>`).join('')}</cpix:ContentKeyList>
  <cpix:DRMSystemList>${keys
    .flatMap((k) => systems.map((s) => `<cpix:DRMSystem kid="${k.kid}" systemId="${s}">${children[s]}</cpix:DRMSystem>`))
    .join('')}</cpix:DRMSystemList>
  <cpix:ContentKeyUsageRuleList>${keys.map((k) => `<cpix:ContentKeyUsageRule kid="${k.kid}" ${k.rule}</cpix:ContentKeyUsageRule>`).join('')}</cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
}

async function post(server: RunningServer, body: string, version?: string): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(`${server.url}/copyProtection`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/xml', ...(version ? { 'X-Speke-Version': version } : {}) },
    body,
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

const b64Text = (node: Node) => fromBase64(node.text).toString('utf8');

function drmSystem(root: Node, kid: string, systemId: string): Node {
  const found = all(root, CPIX, 'DRMSystem').filter((d) => d.attrs.kid === kid && d.attrs.systemId === systemId);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function keyOf(root: Node, kid: string): Buffer {
  const contentKey = all(root, CPIX, 'ContentKey').find((k) => k.attrs.kid === kid)!;
  return fromBase64(one(contentKey, PSKC, 'PlainValue').text);
}

function ivOf(root: Node, kid: string): string | undefined {
  return all(root, CPIX, 'ContentKey').find((k) => k.attrs.kid === kid)!.attrs.explicitIV;
}

/** The media and master HLS tags of a DRMSystem: the right tag names and identical attributes. */
function hlsPair(drm: Node): Record<string, string> {
  const tags: Partial<Record<string, HlsTag>> = Object.fromEntries(all(drm, CPIX, 'HLSSignalingData').map((h) => [h.attrs.playlist, parseHlsTag(b64Text(h))]));
  expect(Object.keys(tags).sort()).toEqual(['master', 'media']);
  expect(tags.media!.tag).toBe('#EXT-X-KEY');
  expect(tags.master!.tag).toBe('#EXT-X-SESSION-KEY');
  expect(tags.master!.attributes).toEqual(tags.media!.attributes);
  expect(tags.media!.quoted.sort()).toEqual(['KEYFORMAT', 'KEYFORMATVERSIONS', 'URI']);
  return tags.media!.attributes;
}

function checkWidevine(drm: Node, kid: string, scheme: Scheme, version: 'v1' | 'v2', provider?: string): void {
  const pssh = fromBase64(one(drm, CPIX, 'PSSH').text);
  const box = decodePssh(pssh);
  expect(box).toMatchObject({ type: 'pssh', version: 0, systemId: SYSTEM.widevine });
  const fields = decodeProtobuf(box.data);
  expect(fields.filter((f) => f.field === 2).map((f) => uuidText(f.value as Buffer))).toEqual([kid]);
  expect(fields.find((f) => f.field === 9)?.value).toBe(scheme === 'cenc' ? undefined : FOURCC[scheme]);
  expect((fields.find((f) => f.field === 3)?.value as Buffer | undefined)?.toString()).toBe(provider);
  expect((fields.find((f) => f.field === 4)?.value as Buffer | undefined)?.toString()).toBe(provider && 'event-42');
  if (version === 'v1') return;
  const cpd = parse(b64Text(one(drm, CPIX, 'ContentProtectionData')));
  expect(cpd).toMatchObject({ ns: 'urn:mpeg:cenc:2013', name: 'pssh' });
  expect(fromBase64(cpd.text).equals(pssh)).toBe(true);
  expect(hlsPair(drm)).toEqual({
    METHOD: scheme === 'cbcs' ? 'SAMPLE-AES' : 'SAMPLE-AES-CTR',
    KEYFORMAT: 'urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed',
    KEYFORMATVERSIONS: '1',
    URI: `data:text/plain;base64,${pssh.toString('base64')}`,
  });
}

function checkPlayReady(drm: Node, kid: string, key: Buffer, scheme: Scheme, version: 'v1' | 'v2', laUrl?: string): void {
  const pssh = fromBase64(one(drm, CPIX, 'PSSH').text);
  const box = decodePssh(pssh);
  expect(box.systemId).toBe(SYSTEM.playready);
  const pro = fromBase64(one(drm, version === 'v1' ? SPEKE : CPIX, version === 'v1' ? 'ProtectionHeader' : 'SmoothStreamingProtectionHeaderData').text);
  expect(box.data.equals(pro)).toBe(true);
  expect(decodePro(pro).length).toBe(pro.length);
  const header = parse(wrmHeaderOf(pro));
  expect(header).toMatchObject({ ns: PRH, name: 'WRMHEADER' });
  if (scheme === 'cenc') {
    expect(header.attrs.version).toBe('4.0.0.0');
    const kidLe = fromBase64(one(header, PRH, 'KID').text);
    expect(guidText(kidLe)).toBe(kid);
    const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    expect(one(header, PRH, 'CHECKSUM').text).toBe(
      Buffer.concat([cipher.update(kidLe), cipher.final()])
        .subarray(0, 8)
        .toString('base64'),
    );
  } else {
    expect(header.attrs.version).toBe('4.3.0.0');
    const kidElement = one(header, PRH, 'KID');
    expect(kidElement.attrs.ALGID).toBe('AESCBC');
    expect(guidText(fromBase64(kidElement.attrs.VALUE!))).toBe(kid);
    expect(all(header, PRH, 'CHECKSUM')).toHaveLength(0);
  }
  expect(all(header, PRH, 'LA_URL').map((n) => n.text)).toEqual(laUrl ? [laUrl] : []);
  if (version === 'v1') return;
  const cpd = parse(`<w>${b64Text(one(drm, CPIX, 'ContentProtectionData'))}</w>`);
  expect(fromBase64(one(cpd, 'urn:mpeg:cenc:2013', 'pssh').text).equals(pssh)).toBe(true);
  expect(fromBase64(one(cpd, 'urn:microsoft:playready', 'pro').text).equals(pro)).toBe(true);
  expect(hlsPair(drm)).toEqual({
    METHOD: scheme === 'cbcs' ? 'SAMPLE-AES' : 'SAMPLE-AES-CTR',
    KEYFORMAT: 'com.microsoft.playready',
    KEYFORMATVERSIONS: '1',
    URI: `data:text/plain;charset=UTF-16;base64,${pro.toString('base64')}`,
  });
}

function checkFairPlay(drm: Node, expectedUri: string, version: 'v1' | 'v2'): void {
  expect(all(drm, CPIX, 'PSSH')).toHaveLength(0);
  expect(all(drm, CPIX, 'ContentProtectionData')).toHaveLength(0);
  if (version === 'v1') {
    expect(b64Text(one(drm, CPIX, 'URIExtXKey'))).toBe(expectedUri);
    expect(b64Text(one(drm, SPEKE, 'KeyFormat'))).toBe('com.apple.streamingkeydelivery');
    expect(b64Text(one(drm, SPEKE, 'KeyFormatVersions'))).toBe('1');
    return;
  }
  expect(hlsPair(drm)).toEqual({ METHOD: 'SAMPLE-AES', KEYFORMAT: 'com.apple.streamingkeydelivery', KEYFORMATVERSIONS: '1', URI: expectedUri });
}

describe('DRM signalling through the local server (default settings)', () => {
  const server = useLocalServer();

  it.each(['v1', 'v2'] as const)('%s: Widevine + PlayReady, cenc, video and audio keys', async (version) => {
    const body = request(version, VIDEO_AUDIO, [SYSTEM.widevine, SYSTEM.playready], version === 'v2' ? 'cenc' : undefined);
    const response = await post(server, body, version === 'v2' ? '2.0' : undefined);
    expect(response.status).toBe(200);
    const root = parse(response.body);
    expect(all(root, CPIX, 'DRMSystem')).toHaveLength(4);
    for (const { kid } of VIDEO_AUDIO) {
      checkWidevine(drmSystem(root, kid, SYSTEM.widevine), kid, 'cenc', version);
      checkPlayReady(drmSystem(root, kid, SYSTEM.playready), kid, keyOf(root, kid), 'cenc', version);
      expect(ivOf(root, kid)).toBeUndefined();
    }
    expect(keyOf(root, KID_A).equals(keyOf(root, KID_B))).toBe(false);
    // A retry (or a redundant packager) gets the same payloads.
    expect((await post(server, body, version === 'v2' ? '2.0' : undefined)).body).toBe(response.body);
  });

  it.each(['v1', 'v2'] as const)('%s: Widevine + PlayReady + FairPlay, cbcs, SD/HD video and audio keys', async (version) => {
    const body = request(version, SD_HD_AUDIO, [SYSTEM.widevine, SYSTEM.playready, SYSTEM.fairplay], 'cbcs');
    const response = await post(server, body, version === 'v2' ? '2.0' : undefined);
    expect(response.status).toBe(200);
    const root = parse(response.body);
    expect(all(root, CPIX, 'DRMSystem')).toHaveLength(9);
    for (const { kid, explicitIV } of SD_HD_AUDIO) {
      checkWidevine(drmSystem(root, kid, SYSTEM.widevine), kid, 'cbcs', version);
      checkPlayReady(drmSystem(root, kid, SYSTEM.playready), kid, keyOf(root, kid), 'cbcs', version);
      checkFairPlay(drmSystem(root, kid, SYSTEM.fairplay), `skd://${kid}`, version);
      const iv = ivOf(root, kid);
      expect(fromBase64(iv!)).toHaveLength(16);
      if (explicitIV) expect(iv).toBe(explicitIV);
    }
  });

  it('v2: refuses FairPlay with cenc with the specification text', async () => {
    const response = await post(server, request('v2', VIDEO_AUDIO, [SYSTEM.widevine, SYSTEM.fairplay], 'cenc'), '2.0');
    expect(response.status).toBe(422);
    expect(response.body).toBe(`ContentKey@commonEncryptionScheme non compatible with DRMSystem ${SYSTEM.fairplay}`);
  });

  it('refuses an unknown system ID with a 4xx naming it', async () => {
    const unknown = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const body = request('v1', VIDEO_AUDIO, [SYSTEM.widevine], undefined).replace(
      `kid="${KID_B}" systemId="${SYSTEM.widevine}"`,
      `kid="${KID_B}" systemId="${unknown}"`,
    );
    const response = await post(server, body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body).toContain(unknown);
  });
});

describe('DRM signalling through the local server (configured settings)', () => {
  const server = useLocalServer({
    SPEKE_WIDEVINE_PROVIDER: 'acme_drm',
    SPEKE_PLAYREADY_LA_URL: 'https://pr.example.com/rightsmanager.asmx?a=1&b=2',
    SPEKE_FAIRPLAY_KEY_URI_TEMPLATE: 'skd://fps.example.com/{contentId}/{kidHex}?iv={ivHex}',
  });

  it.each(['v1', 'v2'] as const)('%s: writes provider, content ID, LA_URL and the templated skd URI', async (version) => {
    const response = await post(
      server,
      request(version, SD_HD_AUDIO, [SYSTEM.widevine, SYSTEM.playready, SYSTEM.fairplay], 'cbcs'),
      version === 'v2' ? '2.0' : undefined,
    );
    expect(response.status).toBe(200);
    const root = parse(response.body);
    for (const { kid } of SD_HD_AUDIO) {
      checkWidevine(drmSystem(root, kid, SYSTEM.widevine), kid, 'cbcs', version, 'acme_drm');
      checkPlayReady(drmSystem(root, kid, SYSTEM.playready), kid, keyOf(root, kid), 'cbcs', version, 'https://pr.example.com/rightsmanager.asmx?a=1&b=2');
      const ivHex = fromBase64(ivOf(root, kid)!).toString('hex');
      checkFairPlay(drmSystem(root, kid, SYSTEM.fairplay), `skd://fps.example.com/event-42/${kid.replace(/-/g, '')}?iv=${ivHex}`, version);
    }
  });
});
