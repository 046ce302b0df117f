import { required } from '../required.js';

/**
 * Runs tasks with at most `limit` in flight. After the first failure no new task starts; the ones
 * already running are awaited (nothing is left unobserved) and the first error is thrown.
 */
export async function runBounded(tasks: readonly (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < tasks.length) {
      const task = required(tasks[next++], 'the next task');
      try {
        await task();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), tasks.length) }, worker));
  if (failure) throw failure.error;
}
