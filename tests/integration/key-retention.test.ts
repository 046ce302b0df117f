import { mkdtemp, readdir, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY_MS } from '../../src/adapters/file-retention.js';
import { FsGrantStore } from '../../src/adapters/fs-grant-store.js';
import { FsKeyStore } from '../../src/adapters/fs-key-store.js';
import { loadLocalConfig } from '../../src/config.js';
import { removeDir, startLocalServer } from '../support/local-server.js';
import { KID_A, KID_B, SYSTEM, v1Aes128 } from '../support/requests.js';

/**
 * Local key files (and ClearKey grants) have a retention with the meaning of the stack's
 * KeyRetentionDays: kept that many days after they were written, then neither served nor kept.
 */
const age = async (path: string, days: number) => {
  const then = new Date(Date.now() - days * DAY_MS);
  await utimes(path, then, then);
};

describe('SPEKE_KEY_RETENTION_DAYS', () => {
  it('defaults to 0 (kept), as KeyRetentionDays does, and takes 0 to 36500', () => {
    expect(loadLocalConfig({}).keyRetentionDays).toBe(0);
    expect(loadLocalConfig({ SPEKE_KEY_RETENTION_DAYS: '30' }).keyRetentionDays).toBe(30);
    expect(() => loadLocalConfig({ SPEKE_KEY_RETENTION_DAYS: '-1' })).toThrow(/SPEKE_KEY_RETENTION_DAYS/);
  });

  // A VOD title's keys are asked for once, when it is packaged, and fetched by players for as
  // long as it is played: with a 2-day default they went after 2 days (found by review).
  it('by default keeps key files and grants however old, and sweeps none', async () => {
    const root = await mkdtemp(join(tmpdir(), 'speke-retention-'));
    try {
      const store = new FsKeyStore(join(root, 'keys'));
      const grants = new FsGrantStore(join(root, 'grants'));
      const key = Buffer.alloc(16, 9);
      const grant = { contentId: 'vod', kid: KID_A, kidAsSent: KID_A, systemIds: [SYSTEM.commonPssh], issuedAt: new Date().toISOString() };
      await store.put('vod', KID_A, key);
      await grants.record(grant);
      await age(join(root, 'keys', 'vod', KID_A), 3650);
      await age(join(root, 'grants', 'vod', `${KID_A}.json`), 3650);
      expect([await store.sweep(), await grants.sweep()]).toEqual([0, 0]);
      expect(await store.get('vod', KID_A)).toEqual(key);
      expect(await grants.find('vod', KID_A)).toEqual(grant);
    } finally {
      await removeDir(root);
    }
  });

  it('a key file past its retention is not served, is written anew when published again, and is swept', async () => {
    const root = await mkdtemp(join(tmpdir(), 'speke-retention-'));
    try {
      const store = new FsKeyStore(root, 2);
      const key = Buffer.alloc(16, 7);
      await store.put('c', KID_A, key);
      await store.put('c', KID_B, key);
      await age(join(root, 'c', KID_A), 1.9);
      expect(await store.get('c', KID_A)).toEqual(key);
      await age(join(root, 'c', KID_A), 2.1);
      expect(await store.get('c', KID_A)).toBeUndefined();
      await store.put('c', KID_A, key);
      expect(await store.get('c', KID_A)).toEqual(key);
      await age(join(root, 'c', KID_B), 3);
      expect(await store.sweep()).toBe(1);
      expect(await readdir(join(root, 'c'))).toEqual([KID_A]);
    } finally {
      await removeDir(root);
    }
  });

  // Retention counted from the first write took a key still asked for (a live channel that does
  // not rotate keys) away after N days: a key published again is rewritten once its file is a day old.
  it('a key asked for again is rewritten once its file is a day old (half the retention when shorter), so retention counts from the last request', async () => {
    const root = await mkdtemp(join(tmpdir(), 'speke-retention-'));
    try {
      const mtime = async (p: string) => (await stat(p)).mtimeMs;
      const key = Buffer.alloc(16, 5);
      const store = new FsKeyStore(root, 30);
      const file = join(root, 'live', KID_A);
      await store.put('live', KID_A, key);
      await age(file, 0.9);
      const before = await mtime(file);
      await store.put('live', KID_A, key);
      expect(await mtime(file)).toBe(before);
      await age(file, 1.1);
      await store.put('live', KID_A, key);
      expect(Date.now() - (await mtime(file))).toBeLessThan(60_000);
      expect(await store.get('live', KID_A)).toEqual(key);

      const short = new FsKeyStore(root, 1);
      await age(file, 0.6);
      await short.put('live', KID_A, key);
      expect(Date.now() - (await mtime(file))).toBeLessThan(60_000);

      // No retention: kept anyway, never rewritten.
      const kept = new FsKeyStore(root);
      await age(file, 3650);
      const old = await mtime(file);
      await kept.put('live', KID_A, key);
      expect(await mtime(file)).toBe(old);
    } finally {
      await removeDir(root);
    }
  });

  it('grants expire with the keys', async () => {
    const root = await mkdtemp(join(tmpdir(), 'speke-retention-'));
    try {
      const grants = new FsGrantStore(root, 1);
      const grant = { contentId: 'c', kid: KID_A, kidAsSent: KID_A, systemIds: [SYSTEM.commonPssh], issuedAt: new Date().toISOString() };
      await grants.record(grant);
      expect(await grants.find('c', KID_A)).toEqual(grant);
      await age(join(root, 'c', `${KID_A}.json`), 1.5);
      expect(await grants.find('c', KID_A)).toBeUndefined();
      await grants.record(grant);
      await age(join(root, 'c', `${KID_A}.json`), 1.5);
      expect(await grants.sweep()).toBe(1);
      await expect(readdir(root)).resolves.toEqual([]);
    } finally {
      await removeDir(root);
    }
  });

  it('the local server sweeps expired key files at start and stops serving them', async () => {
    const first = await startLocalServer({ SPEKE_KEY_RETENTION_DAYS: '1' });
    const res = await fetch(`${first.url}/copyProtection`, { method: 'POST', body: v1Aes128({ contentId: 'old', kid: KID_A }) });
    expect(res.status).toBe(200);
    expect((await fetch(`${first.url}/keys/old/${KID_A}`)).status).toBe(200);
    await first.stop();
    await age(join(first.dataDir, 'keys', 'old', KID_A), 1.5);
    const second = await startLocalServer({ SPEKE_KEY_RETENTION_DAYS: '1' }, { dataDir: first.dataDir });
    try {
      expect((await fetch(`${second.url}/keys/old/${KID_A}`)).status).toBe(404);
      await new Promise((r) => setTimeout(r, 100));
      await expect(readdir(join(first.dataDir, 'keys'))).resolves.toEqual([]);
    } finally {
      await second.stop();
      await removeDir(second.dataDir);
    }
  });
});
