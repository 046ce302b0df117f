import { DAY_MS } from './file-retention.js';

/**
 * When a key asked for again is written again although the store holds it with the same bytes:
 * with a retention of N days (SPEKE_KEY_RETENTION_DAYS, the stack's KeyRetentionDays), a key
 * object expires N days after it was last written (S3's lifecycle counts from the object's
 * creation, rounded up to the next midnight UTC; the data folder from the file's modification
 * time). Rewriting a key once its object is a day old (half the retention when that is shorter)
 * restarts that clock, so a key stays published for at least N − 1 days after the encryptor last
 * asked for it, at the cost of one write per key a day. Only the encryptor's requests count (a
 * player fetching the key from CloudFront does not reach us), and MediaPackage with key rotation
 * off asks for a key only when a channel starts: a retention still suits only keys that rotate
 * well within it. With no retention (0, the default) a key is never rewritten: it is kept anyway.
 */
export function republishAfterMs(retentionDays: number): number {
  return retentionDays === 0 ? Number.POSITIVE_INFINITY : Math.min(DAY_MS, (retentionDays * DAY_MS) / 2);
}
