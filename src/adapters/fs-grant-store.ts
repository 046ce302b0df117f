import { join } from 'node:path';
import { parseKeyGrant, type KeyGrant } from '../keys/key-grant.js';
import { contentIdFileName } from './content-id-file-name.js';
import { isUuid } from '../uuid.js';
import type { GrantStore } from '../ports.js';
import { dependencyFault } from './dependency-faults.js';
import { readUnexpired, retentionMsOf, sweepExpired, writeFileAtomically } from './file-retention.js';
import { DEFAULT_KEY_RETENTION_DAYS } from './fs-key-store.js';

/**
 * Key grants in the local data folder: `<root>/<content ID, percent-encoded>/<kid>.json`, mode
 * 0600, written to a temporary file and renamed, so a reader never sees half a grant. Like the key
 * files, no content ID or KID can name a file outside `<root>`. Grants expire with the keys
 * (SPEKE_KEY_RETENTION_DAYS): an expired grant is not found, and sweep() removes it.
 */
export class FsGrantStore implements GrantStore {
  private readonly retentionMs: number;

  constructor(
    private readonly root: string,
    retentionDays: number = DEFAULT_KEY_RETENTION_DAYS,
    private readonly now: () => number = Date.now,
  ) {
    this.retentionMs = retentionMsOf(retentionDays);
  }

  /** Removes grants past their retention; returns how many. */
  sweep(): Promise<number> {
    return sweepExpired(this.root, this.retentionMs, this.now());
  }

  private path(contentId: string, kid: string): string {
    if (!isUuid(kid)) throw new Error('KID must be a UUID');
    return join(this.root, contentIdFileName(contentId), `${kid.toLowerCase()}.json`);
  }

  async record(grant: KeyGrant): Promise<void> {
    const target = this.path(grant.contentId, grant.kid);
    try {
      await writeFileAtomically(target, `${JSON.stringify(grant)}\n`);
    } catch (error) {
      throw dependencyFault('grant-store', error);
    }
  }

  async find(contentId: string, kid: string): Promise<KeyGrant | undefined> {
    if (!isUuid(kid)) return undefined;
    let bytes: Buffer | undefined;
    try {
      bytes = (await readUnexpired(this.path(contentId, kid), this.retentionMs, this.now()))?.bytes;
    } catch (error) {
      throw dependencyFault('grant-store', error);
    }
    if (bytes === undefined) return undefined;
    try {
      return parseKeyGrant(bytes.toString('utf8'));
    } catch (error) {
      throw dependencyFault('grant-store', error);
    }
  }
}
