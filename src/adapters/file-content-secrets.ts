import { randomBytes, randomInt } from 'node:crypto';
import { link, mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { contentIdFileName } from './content-id-file-name.js';
import { checkReferenceContentId } from '../keys/reference-deriver.js';
import type { ContentSecretStore } from '../ports.js';
import { NotFoundError } from '../errors.js';
import { dependencyFault } from './dependency-faults.js';
import { CONTENT_SECRET_LENGTH } from './secrets-manager-content-secrets.js';
import { readTrustedFile } from './trusted-file.js';

/** GetRandomPassword's default alphabet: printable ASCII without the space (letters, digits, punctuation). */
function randomPassword(length: number): string {
  return Array.from({ length }, () => String.fromCharCode(randomInt(0x21, 0x7f))).join('');
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

/**
 * The local server's per-content-ID secrets for reference mode: one file per content ID in
 * `<dataDir>/reference-secrets/`, named by the percent-encoded content ID, mode 0600, holding the
 * secret string and a newline (one trailing newline is ignored on reading, so an edited file works).
 * To reproduce keys of a reference deployment, put its `speke/<content ID>` secret string there.
 *
 * A new secret is written to a temporary file and then hard-linked to its name, which fails if the
 * name exists: concurrent creators (other processes included) agree on the first one, and a reader
 * never sees a half-written file. With `create: false` (the ClearKey license route) a missing secret
 * is a 404, like SecretsManagerContentSecrets: only the SPEKE endpoint creates secrets.
 */
export class FileContentSecrets implements ContentSecretStore {
  constructor(
    private readonly folder: string,
    private readonly options: { create: boolean } = { create: true },
  ) {}

  async secretFor(contentId: string): Promise<string> {
    checkReferenceContentId(contentId);
    const path = join(this.folder, contentIdFileName(contentId));
    let secret: string | undefined;
    try {
      secret = this.options.create ? await this.readOrCreate(path) : await this.read(path);
    } catch (error) {
      throw dependencyFault('secret-source', error);
    }
    if (secret === undefined) throw new NotFoundError('No keys were issued for this content ID', 'unknown-content-id');
    return secret;
  }

  private async readOrCreate(path: string): Promise<string> {
    const existing = await this.read(path);
    if (existing !== undefined) return existing;

    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const secret = randomPassword(CONTENT_SECRET_LENGTH);
    // '%t' never occurs in an encoded content ID (it escapes as %XX, upper-case hex), so no clash.
    const temporary = join(this.folder, `%tmp-${randomBytes(8).toString('hex')}`);
    await writeFile(temporary, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    try {
      await link(temporary, path);
      return secret;
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
      const winner = await this.read(path);
      if (winner === undefined) throw error;
      return winner;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  private async read(path: string): Promise<string | undefined> {
    let text: string;
    try {
      text = (await readTrustedFile(path)).replace(/\r?\n$/, '');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
    if (text === '') throw new Error(`Content secret file ${path} is empty`);
    return text;
  }
}
