import { join } from 'node:path';
import { contentIdFileName } from './content-id-file-name.js';
import { isUuid } from '../uuid.js';
import type { KeyStore } from '../ports.js';
import { dependencyFault } from './dependency-faults.js';
import { readUnexpired, retentionMsOf, sweepExpired, writeFileAtomically } from './file-retention.js';
import { republishAfterMs } from './key-republish.js';

/**
 * Keys in the local data folder: `<root>/<content ID, percent-encoded>/<kid>`. The content ID is
 * one encoded segment (never '/', '\' or a dot segment) and the KID must be a UUID, so no request
 * can name a file outside `<root>`. A key file is kept for `retentionDays` after it was written
 * (SPEKE_KEY_RETENTION_DAYS, like the stack's KeyRetentionDays): past it, it is not served and
 * sweep() removes it. A key published again with the same bytes is rewritten once its file is a
 * day old (src/adapters/key-republish.ts), so retention counts from the last time it was asked for.
 */
export class FsKeyStore implements KeyStore {
  private readonly retentionMs: number;
  private readonly republishAfterMs: number;

  constructor(
    private readonly root: string,
    retentionDays: number = DEFAULT_KEY_RETENTION_DAYS,
    private readonly now: () => number = Date.now,
  ) {
    this.retentionMs = retentionMsOf(retentionDays);
    this.republishAfterMs = republishAfterMs(retentionDays);
  }

  /** Removes key files past their retention; returns how many. */
  sweep(): Promise<number> {
    return sweepExpired(this.root, this.retentionMs, this.now());
  }

  private path(contentId: string, kid: string): string {
    if (!isUuid(kid)) throw new Error('KID must be a UUID');
    return join(this.root, contentIdFileName(contentId), kid.toLowerCase());
  }

  /**
   * Writes the key (temporary file, then rename) unless the file already holds exactly these bytes;
   * with a retention set, such a file is rewritten once it is a day old (republishAfterMs), best
   * effort: the file still holds the right key, so a failed refresh does not fail the request.
   */
  async put(contentId: string, kid: string, key: Buffer): Promise<void> {
    const target = this.path(contentId, kid);
    try {
      const now = this.now();
      const current = await readUnexpired(target, this.retentionMs, now);
      if (current?.bytes.equals(key)) {
        if (now - current.writtenAtMs >= this.republishAfterMs) await writeFileAtomically(target, key).catch(() => undefined);
        return;
      }
      await writeFileAtomically(target, key);
    } catch (error) {
      throw dependencyFault('key-store', error);
    }
  }

  async get(contentId: string, kid: string): Promise<Buffer | undefined> {
    if (!isUuid(kid)) return undefined;
    try {
      return await this.readCurrent(this.path(contentId, kid));
    } catch (error) {
      throw dependencyFault('key-store', error);
    }
  }

  private async readCurrent(path: string): Promise<Buffer | undefined> {
    return (await readUnexpired(path, this.retentionMs, this.now()))?.bytes;
  }
}

/** SPEKE_KEY_RETENTION_DAYS default, the template's KeyRetentionDays default: 0, keys are kept (VOD needs them for as long as it is played). */
export const DEFAULT_KEY_RETENTION_DAYS = 0;
