import { runBounded } from '../../src/service/bounded-concurrency.js';

/** The runner of a request's key and grant writes (src/service/copy-protection.ts publish). */
function tasks(count: number, options: { failAt?: number } = {}) {
  const started: number[] = [];
  let running = 0;
  let most = 0;
  const list = Array.from({ length: count }, (_, i) => async () => {
    started.push(i);
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 2));
    running--;
    if (i === options.failAt) throw new Error(`task ${i} failed`);
  });
  return { list, started, most: () => most, running: () => running };
}

describe('runBounded', () => {
  it('runs every task, never more than the limit at once', async () => {
    const t = tasks(20);
    await runBounded(t.list, 4);
    expect(t.started.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(t.most()).toBe(4);
  });

  it('starts no task after the first failure, awaits the running ones and throws that failure', async () => {
    const t = tasks(20, { failAt: 1 });
    await expect(runBounded(t.list, 2)).rejects.toThrow('task 1 failed');
    expect(t.running()).toBe(0);
    expect(t.started.length).toBeLessThan(5);
  });

  it('starts no task once the signal is aborted, awaits the running ones and throws the abort', async () => {
    const t = tasks(20);
    const giveUp = new AbortController();
    const run = runBounded(t.list, 4, giveUp.signal);
    giveUp.abort(new Error('given up'));
    await expect(run).rejects.toThrow('given up');
    expect(t.running()).toBe(0);
    expect(t.started).toHaveLength(4);
  });
});
