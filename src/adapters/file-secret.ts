import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseMasterSecret } from '../keys/derive.js';
import type { SecretSource } from '../ports.js';
import { readTrustedFile } from './trusted-file.js';

/**
 * The local server's master secret: base64 text in a file of the data folder, created with 32
 * random bytes and mode 0600 on first start. Read once; every key derives from it, so keys survive
 * restarts for as long as the file does. It is used only if this process's user owns it and no one
 * else may write to it (readTrustedFile).
 */
export class FileSecret implements SecretSource {
  private constructor(private readonly secret: Buffer) {}

  /** The secret of the file, created first (32 random bytes) unless `create` is false. */
  static async open(path: string, options: { create: boolean } = { create: true }): Promise<FileSecret> {
    if (options.create) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      try {
        await writeFile(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return new FileSecret(parseMasterSecret(await readTrustedFile(path)));
  }

  masterSecret(): Promise<Uint8Array> {
    return Promise.resolve(this.secret);
  }
}
