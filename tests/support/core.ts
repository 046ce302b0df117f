import { createDrmRegistry, USER_AGENT } from '../../src/composition.js';
import { hkdfDeriver } from '../../src/keys/content-key-deriver.js';
import { answerCpix, readCpixRequest, type CoreContext, type CpixAnswer, type RequestFacts } from '../../src/speke/answer.js';
import { clearKeyProtection } from '../../src/speke/content-key-protection.js';
import { DEFAULT_LIMITS } from '../../src/speke/limits.js';

/** A fixed master secret for tests (32 bytes). */
export const TEST_MASTER_SECRET = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
export const TEST_KEY_URL_PREFIX = 'https://keys.example.com/k';

export function testContext(overrides: Partial<CoreContext> = {}): CoreContext {
  return {
    registry: createDrmRegistry(),
    limits: { ...DEFAULT_LIMITS },
    keyUrlPrefix: TEST_KEY_URL_PREFIX,
    userAgent: USER_AGENT,
    protection: clearKeyProtection,
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
  return answerCpix(validated, context, hkdfDeriver(options.masterSecret ?? TEST_MASTER_SECRET, validated.contentId), spekeVersionHeader);
}
