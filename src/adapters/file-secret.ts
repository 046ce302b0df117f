import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseMasterSecret } from '../keys/derive.js';
import type { SecretSource } from '../ports.js';

/**
 * The local server's master secret: base64 text in a file of the data folder, created with 32
 * random bytes and mode 0600 on first start. Read once; every key derives from it, so keys survive
 * restarts for as long as the file does.
 */
export class FileSecret implements SecretSource {
  private constructor(private readonly secret: Buffer) {}

  static async open(path: string): Promise<FileSecret> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    try {
      await writeFile(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return new FileSecret(parseMasterSecret(await readFile(path, 'utf8')));
  }

  masterSecret(): Promise<Uint8Array> {
    return Promise.resolve(this.secret);
  }
}
