import { required } from '../required.js';

/**
 * Runs tasks with at most `limit` in flight. After the first failure, or once `signal` is aborted
 * (the request was given up), no new task starts; the ones already running are awaited (nothing is
 * left unobserved) and the first error, or the abort's reason, is thrown.
 */
export async function runBounded(tasks: readonly (() => Promise<unknown>)[], limit: number, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < tasks.length) {
      if (signal?.aborted === true) {
        failure = { error: signal.reason };
        break;
      }
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
