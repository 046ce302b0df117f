import { PublishedKeyMemo } from '../../src/adapters/published-key-memo.js';
import { hkdfDeriver } from '../../src/keys/content-key-deriver.js';
import type { KeyStore } from '../../src/ports.js';
import { copyProtection, copyProtectionAtOnce, type CopyProtectionDependencies } from '../../src/service/copy-protection.js';
import { answerAtEdge } from '../../src/service/edge.js';
import { TEST_MASTER_SECRET, TEST_NOW, testContext } from '../support/core.js';
import { v1Aes128 } from '../support/requests.js';

/** Records every put; answers after a turn of the event loop, as a real store does. */
class RecordingStore implements KeyStore {
  readonly puts: string[] = [];
  async put(contentId: string, kid: string): Promise<void> {
    await new Promise((r) => setImmediate(r));
    this.puts.push(`${contentId}/${kid}`);
  }
  get(): Promise<Buffer | undefined> {
    return Promise.resolve(undefined);
  }
}

function deps(options: { atOnce: boolean }) {
  const store = new RecordingStore();
  const keysForCalls: string[] = [];
  const app: CopyProtectionDependencies = {
    core: testContext(),
    keysFor: (contentId) => {
      keysForCalls.push(contentId);
      return Promise.resolve(hkdfDeriver(TEST_MASTER_SECRET, contentId));
    },
    keysAtOnce: options.atOnce ? (contentId) => hkdfDeriver(TEST_MASTER_SECRET, contentId) : () => undefined,
    keyStore: new PublishedKeyMemo(store),
    grants: undefined,
    clock: { now: () => TEST_NOW },
  };
  return { app, store, keysForCalls };
}

const request = { body: Buffer.from(v1Aes128()), spekeVersionHeader: undefined };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('copyProtectionAtOnce: the warm path answers without a promise, the same answer', () => {
  it('waits while the key is not yet published, then answers at once (same body) without writing it again', async () => {
    const { app, store, keysForCalls } = deps({ atOnce: true });
    const first = copyProtectionAtOnce(request, app);
    expect(first).toBeInstanceOf(Promise);
    const firstAnswer = await first;
    expect(store.puts).toHaveLength(1);
    const warm = copyProtectionAtOnce(request, app);
    expect(warm).not.toBeInstanceOf(Promise);
    expect(warm).toEqual(firstAnswer);
    expect(await copyProtection(request, app)).toEqual(firstAnswer);
    expect(store.puts).toHaveLength(1);
    expect(keysForCalls).toEqual([]);
  });

  it('asks keysFor (and waits) when the key material cannot be made at once', async () => {
    const { app, keysForCalls } = deps({ atOnce: false });
    await copyProtection(request, app);
    const answer = copyProtectionAtOnce(request, app);
    expect(answer).toBeInstanceOf(Promise);
    expect((await answer).status).toBe(200);
    expect(keysForCalls).toHaveLength(2);
  });

  it('answerAtEdge answers at once when the route does, and maps a synchronous refusal the same as a rejected one', async () => {
    const { app } = deps({ atOnce: true });
    await copyProtection(request, app);
    const lines: unknown[] = [];
    const logger = { ...silent, info: (_m: string, f: unknown) => lines.push(f), warn: (_m: string, f: unknown) => lines.push(f) };
    const warm = answerAtEdge({ logger, errors: 'text' }, (facts) => copyProtectionAtOnce(request, app, facts));
    expect(warm).not.toBeInstanceOf(Promise);
    expect(lines).toHaveLength(1);
    const bad = { body: Buffer.from('<not-cpix'), spekeVersionHeader: undefined };
    const thrown = answerAtEdge({ logger: silent, errors: 'text' }, (facts) => copyProtectionAtOnce(bad, app, facts));
    const rejected = await answerAtEdge({ logger: silent, errors: 'text' }, (facts) => copyProtection(bad, app, facts));
    expect(thrown).not.toBeInstanceOf(Promise);
    expect(thrown).toEqual(rejected);
    expect(rejected.status).toBe(400);
  });
});
