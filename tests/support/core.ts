import { randomBytes } from 'node:crypto';
import { createDrmRegistry, USER_AGENT } from '../../src/composition.js';
import { writeXmlWithXmlbuilder2 } from '../../src/cpix/write-xmlbuilder2.js';
import { hkdfDeriver } from '../../src/keys/content-key-deriver.js';
import { answerCpix, readCpixRequest, type CoreContext, type CpixAnswer, type RequestFacts } from '../../src/speke/answer.js';
import { createContentKeyProtection } from '../../src/speke/encrypted-key-protection.js';
import { DEFAULT_LIMITS } from '../../src/speke/limits.js';

/** A fixed master secret for tests (32 bytes). */
export const TEST_MASTER_SECRET = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
export const TEST_KEY_URL_PREFIX = 'https://keys.example.com/k';

/** The time test answers are made at: certificate validity is checked against it. */
export const TEST_NOW = new Date('2030-01-01T00:00:00Z');

/** The production protection: clear keys, or encrypted ones when the request has a DeliveryDataList. */
export const testProtection = createContentKeyProtection({
  entropy: { randomBytes: (size) => randomBytes(size) },
  clock: { now: () => TEST_NOW },
  allowExpiredCertificates: false,
});

export function testContext(overrides: Partial<CoreContext> = {}): CoreContext {
  return {
    registry: createDrmRegistry(),
    limits: { ...DEFAULT_LIMITS },
    keyUrlPrefix: TEST_KEY_URL_PREFIX,
    userAgent: USER_AGENT,
    protection: testProtection,
    ...overrides,
  };
}

/** Runs the whole core on a request body, as the service does (minus the key store). */
export function answer(
  body: string | Buffer,
  spekeVersionHeader?: string,
  options: { context?: CoreContext; masterSecret?: Uint8Array; facts?: RequestFacts } = {},
): CpixAnswer {
  const context = options.context ?? testContext();
  const request = { body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, spekeVersionHeader };
  const validated = readCpixRequest(request, context, options.facts);
  const answered = answerCpix(validated, context, hkdfDeriver(options.masterSecret ?? TEST_MASTER_SECRET, validated.contentId), spekeVersionHeader);
  // Every answer of the tests is also rendered by the reference renderer (xmlbuilder2): the bytes must be the same.
  const reference = writeXmlWithXmlbuilder2(validated.document.root);
  if (answered.body !== reference) throw new Error(`the direct renderer and xmlbuilder2 differ on this answer:\n${answered.body}\n---\n${reference}`);
  return answered;
}
