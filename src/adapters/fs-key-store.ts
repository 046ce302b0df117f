import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { contentIdSegment } from '../keys/key-location.js';
import { isUuid } from '../keys/kid.js';
import type { KeyStore } from '../ports.js';
import { dependencyFault } from './dependency-faults.js';

/**
 * Keys in the local data folder: `<root>/<content ID, percent-encoded>/<kid>`. The content ID is
 * one encoded segment (never '/', '\' or a dot segment) and the KID must be a UUID, so no request
 * can name a file outside `<root>`.
 */
export class FsKeyStore implements KeyStore {
  constructor(private readonly root: string) {}

  private path(contentId: string, kid: string): string {
    if (!isUuid(kid)) throw new Error('KID must be a UUID');
    return join(this.root, contentIdSegment(contentId), kid.toLowerCase());
  }

  /** Writes the key (temporary file, then rename) unless the file already holds exactly these bytes. */
  async put(contentId: string, kid: string, key: Buffer): Promise<void> {
    const target = this.path(contentId, kid);
    try {
      if ((await readExisting(target))?.equals(key)) return;
      await mkdir(join(target, '..'), { recursive: true, mode: 0o700 });
      const temporary = `${target}.${randomUUID()}.tmp`;
      await writeFile(temporary, key, { mode: 0o600 });
      await rename(temporary, target);
    } catch (error) {
      throw dependencyFault('key-store', error);
    }
  }

  async get(contentId: string, kid: string): Promise<Buffer | undefined> {
    if (!isUuid(kid)) return undefined;
    try {
      return await readFile(this.path(contentId, kid));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw dependencyFault('key-store', error);
    }
  }
}

/** The file's bytes, or undefined when there is none yet. */
async function readExisting(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
