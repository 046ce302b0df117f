import type { ContentSecretStore } from '../ports.js';

export const DEFAULT_CONTENT_SECRET_CACHE_SIZE = 10_000;

/**
 * Keeps per-content-ID secrets in memory (they never change: a new secret would change every key).
 * The cache holds the lookup's promise, so concurrent first requests for one content ID share one
 * lookup (and at most one creation). A failed lookup is dropped so the next request tries again.
 * At most `maxEntries` content IDs are kept; the least recently used is dropped first.
 */
export class ContentSecretCache implements ContentSecretStore {
  private readonly entries = new Map<string, Promise<string>>();

  constructor(
    private readonly store: ContentSecretStore,
    private readonly maxEntries: number = DEFAULT_CONTENT_SECRET_CACHE_SIZE,
  ) {}

  secretFor(contentId: string): Promise<string> {
    const cached = this.entries.get(contentId);
    if (cached) {
      // Re-insert: a Map iterates in insertion order, so the first entry is the least recently used.
      this.entries.delete(contentId);
      this.entries.set(contentId, cached);
      return cached;
    }
    const lookup = this.store.secretFor(contentId);
    this.entries.set(contentId, lookup);
    lookup.catch(() => {
      if (this.entries.get(contentId) === lookup) this.entries.delete(contentId);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return lookup;
  }
}
