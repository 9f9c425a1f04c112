// A pool never runs more jobs at once than its concurrency. Two claims may be in flight together (a wake-up and
// the start-up claim, or a full batch and the next one); each must count the slots the other is about to fill.
import { Enqueuer, WorkerPool, silentLogger } from '../../lib/core/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

describe('WorkerPool concurrency', () => {
  it.each(Array.from({ length: 10 }, (_, i) => i))('runs at most `concurrency` jobs at once with a backlog waiting at start (round %i)', async () => {
    const ns = randomNamespace('cap');
    const enq = new Enqueuer({ redis: redisUrl(), namespace: ns });
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, concurrency: 5, logger: silentLogger });
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    pool.handle('hold', async () => {
      most = Math.max(most, ++running);
      await new Promise<void>((r) => releases.push(r));
      running--;
    });
    try {
      await enq.enqueueMany(Array.from({ length: 12 }, (_, i) => ({ name: 'hold', args: { i } })));
      await pool.start();
      let done = 0;
      pool.on('job:completed', () => done++);
      // release one job at a time: each release frees one slot, and the pool must fill only that slot
      for (let n = 1; n <= 12; n++) {
        await waitFor(() => releases.length, (r) => r > 0, { what: 'a running job' });
        releases.shift()!();
        await waitFor(() => done, (d) => d === n, { what: `${n} jobs done` });
      }
      expect(most).toBeLessThanOrEqual(5);
    } finally {
      releases.forEach((r) => r());
      await pool.stop();
      await enq.close();
    }
  });
});
