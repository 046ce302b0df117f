import { PayloadTooLargeError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/speke/limits.js';
import { answer, testContext } from '../support/core.js';
import { SYSTEM, v1Aes128, v2Request } from '../support/requests.js';
import { randomUUID } from 'node:crypto';

function refusal(run: () => unknown): { status: number; message: string } {
  try {
    run();
  } catch (error) {
    return { status: (error as { status: number }).status, message: (error as Error).message };
  }
  throw new Error('expected a refusal');
}

describe('request limits', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxBodyBytes: 1048576, maxContentKeys: 1000, maxDrmSystems: 5000, maxContentIdLength: 256 });
  });

  it('refuses a body over the size limit with 413', () => {
    const context = testContext({ limits: { ...DEFAULT_LIMITS, maxBodyBytes: 2000 } });
    const body = v1Aes128().replace('<cpix:ContentKeyList>', `<!-- ${'x'.repeat(2000)} --><cpix:ContentKeyList>`);
    const r = refusal(() => answer(body, undefined, { context }));
    expect(r).toEqual({ status: 413, message: 'Body is larger than 2000 bytes' });
    expect(() => answer(body, undefined, { context })).toThrow(PayloadTooLargeError);
    expect(() => answer(v1Aes128(), undefined, { context })).not.toThrow();
  });

  it('refuses (422) a content ID of more UTF-8 bytes than the key derivation takes, within the character limit too', () => {
    // 241 emoji are 241 characters (under the default 256) but 964 bytes: the HKDF info holds 962.
    const emoji = '\u{1F600}'.repeat(241);
    expect(refusal(() => answer(v2Request({ contentId: emoji }), '2.0'))).toEqual({ status: 422, message: 'CPIX@contentId is longer than 962 bytes in UTF-8' });
    expect(refusal(() => answer(v1Aes128({ contentId: emoji }), undefined))).toEqual({ status: 422, message: 'CPIX@id is longer than 962 bytes in UTF-8' });
    const context = testContext({ limits: { ...DEFAULT_LIMITS, maxContentIdLength: 4096 } });
    expect(refusal(() => answer(v2Request({ contentId: 'a'.repeat(963) }), '2.0', { context })).status).toBe(422);
    expect(() => answer(v2Request({ contentId: 'a'.repeat(962) }), '2.0', { context })).not.toThrow();
  });

  it('refuses more content keys than allowed', () => {
    const kids = Array.from({ length: 4 }, () => randomUUID());
    const keys = kids.map((kid, i) => ({ kid, trackType: `T${i}`, filter: '<cpix:VideoFilter/>' }));
    const context = testContext({ limits: { ...DEFAULT_LIMITS, maxContentKeys: 3 } });
    expect(refusal(() => answer(v2Request({ keys }), '2.0', { context }))).toEqual({ status: 422, message: 'Too many ContentKey elements: 4 (limit 3)' });
    expect(() => answer(v2Request({ keys: keys.slice(0, 3) }), '2.0', { context })).not.toThrow();
  });

  it('refuses more DRMSystem elements than allowed', () => {
    const systems = [
      { systemId: SYSTEM.clearKeyAes128, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>' },
      { systemId: SYSTEM.commonPssh, children: '<cpix:PSSH/>' },
    ];
    const context = testContext({ limits: { ...DEFAULT_LIMITS, maxDrmSystems: 1 } });
    expect(refusal(() => answer(v2Request({ systems }), '2.0', { context }))).toEqual({ status: 422, message: 'Too many DRMSystem elements: 2 (limit 1)' });
  });

  it('refuses a content ID longer than allowed, and one with control characters', () => {
    expect(refusal(() => answer(v1Aes128({ contentId: 'a'.repeat(257) })))).toEqual({ status: 422, message: 'CPIX@id is longer than 256 characters' });
    expect(() => answer(v1Aes128({ contentId: 'a'.repeat(256) }))).not.toThrow();
    expect(refusal(() => answer(v2Request({ contentId: 'b'.repeat(300) }), '2.0'))).toEqual({
      status: 422,
      message: 'CPIX@contentId is longer than 256 characters',
    });
    expect(refusal(() => answer(v1Aes128({ contentId: 'a&#x9;b' })))).toEqual({ status: 422, message: 'CPIX@id contains control characters' });
  });

  it('answers 1,000 keys (the default limit) in one request', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => ({ kid: randomUUID(), trackType: `T${i}`, filter: '<cpix:VideoFilter/>' }));
    const out = answer(v2Request({ keys, systems: [{ systemId: SYSTEM.commonPssh, children: '<cpix:PSSH/>' }] }), '2.0');
    expect(out.body.match(/<pskc:PlainValue>/g)).toHaveLength(1000);
  });
});
