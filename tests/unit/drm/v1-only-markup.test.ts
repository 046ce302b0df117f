import { answer } from '../../support/core.js';
import { KID_A, SYSTEM, v21Request, v2Request } from '../../support/requests.js';
import { all, CPIX, parse, SPEKE, type Node } from '../../support/xml.js';

/**
 * Clean answers for MediaPackage v2: no v1-only element or namespace (urn:aws:amazon:com:speke,
 * URIExtXKey, speke:KeyFormat, speke:KeyFormatVersions, speke:ProtectionHeader) in any v2.0 or v2.1
 * answer, for every DRM system, even when the request carried them. v1 answers keep filling them.
 */
const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
const V1_CHILDREN = '<cpix:URIExtXKey/><speke:KeyFormat/><speke:KeyFormatVersions/><speke:ProtectionHeader/>';
/** The v2 children each system answers, plus every v1-only child. */
const SYSTEMS: [string, string, string][] = [
  ['Widevine', SYSTEM.widevine, `<cpix:PSSH/><cpix:ContentProtectionData/>${V1_CHILDREN}${HLS_PAIR}`],
  ['PlayReady', SYSTEM.playready, `<cpix:PSSH/><cpix:ContentProtectionData/>${V1_CHILDREN}${HLS_PAIR}<cpix:SmoothStreamingProtectionHeaderData/>`],
  ['FairPlay', SYSTEM.fairplay, `${V1_CHILDREN}${HLS_PAIR}`],
  ['ClearKey AES-128', SYSTEM.clearKeyAes128, `${V1_CHILDREN}${HLS_PAIR}`],
  ['HLS AES-128 (v1 ID)', SYSTEM.hlsAes128, `${V1_CHILDREN}${HLS_PAIR}`],
  ['W3C common PSSH', SYSTEM.commonPssh, `<cpix:PSSH/><cpix:ContentProtectionData/>${V1_CHILDREN}`],
];
const SPEKE_NS = 'xmlns:speke="urn:aws:amazon:com:speke"';

function withV1Markup(body: string): string {
  // The namespace declared on the root, a speke attribute on the root and a stray speke element.
  return body
    .replace('<cpix:CPIX ', `<cpix:CPIX ${SPEKE_NS} speke:note="v1" `)
    .replace('<cpix:ContentKeyList>', '<speke:ProtectionHeader/><cpix:ContentKeyList>');
}

const names = (drm: Node) => drm.children.map((c) => `${c.ns === CPIX ? 'cpix' : c.ns}:${c.name}`);

describe.each([
  ['2.0', 'cbcs', (o: Parameters<typeof v2Request>[0]) => v2Request(o)],
  ['2.1', 'cbcs', (o: Parameters<typeof v2Request>[0]) => v21Request(o)],
])('SPEKE %s answers carry no v1-only markup', (header, scheme, build) => {
  it.each(SYSTEMS)('%s', (_name, systemId, children) => {
    const requestScheme =
      systemId === SYSTEM.fairplay || systemId === SYSTEM.widevine || systemId === SYSTEM.playready || systemId === SYSTEM.commonPssh ? scheme : 'cbc1';
    const body = withV1Markup(build({ scheme: requestScheme, systems: [{ systemId, children }] }));
    const out = answer(body, header).body;
    expect(out).not.toContain('urn:aws:amazon:com:speke');
    expect(out).not.toMatch(/URIExtXKey|KeyFormat|ProtectionHeader(?!Data)|speke:/);
    const doc = parse(out);
    expect(all(doc, SPEKE, 'KeyFormat')).toHaveLength(0);
    const drm = all(doc, CPIX, 'DRMSystem')[0]!;
    expect(names(drm).every((n) => n.startsWith('cpix:'))).toBe(true);
    // What the system does answer is still there and filled.
    for (const child of drm.children) expect(child.text.length).toBeGreaterThan(0);
    expect(drm.children.length).toBeGreaterThan(0);
  });
});

it('v1 answers still fill URIExtXKey and the speke elements', () => {
  const body = `<cpix:CPIX id="ch-1" xmlns:cpix="urn:dashif:org:cpix" ${SPEKE_NS}><cpix:ContentKeyList><cpix:ContentKey kid="${KID_A}"/></cpix:ContentKeyList><cpix:DRMSystemList><cpix:DRMSystem kid="${KID_A}" systemId="${SYSTEM.hlsAes128}">${V1_CHILDREN}</cpix:DRMSystem></cpix:DRMSystemList></cpix:CPIX>`;
  const doc = parse(answer(body).body);
  expect(all(doc, CPIX, 'URIExtXKey')[0]!.text).not.toBe('');
  expect(all(doc, SPEKE, 'KeyFormat')[0]!.text).not.toBe('');
});
