import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';

/**
 * Reads a secret file of the data folder (master secret, player-token key, reference secrets) only
 * if this process can trust what is in it: a regular file, not a symbolic link (opened with
 * O_NOFOLLOW and checked on the open handle, so it cannot be swapped between check and read),
 * owned by this process's user and writable by no one else. A file planted by another user in a
 * data folder others can write to (a symlink to their own key, say) would otherwise decide every
 * key this server derives or every player token it accepts. O_NONBLOCK keeps a planted FIFO from
 * blocking the open. On Windows, which has neither O_NOFOLLOW nor POSIX owners and modes (every
 * writable file reports 0666), only a symbolic link (lstat) and a non-file are refused. ENOENT is
 * passed on as it is.
 */
export async function readTrustedFile(path: string): Promise<string> {
  const windows = process.platform === 'win32';
  if (windows && (await lstat(path)).isSymbolicLink()) throw new UntrustedFileError(path, 'it is a symbolic link');
  let handle;
  try {
    handle = await open(path, windows ? constants.O_RDONLY : constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new UntrustedFileError(path, 'it is a symbolic link');
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UntrustedFileError(path, 'it is not a regular file');
    const uid = process.getuid?.();
    if (!windows && uid !== undefined && info.uid !== uid)
      throw new UntrustedFileError(path, `it belongs to user ${info.uid}, not to this process's user ${uid}`);
    if (!windows && (info.mode & 0o022) !== 0) {
      throw new UntrustedFileError(path, `group or others may write to it (mode ${(info.mode & 0o777).toString(8)}): chmod go-w it`);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** A secret file the server refuses to use, and why. */
export class UntrustedFileError extends Error {
  override readonly name = 'UntrustedFileError';
  constructor(path: string, why: string) {
    super(`Refusing to use ${path}: ${why}`);
  }
}
