import { SpekeValidationError } from '../../src/errors.js';
import { answer, TEST_KEY_URL_PREFIX } from '../support/core.js';
import { all, CPIX, one, parse, PSKC, SPEKE } from '../support/xml.js';
import { KID_A, KID_B, SYSTEM, v1Aes128 } from '../support/requests.js';

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

function v1(systems: string, keys = [KID_A], id = 'content-1'): string {
  return `<cpix:CPIX id="${id}" xmlns:cpix="urn:dashif:org:cpix" xmlns:speke="urn:aws:amazon:com:speke"><cpix:ContentKeyList>${keys
    .map((k) => `<cpix:ContentKey kid="${k}"/>`)
    .join('')}</cpix:ContentKeyList><cpix:DRMSystemList>${systems}</cpix:DRMSystemList></cpix:CPIX>`;
}

describe('SPEKE v1 answers', () => {
  it('answers HLS AES-128 with a key, the key URL, KeyFormat identity and version 1', () => {
    const out = answer(v1Aes128({ contentId: 'channel-1', kid: KID_B }));
    expect(out.headers).toMatchObject({ 'Content-Type': 'application/xml' });
    expect(out.headers['Speke-User-Agent']).toMatch(/^speke-key-server\//);
    expect(out.headers['X-Speke-Version']).toBeUndefined();
    const doc = parse(out.body);
    expect(doc.attrs.id).toBe('channel-1');
    const key = Buffer.from(one(doc, PSKC, 'PlainValue').text, 'base64');
    expect(key).toHaveLength(16);
    const drm = one(doc, CPIX, 'DRMSystem');
    expect(b64(one(drm, CPIX, 'URIExtXKey').text)).toBe(`${TEST_KEY_URL_PREFIX}/channel-1/${KID_B}`);
    expect(b64(one(drm, SPEKE, 'KeyFormat').text)).toBe('identity');
    expect(b64(one(drm, SPEKE, 'KeyFormatVersions').text)).toBe('1');
    // requested children that mean nothing for AES-128 are removed, never returned empty
    expect(all(drm, CPIX, 'PSSH')).toHaveLength(0);
    expect(all(drm, CPIX, 'ContentProtectionData')).toHaveLength(0);
    expect(all(drm, SPEKE, 'ProtectionHeader')).toHaveLength(0);
    // the key period and usage rule are echoed unchanged
    expect(one(doc, CPIX, 'ContentKeyPeriod').attrs).toEqual({ id: 'keyPeriod_e64248f6-f307-4b99-aa67-b05f5b1b1b6b', index: '11425' });
    expect(one(doc, CPIX, 'KeyPeriodFilter').attrs.periodId).toBe('keyPeriod_e64248f6-f307-4b99-aa67-b05f5b1b1b6b');
    expect(out.keysToPublish).toEqual([{ contentId: 'channel-1', kid: KID_B, key }]);
  });

  it('answers the common PSSH system with a version-1 box listing the KID', () => {
    const out = answer(v1(`<cpix:DRMSystem kid="${KID_A}" systemId="${SYSTEM.commonPssh}"><cpix:PSSH/><cpix:URIExtXKey/></cpix:DRMSystem>`));
    const doc = parse(out.body);
    expect(one(doc, CPIX, 'PSSH').text).toBe('AAAANHBzc2gBAAAAEHfv7MCyTQKs4zweUuL7SwAAAAGY7lWWzT6iDRY644JCDG7/AAAAAA==');
    expect(all(doc, CPIX, 'URIExtXKey')).toHaveLength(0);
    expect(out.keysToPublish).toEqual([]);
  });

  it('publishes only keys a player fetches', () => {
    const out = answer(
      v1(
        `<cpix:DRMSystem kid="${KID_A}" systemId="${SYSTEM.commonPssh}"><cpix:PSSH/></cpix:DRMSystem>` +
          `<cpix:DRMSystem kid="${KID_B}" systemId="${SYSTEM.hlsAes128}"><cpix:URIExtXKey/></cpix:DRMSystem>`,
        [KID_A, KID_B],
      ),
    );
    expect(out.keysToPublish.map((k) => k.kid)).toEqual([KID_B]);
  });

  it('keeps an explicitIV the request sent', () => {
    const iv = Buffer.alloc(16, 9).toString('base64');
    const body = v1Aes128().replace(`<cpix:ContentKey kid="${KID_B}">`, `<cpix:ContentKey kid="${KID_B}" explicitIV="${iv}">`);
    expect(one(parse(answer(body).body), CPIX, 'ContentKey').attrs.explicitIV).toBe(iv);
  });

  it('percent-encodes the content ID in key URLs so it stays one path segment', () => {
    const out = answer(v1Aes128({ contentId: '../../etc/pass wd' }));
    const url = b64(one(parse(out.body), CPIX, 'URIExtXKey').text);
    expect(url).toBe(`${TEST_KEY_URL_PREFIX}/..%2F..%2Fetc%2Fpass%20wd/${KID_B}`);
    expect(b64(one(parse(answer(v1Aes128({ contentId: '..' })).body), CPIX, 'URIExtXKey').text)).toBe(`${TEST_KEY_URL_PREFIX}/%2E%2E/${KID_B}`);
  });

  it('treats KIDs case-insensitively: the same key for any spelling', () => {
    const lower = answer(v1Aes128({ kid: KID_B }));
    const upper = answer(v1Aes128({ kid: KID_B.toUpperCase() }));
    expect(one(parse(upper.body), PSKC, 'PlainValue').text).toBe(one(parse(lower.body), PSKC, 'PlainValue').text);
    expect(one(parse(upper.body), CPIX, 'ContentKey').attrs.kid).toBe(KID_B.toUpperCase());
  });
});

describe('SPEKE v1 validation (422 with a clear text)', () => {
  const drm = (kid: string, systemId = SYSTEM.hlsAes128) => `<cpix:DRMSystem kid="${kid}" systemId="${systemId}"><cpix:URIExtXKey/></cpix:DRMSystem>`;
  const cases: [string, string, string][] = [
    ['missing id', v1(drm(KID_A)).replace(' id="content-1"', ''), 'Missing CPIX@id'],
    ['empty id', v1(drm(KID_A), [KID_A], ''), 'Missing CPIX@id'],
    ['no ContentKeyList', '<cpix:CPIX id="a" xmlns:cpix="urn:dashif:org:cpix"/>', 'Missing ContentKeyList'],
    ['empty ContentKeyList', '<cpix:CPIX id="a" xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList/></cpix:CPIX>', 'ContentKeyList has no ContentKey'],
    ['kid not a UUID', v1(drm(KID_A), ['not-a-uuid']), 'ContentKey@kid is not a UUID: not-a-uuid'],
    ['duplicate kid', v1(drm(KID_A), [KID_A, KID_A.toUpperCase()]), `Duplicate ContentKey@kid ${KID_A}`],
    ['DRMSystem kid not in list', v1(drm(KID_B)), `DRMSystem@kid ${KID_B} is not in ContentKeyList`],
    ['unknown system ID', v1(drm(KID_A, '11111111-2222-3333-4444-555555555555')), 'Unsupported DRMSystem@systemId 11111111-2222-3333-4444-555555555555'],
    [
      'bad explicitIV',
      v1(drm(KID_A)).replace(`kid="${KID_A}"/>`, `kid="${KID_A}" explicitIV="AAAA"/>`),
      `ContentKey@explicitIV for KID ${KID_A} is not base64 of 16 bytes`,
    ],
    [
      'usage rule kid not in list',
      v1(drm(KID_A)).replace(
        '</cpix:CPIX>',
        `<cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="${KID_B}"/></cpix:ContentKeyUsageRuleList></cpix:CPIX>`,
      ),
      `ContentKeyUsageRule@kid ${KID_B} is not in ContentKeyList`,
    ],
  ];
  it.each(cases)('%s', (_name, body, message) => {
    let error: unknown;
    try {
      answer(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpekeValidationError);
    expect((error as SpekeValidationError).status).toBe(422);
    expect((error as Error).message).toBe(message);
  });
});
