import type { WorkerPool, WorkerPoolEvents } from '../../lib/core/index.js';

/** Resolves with the `count`-th event of this kind matching `filter` (from now on), or rejects at the deadline. */
export function nextEvent<K extends keyof WorkerPoolEvents>(
  pool: WorkerPool,
  event: K,
  filter: (payload: WorkerPoolEvents[K]) => boolean = () => true,
  { count = 1, timeout = 15_000 }: { count?: number; timeout?: number } = {},
): Promise<WorkerPoolEvents[K]> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => {
      pool.off(event, listener);
      reject(new Error(`Timed out after ${timeout} ms waiting for event ${String(event)} #${count} (saw ${seen})`));
    }, timeout);
    const listener = (p: WorkerPoolEvents[K]) => {
      if (!filter(p) || ++seen < count) return;
      clearTimeout(timer);
      pool.off(event, listener);
      resolve(p);
    };
    pool.on(event, listener);
  });
}
