import { required } from '../src/required.js';
import { readXml } from '../src/cpix/read.js';
import type { XmlElement } from '../src/cpix/xml-tree.js';

/**
 * The demo's encryptor side: SPEKE requests as MediaPackage or MediaConvert would send them, to a
 * running server, and the answers read namespace-aware. Used to prepare the demo's samples and by
 * the end-to-end tests.
 */
const CPIX = 'urn:dashif:org:cpix';
const PSKC = 'urn:ietf:params:xml:ns:keyprov:pskc';
export const HLS_AES128_SYSTEM = '81376844-f976-481e-a84e-cc25d39b0b33';
export const COMMON_PSSH_SYSTEM = '1077efec-c0b2-4d02-ace3-3c1e52e2fb4b';

export interface AnsweredKey {
  kid: string;
  /** The 16 key bytes (PlainValue). */
  key: Buffer;
  /** HLS AES-128: the key URL (URIExtXKey). */
  keyUrl?: string;
  /** Common PSSH: the pssh box (cpix:PSSH). */
  pssh?: Buffer;
}

export interface CencTrackRequest {
  kid: string;
  trackType: 'VIDEO' | 'AUDIO';
}

function descendants(root: XmlElement, ns: string, local: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.ns === ns && e.local === local) found.push(e);
    for (const child of e.children) if (child.kind === 'element') walk(child);
  };
  walk(root);
  return found;
}

function textOf(e: XmlElement | undefined): string {
  return (e?.children ?? [])
    .map((c) => (c.kind === 'text' ? c.text : ''))
    .join('')
    .trim();
}

function attr(e: XmlElement, local: string): string | undefined {
  return e.attributes.find((a) => a.local === local && a.ns === '')?.value;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

async function post(baseUrl: string, body: string, version?: string): Promise<XmlElement> {
  const res = await fetch(`${baseUrl}/copyProtection`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/xml', ...(version ? { 'X-Speke-Version': version } : {}) },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`SPEKE request failed with ${res.status}: ${text}`);
  return readXml(text);
}

/** Per KID: its key, and the DRMSystem children the server filled in. */
function readKeys(answer: XmlElement, kids: string[]): AnsweredKey[] {
  const contentKeys = descendants(answer, CPIX, 'ContentKey');
  const systems = descendants(answer, CPIX, 'DRMSystem');
  return kids.map((kid) => {
    const contentKey = contentKeys.find((k) => attr(k, 'kid')?.toLowerCase() === kid);
    const plain = contentKey ? descendants(contentKey, PSKC, 'PlainValue')[0] : undefined;
    if (!plain) throw new Error(`The answer has no PlainValue for ${kid}`);
    const system = systems.find((s) => attr(s, 'kid')?.toLowerCase() === kid);
    const uri = system ? textOf(descendants(system, CPIX, 'URIExtXKey')[0]) : '';
    const pssh = system ? textOf(descendants(system, CPIX, 'PSSH')[0]) : '';
    return {
      kid,
      key: Buffer.from(textOf(plain), 'base64'),
      ...(uri ? { keyUrl: Buffer.from(uri, 'base64').toString('utf8') } : {}),
      ...(pssh ? { pssh: Buffer.from(pssh, 'base64') } : {}),
    };
  });
}

/** SPEKE v1, HLS AES-128 (81376844-…): the key and the key URL players fetch it from. */
export async function requestHlsAes128Key(baseUrl: string, contentId: string, kid: string): Promise<AnsweredKey> {
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX id="${escapeXml(contentId)}" xmlns:cpix="${CPIX}" xmlns:pskc="${PSKC}" xmlns:speke="urn:aws:amazon:com:speke">
  <cpix:ContentKeyList><cpix:ContentKey kid="${kid}"/></cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="${kid}" systemId="${HLS_AES128_SYSTEM}"><cpix:URIExtXKey/><speke:KeyFormat/><speke:KeyFormatVersions/></cpix:DRMSystem>
  </cpix:DRMSystemList>
</cpix:CPIX>`;
  return required(readKeys(await post(baseUrl, body), [kid])[0], 'the answered key');
}

/** SPEKE v2, CENC (`cenc` scheme) with the W3C common PSSH system: one key per track with its pssh box. */
export async function requestCencKeys(baseUrl: string, contentId: string, tracks: CencTrackRequest[]): Promise<AnsweredKey[]> {
  const filter = (t: CencTrackRequest) => (t.trackType === 'VIDEO' ? '<cpix:VideoFilter/>' : '<cpix:AudioFilter/>');
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX contentId="${escapeXml(contentId)}" version="2.3" xmlns:cpix="${CPIX}" xmlns:pskc="${PSKC}">
  <cpix:ContentKeyList>${tracks.map((t) => `<cpix:ContentKey kid="${t.kid}" commonEncryptionScheme="cenc"/>`).join('')}</cpix:ContentKeyList>
  <cpix:DRMSystemList>${tracks.map((t) => `<cpix:DRMSystem kid="${t.kid}" systemId="${COMMON_PSSH_SYSTEM}"><cpix:PSSH/></cpix:DRMSystem>`).join('')}</cpix:DRMSystemList>
  <cpix:ContentKeyUsageRuleList>${tracks
    .map((t) => `<cpix:ContentKeyUsageRule kid="${t.kid}" intendedTrackType="${t.trackType}">${filter(t)}</cpix:ContentKeyUsageRule>`)
    .join('')}</cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
  return readKeys(
    await post(baseUrl, body, '2.0'),
    tracks.map((t) => t.kid),
  );
}
