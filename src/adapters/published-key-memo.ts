import { createHash } from 'node:crypto';
import type { Clock, KeyStore } from '../ports.js';

/** Memo entries kept at most (oldest dropped first): a few hundred live channels' worth of keys. */
export const PUBLISHED_KEY_MEMO_ENTRIES = 10_000;

/**
 * Memo entries are trusted for at most this long, then the store is asked again: a key removed
 * behind our back (a lifecycle rule, an operator) is published again within this time.
 */
export const PUBLISHED_KEY_MEMO_MAX_AGE_MS = 10 * 60_000;

interface Entry {
  /** SHA-256 of the key bytes: the memo never holds key material itself. */
  digest: string;
  at: number;
}

/**
 * A KeyStore in front of another that does not publish a key again when it was already published
 * with the same bytes: a bounded in-process memo of what was put (keys are deterministic, so an
 * encryptor asking again for a key gets the same bytes), then the store's own check (FsKeyStore
 * and S3KeyStore leave an identical key in place). Different bytes for the same (content ID, KID)
 * are always written. Puts of the same key that arrive together share one write (and its abort:
 * the Lambda handles one invocation at a time, the local server gives no signal).
 */
export class PublishedKeyMemo implements KeyStore {
  private readonly published = new Map<string, Entry>();
  private readonly inFlight = new Map<string, { digest: string; done: Promise<void> }>();

  constructor(
    private readonly store: KeyStore,
    private readonly options: { maxEntries?: number; maxAgeMs?: number; clock?: Clock } = {},
  ) {}

  isKnownPublished(contentId: string, kid: string, key: Buffer): boolean {
    return this.known(`${contentId}\n${kid}`, digestOf(key), this.now());
  }

  async put(contentId: string, kid: string, key: Buffer, signal?: AbortSignal): Promise<void> {
    const id = `${contentId}\n${kid}`;
    const digest = digestOf(key);
    const now = this.now();
    if (this.known(id, digest, now)) return;
    const pending = this.inFlight.get(id);
    if (pending !== undefined && pending.digest === digest) return pending.done;
    const done = this.store.put(contentId, kid, key, signal).then(() => this.remember(id, digest, now));
    const entry = { digest, done };
    this.inFlight.set(id, entry);
    try {
      await done;
    } finally {
      if (this.inFlight.get(id) === entry) this.inFlight.delete(id);
    }
  }

  get(contentId: string, kid: string): Promise<Buffer | undefined> {
    return this.store.get(contentId, kid);
  }

  private now(): number {
    return (this.options.clock?.now() ?? new Date()).getTime();
  }

  /** Published with these bytes less than the memo's maximum age ago. */
  private known(id: string, digest: string, now: number): boolean {
    const known = this.published.get(id);
    return known !== undefined && known.digest === digest && now - known.at < (this.options.maxAgeMs ?? PUBLISHED_KEY_MEMO_MAX_AGE_MS);
  }

  private remember(id: string, digest: string, at: number): void {
    this.published.delete(id);
    this.published.set(id, { digest, at });
    const max = this.options.maxEntries ?? PUBLISHED_KEY_MEMO_ENTRIES;
    // Oldest first (a Map iterates in insertion order; deleting while iterating is safe).
    for (const oldest of this.published.keys()) {
      if (this.published.size <= max) break;
      this.published.delete(oldest);
    }
  }
}

function digestOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64');
}
