// Graceful stop: a stopping worker finishes what it can within its timeout, hands the rest back to the queue
// (not counted as a failure) for another worker, takes nothing new, and its process exits on its own.
import type { Redis } from 'ioredis';
import { Enqueuer, QueueClosedError, WorkerPool, silentLogger, type WorkerPoolEvents } from '../../lib/core/index.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { nextEvent } from '../helpers/next-event.js';
import { waitFor } from '../helpers/wait-for.js';
import { startRedis, type RedisServer } from '../setup/redis-server.mjs';
import { Children, holdStarted, isEvent, LEASE_MS, pidOf } from './support.js';

describe('a worker process stopped gracefully', () => {
  let ns: string;
  let enq: Enqueuer;
  let redis: Redis;
  const children = new Children();
  const pools: WorkerPool[] = [];

  beforeEach(() => {
    ns = randomNamespace('multi-stop');
    enq = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    redis = rawClient();
  });
  afterEach(async () => {
    await children.killAll();
    for (const p of pools.splice(0)) await p.stop({ timeout: 100 });
    await enq.close();
    await redis.quit();
  });

  /** An in-process pool whose 'hold' handler returns at once. */
  const inProcessPool = async () => {
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, lease: LEASE_MS, logger: silentLogger });
    pool.handle('hold', async (job) => ({ by: 'in-process', attempt: job.attempt }));
    pools.push(pool);
    await pool.start();
    return pool;
  };

  it('hands a job still running at its stop timeout back to the queue, not counted as a failure, and exits 0', async () => {
    const [worker] = await children.workers(1, ns);
    const job = await enq.enqueue('hold', { n: 1 });
    await holdStarted([worker!], job.id, 1);

    worker!.send({ type: 'stop', timeout: 200 });
    expect(await worker!.exited).toBe(0);
    expect(worker!.messages.some((m) => m.type === 'stopped')).toBe(true);
    expect(worker!.messages.filter(isEvent('job:released', job.id))).toEqual([expect.objectContaining({ attempt: 1 })]);

    const info = await enq.getJob(job.id);
    expect(info).toMatchObject({ state: 'queued', attempts: 0 });
    expect(info!.error).toBeUndefined();
    expect(await redis.lrange(`jobcraft:{${ns}}:q:hold`, 0, -1)).toEqual([job.id]);
    expect(await redis.zcard(`jobcraft:{${ns}}:l:hold`)).toBe(0);

    // a worker started later runs it as a first attempt
    await inProcessPool();
    expect(await enq.waitFor(job.id, { timeout: '20s' })).toMatchObject({
      state: 'completed', attempts: 1, result: { by: 'in-process', attempt: 1 },
    });
  });

  it('lets a live worker process take over a job handed back at stop and complete it as attempt 1', async () => {
    const workers = await children.workers(2, ns);
    const job = await enq.enqueue('hold', { n: 2 });
    const first = await holdStarted(workers, job.id, 1);
    const live = workers.find((w) => w !== first.instance)!;

    first.instance.send({ type: 'stop', timeout: 200 });
    const again = await holdStarted([live], job.id, 1);
    expect(again.pid).toBe(pidOf(live));
    expect(await first.instance.exited).toBe(0);
    expect(first.instance.messages.filter(isEvent('job:released', job.id))).toHaveLength(1);

    live.send({ type: 'release', id: job.id });
    const done = await enq.waitFor(job.id, { timeout: '20s' });
    expect(done).toMatchObject({ state: 'completed', attempts: 1, result: { by: pidOf(live), attempt: 1 } });
    expect(done.error).toBeUndefined();
  });

  it('finishes a running job within its stop timeout on the stopping worker and takes no new job meanwhile', async () => {
    const [worker] = await children.workers(1, ns);
    const job = await enq.enqueue('hold', { n: 3 });
    await holdStarted([worker!], job.id, 1);

    worker!.send({ type: 'stop', timeout: 20_000 });
    await worker!.message((m) => m.type === 'stopping');
    const late = await enq.enqueue('echo', { late: true });
    worker!.send({ type: 'release', id: job.id });
    expect(await worker!.exited).toBe(0);

    expect(await enq.getJob(job.id)).toMatchObject({ state: 'completed', attempts: 1, result: { by: pidOf(worker!), attempt: 1 } });
    expect(worker!.messages.filter(isEvent('job:released', job.id))).toEqual([]);
    expect(await enq.getJob(late.id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(worker!.messages.filter((m) => m.type === 'event' && m.id === late.id)).toEqual([]);
  });

  it('returns the same promise from repeated stop() calls and hands a running job back only once', async () => {
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, lease: LEASE_MS, logger: silentLogger });
    pools.push(pool);
    pool.handle('hold', (job) => new Promise((resolve) => job.signal.addEventListener('abort', () => resolve(null))));
    const released: WorkerPoolEvents['job:released'][] = [];
    pool.on('job:released', (e) => released.push(e));
    await pool.start();
    const job = await enq.enqueue('hold', null);
    await nextEvent(pool, 'job:active', (e) => e.id === job.id);

    const first = pool.stop({ timeout: 50 });
    const second = pool.stop({ timeout: 50 });
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await expect(pool.stop()).resolves.toBeUndefined();

    expect(released).toEqual([{ id: job.id, name: 'hold', attempt: 1 }]);
    expect(pool.activeCount).toBe(0);
    expect(await enq.getJob(job.id)).toMatchObject({ state: 'queued', attempts: 0 });
    await expect(pool.start()).rejects.toBeInstanceOf(QueueClosedError);
  });

  describe('on a Redis of its own', () => {
    let server: RedisServer;
    beforeEach(async () => {
      server = await startRedis();
    });
    afterEach(async () => {
      await server.stop();
    });

    it('stops an idle pool blocked waiting for jobs and closes every connection it opened', async () => {
      const admin = rawClient(server.url);
      try {
        const clients = async () => ((await admin.client('LIST')) as string).trim().split('\n');
        const pool = new WorkerPool({ redis: server.url, namespace: ns, lease: LEASE_MS, logger: silentLogger });
        pools.push(pool);
        pool.handle('hold', async () => null);
        await pool.start();
        await waitFor(clients, (list) => list.some((c) => / name=jobcraft:blocking .*flags=b .*cmd=bzpopmin/.test(c)), {
          what: 'the pool to block on BZPOPMIN',
        });

        await pool.stop();
        expect(pool.activeCount).toBe(0);
        // only the admin connection is left (the server may take a moment to notice closed sockets)
        const left = await waitFor(clients, (list) => list.length === 1, { what: 'the pool connections to close' });
        expect(left[0]).not.toMatch(/name=jobcraft:/);
      } finally {
        await admin.quit();
      }
    });
  });
});
