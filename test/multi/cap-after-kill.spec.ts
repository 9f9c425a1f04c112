// The per-name cap is cluster-wide (a count of live leases), so a SIGKILLed worker's slot is held only until its
// lease expires and its job is requeued: the cap is neither exceeded nor leaked.
import { Enqueuer, WorkerPool, silentLogger } from '../../lib/core/index.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { spawnInstance, type Instance } from '../helpers/spawn-instance.js';
import { waitFor } from '../helpers/wait-for.js';

describe('a capped job name when its worker is killed', () => {
  let child: Instance | undefined;
  let pool: WorkerPool | undefined;
  let enq: Enqueuer;
  afterEach(async () => {
    await child?.kill();
    await pool?.stop({ timeout: 100 });
    await enq.close();
  });

  it('keeps the cap while the killed worker held the slot, then frees it: every job runs, never two at once', async () => {
    const ns = randomNamespace('multi-cap');
    enq = new Enqueuer({ redis: redisUrl(), namespace: ns });
    child = await spawnInstance('capped-worker.ts', { REDIS_URL: redisUrl(), NAMESPACE: ns, LEASE: '1000' });
    const first = await enq.enqueue('capped', { n: 1 });
    await child.message((m) => m.type === 'started' && m.id === first.id);
    const rest = await Promise.all([2, 3, 4].map((n) => enq.enqueue('capped', { n })));

    let running = 0;
    let peak = 0;
    const ran: string[] = [];
    const order: string[] = [];
    pool = new WorkerPool({ redis: redisUrl(), namespace: ns, concurrency: 10, lease: 1000, logger: silentLogger });
    pool.on('job:recovered', (e) => order.push(`recovered ${e.id}`));
    pool.handle('capped', async (job) => {
      running++;
      peak = Math.max(peak, running);
      ran.push(job.id);
      order.push(`ran ${job.id}`);
      await new Promise((r) => setTimeout(r, 20));
      running--;
    }, { concurrency: 1 });
    await pool.start();
    const raw = rawClient();

    await child.kill();
    for (const j of [first, ...rest]) {
      expect(await enq.waitFor(j.id, { timeout: '20s' })).toMatchObject({ state: 'completed' });
    }
    expect(new Set(ran)).toEqual(new Set([first.id, ...rest.map((j) => j.id)]));
    expect(peak).toBe(1);
    // while the child held the only slot, the live pool took nothing: its first run came after it recovered the
    // child's lease. (Read from the order of events, not at a moment: a child starved past its lease loses the
    // slot early, which is the lease doing its job.)
    expect(order[0]).toBe(`recovered ${first.id}`);
    expect((await enq.getJob(first.id))?.attempts).toBe(2); // the killed attempt counted
    await waitFor(() => raw.zcard(`jobcraft:{${ns}}:l:capped`), (n) => n === 0, { what: 'no lease left' });
    await raw.quit();
  });
});
