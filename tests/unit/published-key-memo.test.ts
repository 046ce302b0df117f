import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsKeyStore } from '../../src/adapters/fs-key-store.js';
import { PublishedKeyMemo } from '../../src/adapters/published-key-memo.js';
import type { KeyStore } from '../../src/ports.js';
import { DependencyError } from '../../src/errors.js';
import { removeDir } from '../support/local-server.js';
import { KID_A, KID_B } from '../support/requests.js';

/** Counts what reaches the store; fails the next put when told to. */
class CountingStore implements KeyStore {
  readonly puts: string[] = [];
  readonly keys = new Map<string, Buffer>();
  failNext = false;
  async put(contentId: string, kid: string, key: Buffer): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.failNext) {
      this.failNext = false;
      throw new DependencyError('key-store', true);
    }
    this.puts.push(`${contentId}/${kid}`);
    this.keys.set(`${contentId}/${kid}`, Buffer.from(key));
  }
  async get(contentId: string, kid: string): Promise<Buffer | undefined> {
    return this.keys.get(`${contentId}/${kid}`);
  }
}

const KEY = Buffer.alloc(16, 1);
const OTHER_KEY = Buffer.alloc(16, 2);

describe('publish memo: a key already published with the same bytes is not written again', () => {
  it('writes a key once, however often the same bytes are put', async () => {
    const store = new CountingStore();
    const memo = new PublishedKeyMemo(store);
    for (let i = 0; i < 5; i++) await memo.put('channel-1', KID_A, KEY);
    expect(store.puts).toEqual([`channel-1/${KID_A}`]);
    expect(await memo.get('channel-1', KID_A)).toEqual(KEY);
  });

  it('writes different bytes for the same content ID and KID (a rotated secret), and other keys', async () => {
    const store = new CountingStore();
    const memo = new PublishedKeyMemo(store);
    await memo.put('channel-1', KID_A, KEY);
    await memo.put('channel-1', KID_A, OTHER_KEY);
    await memo.put('channel-1', KID_B, KEY);
    await memo.put('channel-2', KID_A, KEY);
    expect(store.puts).toEqual([`channel-1/${KID_A}`, `channel-1/${KID_A}`, `channel-1/${KID_B}`, `channel-2/${KID_A}`]);
    expect(store.keys.get(`channel-1/${KID_A}`)).toEqual(OTHER_KEY);
  });

  it('shares one write among puts of the same key that arrive together', async () => {
    const store = new CountingStore();
    const memo = new PublishedKeyMemo(store);
    await Promise.all([memo.put('c', KID_A, KEY), memo.put('c', KID_A, KEY), memo.put('c', KID_A, KEY)]);
    expect(store.puts).toEqual([`c/${KID_A}`]);
  });

  it('remembers nothing when the store fails: the next put writes', async () => {
    const store = new CountingStore();
    const memo = new PublishedKeyMemo(store);
    store.failNext = true;
    await expect(memo.put('c', KID_A, KEY)).rejects.toBeInstanceOf(DependencyError);
    await memo.put('c', KID_A, KEY);
    expect(store.puts).toEqual([`c/${KID_A}`]);
  });

  it('is bounded: past maxEntries the oldest are forgotten (and written again when put)', async () => {
    const store = new CountingStore();
    const memo = new PublishedKeyMemo(store, { maxEntries: 2 });
    await memo.put('c1', KID_A, KEY);
    await memo.put('c2', KID_A, KEY);
    await memo.put('c3', KID_A, KEY);
    await memo.put('c3', KID_A, KEY);
    await memo.put('c2', KID_A, KEY);
    await memo.put('c1', KID_A, KEY);
    expect(store.puts).toEqual([`c1/${KID_A}`, `c2/${KID_A}`, `c3/${KID_A}`, `c1/${KID_A}`]);
  });

  it('asks the store again once an entry is older than maxAgeMs (a key removed behind its back comes back)', async () => {
    const store = new CountingStore();
    let now = Date.parse('2030-01-01T00:00:00Z');
    const memo = new PublishedKeyMemo(store, { maxAgeMs: 60_000, clock: { now: () => new Date(now) } });
    await memo.put('c', KID_A, KEY);
    now += 59_000;
    await memo.put('c', KID_A, KEY);
    now += 2_000;
    await memo.put('c', KID_A, KEY);
    expect(store.puts).toEqual([`c/${KID_A}`, `c/${KID_A}`]);
  });
});

describe('data-folder key store: an identical key file is left in place', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'speke-fs-store-'));
  });
  afterEach(() => removeDir(dir));

  it('does not rewrite a file that holds the same bytes, and replaces one that holds others', async () => {
    const store = new FsKeyStore(dir);
    await store.put('channel-1', KID_A, KEY);
    const file = join(dir, 'channel-1', KID_A);
    const first = await stat(file);
    await store.put('channel-1', KID_A, KEY);
    // A rewrite is a new file renamed over the old one: a new inode.
    expect((await stat(file)).ino).toBe(first.ino);
    await store.put('channel-1', KID_A, OTHER_KEY);
    expect((await stat(file)).ino).not.toBe(first.ino);
    expect(await readFile(file)).toEqual(OTHER_KEY);
    expect(await store.get('channel-1', KID_A)).toEqual(OTHER_KEY);
  });
});

describe('publish memo: what it knows without waiting (isKnownPublished)', () => {
  it('knows a key only once it was put with the same bytes, and only while the entry is young enough', async () => {
    let now = 1_000_000;
    const memo = new PublishedKeyMemo(new CountingStore(), { maxAgeMs: 60_000, clock: { now: () => new Date(now) } });
    expect(memo.isKnownPublished('channel-1', KID_A, KEY)).toBe(false);
    await memo.put('channel-1', KID_A, KEY);
    expect(memo.isKnownPublished('channel-1', KID_A, KEY)).toBe(true);
    expect(memo.isKnownPublished('channel-1', KID_A, OTHER_KEY)).toBe(false);
    expect(memo.isKnownPublished('channel-1', KID_B, KEY)).toBe(false);
    expect(memo.isKnownPublished('channel-2', KID_A, KEY)).toBe(false);
    now += 60_000;
    expect(memo.isKnownPublished('channel-1', KID_A, KEY)).toBe(false);
  });
});
