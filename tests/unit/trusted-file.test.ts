import { chmod, chown, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSecret } from '../../src/adapters/file-secret.js';
import { readTrustedFile, UntrustedFileError } from '../../src/adapters/trusted-file.js';
import { removeDir } from '../support/local-server.js';

/**
 * The data folder's secret files decide every key the local server derives and every player token
 * it accepts: in a folder others could write to, a symlink planted as `player-token-key` made the
 * server accept tokens forged with the planter's key (found by review). Such files are refused.
 */
describe('secret files of the data folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'speke-trusted-'));
  });
  afterEach(() => removeDir(dir));

  const refusal = async (path: string) => {
    try {
      await readTrustedFile(path);
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('reads a regular file of this user that no one else may write to (0600, or 0644 as an editor writes it)', async () => {
    await writeFile(join(dir, 'a'), 'secret-a\n', { mode: 0o600 });
    await writeFile(join(dir, 'b'), 'secret-b\n', { mode: 0o644 });
    expect(await readTrustedFile(join(dir, 'a'))).toBe('secret-a\n');
    expect(await readTrustedFile(join(dir, 'b'))).toBe('secret-b\n');
  });

  it('refuses a symbolic link, a folder, a file others may write to, and one of another user', async () => {
    await writeFile(join(dir, 'target'), 'planted\n', { mode: 0o600 });
    await symlink(join(dir, 'target'), join(dir, 'link'));
    await mkdir(join(dir, 'folder'));
    await writeFile(join(dir, 'shared'), 'x\n');
    await chmod(join(dir, 'shared'), 0o666);
    expect(await refusal(join(dir, 'link'))).toEqual(new UntrustedFileError(join(dir, 'link'), 'it is a symbolic link'));
    expect(await refusal(join(dir, 'folder'))).toEqual(new UntrustedFileError(join(dir, 'folder'), 'it is not a regular file'));
    expect(((await refusal(join(dir, 'shared'))) as Error).message).toBe(
      `Refusing to use ${join(dir, 'shared')}: group or others may write to it (mode 666): chmod go-w it`,
    );
    // A FIFO planted under a secret's name must not block the open (O_NONBLOCK), only be refused.
    const fifo = join(dir, 'fifo');
    if ((await import('node:child_process')).spawnSync('mkfifo', [fifo]).status === 0) {
      expect(await refusal(fifo)).toEqual(new UntrustedFileError(fifo, 'it is not a regular file'));
    }
    const uid = process.getuid?.();
    if (uid === 0) {
      // Only root can give a file away (and not in a user namespace where 4242 is not mapped).
      await writeFile(join(dir, 'theirs'), 'x\n', { mode: 0o600 });
      const given = await chown(join(dir, 'theirs'), 4242, 4242).then(
        () => true,
        () => false,
      );
      if (given) expect(((await refusal(join(dir, 'theirs'))) as Error).message).toMatch(/it belongs to user 4242, not to this process's user 0$/);
    }
    await expect(readTrustedFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('FileSecret refuses a planted symlink instead of taking its key, and creates nothing with create: false', async () => {
    await writeFile(join(dir, 'attacker-key'), `${Buffer.alloc(32).toString('base64')}\n`, { mode: 0o600 });
    await symlink(join(dir, 'attacker-key'), join(dir, 'player-token-key'));
    await expect(FileSecret.open(join(dir, 'player-token-key'))).rejects.toThrow(/Refusing to use .*player-token-key: it is a symbolic link/);
    await expect(FileSecret.open(join(dir, 'nothing-here'), { create: false })).rejects.toMatchObject({ code: 'ENOENT' });
    const made = await FileSecret.open(join(dir, 'master-secret'));
    expect((await made.masterSecret()).length).toBe(32);
  });
});
