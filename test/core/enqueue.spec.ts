import {
  DuplicateJobError, Enqueuer, InvalidJobError, JobNotFoundError, QueueClosedError, WaitTimeoutError, WorkerPool, silentLogger,
} from '../../lib/core/index.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';

describe('Enqueuer', () => {
  let ns: string;
  let enq: Enqueuer;
  const cleanup: { close?: () => Promise<void>; stop?: () => Promise<void> }[] = [];
  beforeEach(() => {
    ns = randomNamespace();
    enq = new Enqueuer({ redis: redisUrl(), namespace: ns });
  });
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await (c.stop?.() ?? c.close?.());
    await enq.close();
  });
  const poolFor = async (setup: (p: WorkerPool) => void) => {
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    setup(pool);
    cleanup.push(pool);
    await pool.start();
    return pool;
  };

  it('writes a queued job readable by id from another Enqueuer', async () => {
    const job = await enq.enqueue('food', { task: 1, food: 'GalbiTang' });
    expect(job).toMatchObject({ name: 'food', args: { task: 1, food: 'GalbiTang' } });
    expect(typeof job.id).toBe('string');
    const other = new Enqueuer({ redis: redisUrl(), namespace: ns });
    cleanup.push(other);
    expect(await other.getJob(job.id)).toMatchObject({ id: job.id, name: 'food', state: 'queued', attempts: 0, args: { task: 1, food: 'GalbiTang' } });
    expect(await other.getJob('no-such-job')).toBeNull();
  });

  it('marks delayed jobs scheduled with a due time on the Redis clock', async () => {
    const job = await enq.enqueue('food', null, { delay: '1h' });
    expect(job.runAt).toBeGreaterThan(job.enqueuedAt + 3_500_000);
    const at = await enq.enqueue('food', null, { runAt: new Date(Date.now() + 60_000) });
    expect((await enq.getJob(job.id))?.state).toBe('scheduled');
    expect((await enq.getJob(at.id))?.state).toBe('scheduled');
  });

  it('treats a runAt before 1970 as due now, without failing the other jobs of its batch', async () => {
    // same tick, so one batch: a negative due time once failed the script's parse, refusing both jobs
    const [early, plain] = await Promise.all([enq.enqueue('x', 1, { runAt: new Date(-5000) }), enq.enqueue('x', 2)]);
    expect(early.runAt).toBe(0);
    await poolFor((p) => p.handle('x', async (job) => job.args));
    await expect(enq.waitFor(early.id, { timeout: '10s' })).resolves.toMatchObject({ state: 'completed', result: 1 });
    await expect(enq.waitFor(plain.id, { timeout: '10s' })).resolves.toMatchObject({ state: 'completed', result: 2 });
  });

  it('refuses a delay too long for the enqueue script on its own, without failing the other jobs of its batch', async () => {
    const [huge, plain] = await Promise.allSettled([enq.enqueue('x', 1, { delay: 1e21 }), enq.enqueue('x', 2)]);
    expect(huge.status === 'rejected' && huge.reason).toBeInstanceOf(InvalidJobError);
    expect(plain).toMatchObject({ status: 'fulfilled', value: { name: 'x', args: 2 } });
  });

  it('refuses a custom id held by a live job, changing nothing, and reuses it once the job finished', async () => {
    await enq.enqueue('food', { v: 1 }, { id: 'order-42' });
    const err = await enq.enqueue('food', { v: 2 }, { id: 'order-42' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuplicateJobError);
    expect(err).toMatchObject({ code: 'DUPLICATE_JOB', existingId: 'order-42', reason: 'id' });
    expect((await enq.getJob('order-42'))?.args).toEqual({ v: 1 });
    const r = rawClient();
    expect(await r.llen(`jobcraft:{${ns}}:q:food`)).toBe(1);
    await r.quit();

    await poolFor((p) => p.handle('food', async (job) => job.args));
    await enq.waitFor('order-42', { timeout: '10s' });
    await enq.enqueue('food', { v: 3 }, { id: 'order-42', delay: '1h' });
    expect(await enq.getJob('order-42')).toMatchObject({ args: { v: 3 }, state: 'scheduled', attempts: 0 });
  });

  it('refuses a unique job while one with the same name and args is unfinished, naming the holder', async () => {
    const first = await enq.enqueue('report', { user: 7, opts: { a: 1, b: 2 } }, { unique: true });
    const err = await enq.enqueue('report', { opts: { b: 2, a: 1 }, user: 7 }, { unique: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuplicateJobError);
    expect(err).toMatchObject({ reason: 'unique', existingId: first.id });
    await enq.enqueue('report', { user: 8 }, { unique: true }); // other args: fine
    const keyed = await enq.enqueue('report', { user: 1 }, { uniqueKey: 'daily' });
    await expect(enq.enqueue('report', { user: 2 }, { uniqueKey: 'daily' })).rejects.toMatchObject({ existingId: keyed.id });

    await poolFor((p) => p.handle('report', async () => 'ok'));
    await enq.waitFor(first.id, { timeout: '10s' });
    await enq.waitFor(keyed.id, { timeout: '10s' });
    // released once finished
    await expect(enq.enqueue('report', { user: 7, opts: { a: 1, b: 2 } }, { unique: true })).resolves.toMatchObject({ name: 'report' });
    await expect(enq.enqueue('report', { user: 2 }, { uniqueKey: 'daily' })).resolves.toMatchObject({ name: 'report' });
  });

  it('validates before touching Redis: bad input throws InvalidJobError and nothing is written', async () => {
    await expect(enq.enqueue('', {})).rejects.toBeInstanceOf(InvalidJobError);
    await expect(enq.enqueue('food', { n: 1n } as never)).rejects.toThrow(/BigInt/);
    await expect(enq.enqueueMany([{ name: 'food', args: { ok: 1 } }, { name: 'food', args: { bad: () => 1 } as never }])).rejects.toThrow(/jobs\[1\]/);
    const r = rawClient();
    expect(await r.keys(`jobcraft:{${ns}}:*`)).toEqual([]);
    await r.quit();
  });

  it('enqueues many jobs in one call, each accepted or refused on its own', async () => {
    await enq.enqueue('food', null, { id: 'taken' });
    const out = await enq.enqueueMany([
      { name: 'food', args: { i: 1 } },
      { name: 'food', args: { i: 2 }, options: { id: 'taken' } },
      { name: 'drink', args: { i: 3 }, options: { delay: 60_000 } },
    ]);
    expect(out[0]).toMatchObject({ name: 'food', args: { i: 1 } });
    expect(out[1]).toBeInstanceOf(DuplicateJobError);
    expect(out[2]).toMatchObject({ name: 'drink' });
    expect((await enq.getJob((out[2] as { id: string }).id))?.state).toBe('scheduled');
  });

  it('batches concurrent enqueues into few script calls yet answers each call', async () => {
    const jobs = await Promise.all(Array.from({ length: 1200 }, (_, i) => enq.enqueue('food', { i })));
    expect(new Set(jobs.map((j) => j.id)).size).toBe(1200);
    const r = rawClient();
    expect(await r.llen(`jobcraft:{${ns}}:q:food`)).toBe(1200);
    await r.quit();
  });

  it('waitFor resolves with the finished record, and fails typed on timeout or a missing job', async () => {
    const job = await enq.enqueue('slow', { x: 2 });
    await expect(enq.waitFor(job.id, { timeout: 50 })).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(enq.waitFor('missing')).rejects.toBeInstanceOf(JobNotFoundError);
    const waiting = enq.waitFor(job.id, { timeout: '10s' });
    await poolFor((p) => p.handle('slow', async (j) => ({ doubled: (j.args as { x: number }).x * 2 })));
    await expect(waiting).resolves.toMatchObject({ state: 'completed', result: { doubled: 4 }, attempts: 1 });
  });

  it('rejects with QueueClosedError after close, and close is idempotent', async () => {
    const e2 = new Enqueuer({ redis: redisUrl(), namespace: ns });
    await e2.enqueue('food', null);
    await e2.close();
    await e2.close();
    await expect(e2.enqueue('food', null)).rejects.toBeInstanceOf(QueueClosedError);
  });
});
