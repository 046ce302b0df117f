import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Retention of the data folder's key and grant files (SPEKE_KEY_RETENTION_DAYS), with the meaning
 * of the stack's KeyRetentionDays: a file is kept for that many days after it was written, then
 * removed. A file past its retention is never served, even before the sweep removes it.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** A retention in days as milliseconds; 0 days: kept (never expires). */
export function retentionMsOf(days: number): number {
  return days === 0 ? Number.POSITIVE_INFINITY : days * DAY_MS;
}

export function isExpired(writtenAtMs: number, retentionMs: number, nowMs: number): boolean {
  return nowMs - writtenAtMs >= retentionMs;
}

/** Writes `data` to `target` (mode 0600, its folder 0700) through a temporary file and a rename, so a reader never sees half a file. */
export async function writeFileAtomically(target: string, data: Buffer | string): Promise<void> {
  await mkdir(join(target, '..'), { recursive: true, mode: 0o700 });
  const temporary = `${target}.${randomUUID()}.tmp`;
  await writeFile(temporary, data, { mode: 0o600 });
  await rename(temporary, target);
}

/** The file's bytes and when it was written, or undefined when there is none or it is past its retention (then removed). */
export async function readUnexpired(path: string, retentionMs: number, nowMs: number): Promise<{ bytes: Buffer; writtenAtMs: number } | undefined> {
  try {
    const writtenAtMs = (await stat(path)).mtimeMs;
    if (isExpired(writtenAtMs, retentionMs, nowMs)) {
      await rm(path, { force: true });
      return undefined;
    }
    return { bytes: await readFile(path), writtenAtMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Removes every file under `root` (one level of content-ID folders) written `retentionMs` or more ago, and folders left empty. Returns how many files it removed. */
export async function sweepExpired(root: string, retentionMs: number, nowMs: number): Promise<number> {
  let removed = 0;
  let folders: string[];
  try {
    folders = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  for (const folder of folders) {
    const dir = join(root, folder);
    let files: string[];
    try {
      files = await readdir(dir);
    } catch {
      continue; // not a folder, or removed meanwhile
    }
    for (const file of files) {
      const path = join(dir, file);
      try {
        if (isExpired((await stat(path)).mtimeMs, retentionMs, nowMs)) {
          await rm(path, { force: true });
          removed++;
        }
      } catch {
        // removed meanwhile
      }
    }
    await rmdir(dir).catch(() => undefined); // only succeeds when empty
  }
  return removed;
}
