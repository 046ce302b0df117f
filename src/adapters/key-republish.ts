import { DAY_MS } from './file-retention.js';

/**
 * When a key asked for again is written again although the store holds it with the same bytes:
 * with a retention of N days (SPEKE_KEY_RETENTION_DAYS, the stack's KeyRetentionDays), a key
 * object expires N days after it was last written (S3's lifecycle counts from the object's
 * creation, rounded up to the next midnight UTC; the data folder from the file's modification
 * time). Rewriting a key once its object is a day old (half the retention when that is shorter)
 * restarts that clock, so a key stays published while the encryptor keeps asking for it (a live
 * channel that does not rotate keys) and for at least N − 1 days after the last time it did, at
 * the cost of one write per key a day. With no retention (0, the default) a key is never
 * rewritten: it is kept anyway.
 */
export function republishAfterMs(retentionDays: number): number {
  return retentionDays === 0 ? Number.POSITIVE_INFINITY : Math.min(DAY_MS, (retentionDays * DAY_MS) / 2);
}
