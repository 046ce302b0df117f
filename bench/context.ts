/** The CoreContext of the benchmarks: production registry and limits, fixed master secret, fixed entropy and clock. */
import { createHash } from 'node:crypto';
import { createDrmRegistry, USER_AGENT } from '../src/composition.js';
import type { Entropy } from '../src/ports.js';
import type { CoreContext } from '../src/speke/answer.js';
import { createContentKeyProtection } from '../src/speke/encrypted-key-protection.js';
import { DEFAULT_LIMITS } from '../src/speke/limits.js';

/** 32 fixed bytes: the bench's master secret. */
export const BENCH_MASTER_SECRET_BYTES = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

/** A fixed, repeatable byte stream (SHA-256 of a counter) standing in for randomBytes. */
export function fixedEntropy(seed = 'speke-bench'): Entropy {
  let counter = 0;
  return {
    randomBytes(size) {
      const out = Buffer.alloc(size);
      for (let offset = 0; offset < size;) offset += createHash('sha256').update(`${seed}/${counter++}`).digest().copy(out, offset);
      return out;
    },
  };
}

export function benchContext(): CoreContext {
  return {
    registry: createDrmRegistry(),
    limits: { ...DEFAULT_LIMITS },
    keyUrlPrefix: 'https://d111111abcdef8.cloudfront.net',
    userAgent: USER_AGENT,
    protection: createContentKeyProtection({
      entropy: fixedEntropy(),
      // The test certificates are valid at this time (tests/fixtures/certificates/README.md).
      clock: { now: () => new Date('2030-01-01T00:00:00Z') },
      allowExpiredCertificates: false,
    }),
  };
}
