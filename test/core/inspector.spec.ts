// The Inspector on real Redis: listings and search, retry / remove / cancel (also concurrent), pause, workers,
// periodic history, stats history. Multi-process behaviour (cancel on another worker, pause across processes, a
// SIGKILLed worker leaving the list) is in test/multi/operate.spec.ts.
import {
  Enqueuer, Inspector, InvalidOptionsError, JobCancelledError, JobNotFoundError, NonRetryableError, Scheduler, WorkerPool, silentLogger,
  type Job, type WorkerPoolEvents,
} from '../../lib/core/index.js';
import { drain } from '../../lib/testing/index.js';
import { nextEvent } from '../helpers/next-event.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Inspector', () => {
  let ns: string;
  let enq: Enqueuer;
  let inspector: Inspector;
  const cleanups: (() => unknown)[] = [];
  beforeEach(() => {
    ns = randomNamespace('inspect');
    enq = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    inspector = new Inspector({ redis: redisUrl(), namespace: ns, logger: silentLogger });
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await enq.close();
    await inspector.close();
  });
  const makePool = (concurrency = 10) => {
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, logger: silentLogger, concurrency, lease: 1500 });
    cleanups.push(() => pool.stop({ timeout: 500 }));
    return pool;
  };
  /** Dead jobs of 'food' made by a pool that fails them for good. */
  const deadJobs = async (args: unknown[]) => {
    const pool = makePool().handle('food', async (job) => {
      throw new NonRetryableError(`no ${JSON.stringify(job.args)}`);
    });
    await pool.start();
    const jobs = [];
    for (const a of args) jobs.push(await enq.enqueue('food', a as never));
    await drain(pool, { timeout: '10s' });
    await pool.stop();
    return jobs;
  };

  it('lists dead jobs newest first, pages them with a cursor, and searches args, ids and errors', async () => {
    const jobs = await deadJobs([{ food: 'GalbiTang' }, { food: 'Bibimbap' }, { food: 'GalbiJjim' }]);
    const all = await inspector.jobs({ name: 'food', state: 'dead' });
    expect(all.jobs.map((j) => j.id)).toEqual(jobs.map((j) => j.id).reverse());
    expect(all.cursor).toBeUndefined();
    const first = await inspector.jobs({ name: 'food', state: 'dead', limit: 2 });
    expect(first.jobs).toHaveLength(2);
    const rest = await inspector.jobs({ name: 'food', state: 'dead', limit: 2, cursor: first.cursor });
    expect([...first.jobs, ...rest.jobs].map((j) => j.id)).toEqual(all.jobs.map((j) => j.id));
    expect((await inspector.jobs({ name: 'food', state: 'dead', search: 'galbi' })).jobs.map((j) => j.args)).toEqual([{ food: 'GalbiJjim' }, { food: 'GalbiTang' }]);
    expect((await inspector.jobs({ name: 'food', state: 'dead', search: jobs[1]!.id })).jobs).toHaveLength(1);
    expect((await inspector.jobs({ name: 'food', state: 'dead', search: 'no {"food":"bibimbap"}' })).jobs).toHaveLength(1);
    expect((await inspector.jobs({ name: 'food', state: 'completed' })).jobs).toEqual([]);
  });

  it('searches a long listing in bounded steps, each returning what it found and a cursor to go on', async () => {
    await enq.enqueueMany(Array.from({ length: 2500 }, (_, i) => ({ name: 'bulk', args: { i, tag: i === 2400 ? 'needle' : 'hay' } })));
    const seen: number[] = [];
    let cursor: string | undefined;
    let calls = 0;
    do {
      const page = await inspector.jobs({ name: 'bulk', state: 'queued', search: 'needle', cursor });
      seen.push(...page.jobs.map((j) => (j.args as { i: number }).i));
      cursor = page.cursor;
      calls++;
    } while (cursor !== undefined);
    expect(seen).toEqual([2400]);
    expect(calls).toBe(3); // 1,000 records at most per call
  });

  it('retries a dead job to completion, reports a no-op for a queued one, and throws for an unknown id', async () => {
    const [job] = await deadJobs([{ food: 'GalbiTang' }]);
    const pool = makePool().handle('food', async (j: Job) => ({ ate: j.args }));
    await pool.start();
    expect(await inspector.retry(job!.id)).toBe(true);
    expect(await enq.waitFor(job!.id, { timeout: '10s' })).toMatchObject({ state: 'completed', result: { ate: { food: 'GalbiTang' } } });
    expect(await inspector.retry(job!.id)).toBe(false); // completed: nothing to do
    await expect(inspector.retry('nope')).rejects.toBeInstanceOf(JobNotFoundError);
    await expect(inspector.jobs({ name: 'food', state: 'gone' as never })).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('retries all dead jobs of a name, and two operators retrying at once move each job once', async () => {
    const jobs = await deadJobs([1, 2, 3, 4].map((n) => ({ n })));
    const [a, b] = await Promise.all([inspector.retryAll({ name: 'food' }), inspector.retryAll({ name: 'food', state: 'dead' })]);
    expect(a + b).toBe(4);
    expect((await inspector.jobs({ name: 'food', state: 'queued' })).jobs.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort());
    const both = await Promise.all([inspector.retry(jobs[0]!.id), inspector.retry(jobs[0]!.id)]);
    expect(both).toEqual([false, false]); // already queued
  });

  it('removes jobs, singly and by state, and refuses to remove a running one', async () => {
    const jobs = await deadJobs([1, 2, 3].map((n) => ({ n })));
    expect(await inspector.remove(jobs[0]!.id)).toBe(true);
    expect(await inspector.getJob(jobs[0]!.id)).toBeNull();
    expect(await inspector.removeAll({ name: 'food', state: 'dead' })).toBe(2);
    expect((await inspector.jobs({ name: 'food', state: 'dead' })).jobs).toEqual([]);
    let release!: () => void;
    const pool = makePool().handle('hold', () => new Promise<null>((r) => (release = () => r(null))));
    await pool.start();
    const held = await enq.enqueue('hold', null);
    await nextEvent(pool, 'job:active', (e) => e.id === held.id);
    expect(await inspector.remove(held.id)).toBe(false);
    release();
  });

  it('cancels a queued job (never runs) and a running one (its signal aborts, its result is not recorded)', async () => {
    const queued = await enq.enqueue('slow', { n: 1 }, { delay: '1h' });
    expect(await inspector.cancel(queued.id)).toBe(true);
    expect(await inspector.getJob(queued.id)).toMatchObject({ state: 'cancelled' });
    expect(await inspector.cancel(queued.id)).toBe(false);

    let reason: unknown;
    const pool = makePool().handle('slow', (job) => new Promise((resolve) => job.signal.addEventListener('abort', () => {
      reason = job.signal.reason;
      resolve('finished anyway');
    })));
    const cancelled: WorkerPoolEvents['job:cancelled'][] = [];
    pool.on('job:cancelled', (e) => cancelled.push(e));
    await pool.start();
    const running = await enq.enqueue('slow', { n: 2 });
    await nextEvent(pool, 'job:active', (e) => e.id === running.id);
    const [x, y] = await Promise.all([inspector.cancel(running.id), inspector.cancel(running.id)]);
    expect([x, y].sort()).toEqual([false, true]);
    await waitFor(() => cancelled.length, (n) => n === 1, { what: 'the running job to be cancelled' });
    expect(reason).toBeInstanceOf(JobCancelledError);
    const done = await enq.waitFor(running.id, { timeout: '5s' });
    expect(done).toMatchObject({ state: 'cancelled', error: { name: 'JobCancelledError' } });
    expect(done.result).toBeUndefined();
    expect((await inspector.jobs({ name: 'slow', state: 'cancelled' })).jobs.map((j) => j.id)).toEqual([running.id, queued.id]);
    expect(await inspector.retry(queued.id)).toBe(true); // a cancelled job can be run again
  });

  it('pauses a name cluster-wide (nothing starts; enqueue works) and resumes it', async () => {
    await inspector.pause('food');
    const ran: string[] = [];
    const pool = makePool().handle('food', async (job) => void ran.push(job.id));
    await pool.start();
    const job = await enq.enqueue('food', null);
    // a job of another name runs meanwhile, so workers did look for work
    const other = new WorkerPool({ redis: redisUrl(), namespace: ns, logger: silentLogger }).handle('other', async () => null);
    cleanups.push(() => other.stop());
    await other.start();
    const probe = await enq.enqueue('other', null);
    await enq.waitFor(probe.id, { timeout: '5s' });
    expect(ran).toEqual([]);
    expect((await inspector.names()).find((n) => n.name === 'food')).toMatchObject({ paused: true, counts: { queued: 1 } });
    await inspector.resume('food');
    await enq.waitFor(job.id, { timeout: '5s' });
    expect(ran).toEqual([job.id]);
  });

  it('lists live workers with what they run, and counts, rates and history per name', async () => {
    let release!: () => void;
    const pool = makePool(3).handle('hold', () => new Promise<null>((r) => (release = () => r(null)))).handle('food', async () => 'ok');
    await pool.start();
    const held = await enq.enqueue('hold', null);
    await nextEvent(pool, 'job:active', (e) => e.id === held.id);
    const workers = await waitFor(() => inspector.workers(), (w) => w.length === 1 && w[0]!.active.length === 1, { what: 'the worker and its job' });
    expect(workers[0]).toMatchObject({ pid: process.pid, concurrency: 3 });
    expect([...workers[0]!.names].sort()).toEqual(['food', 'hold']);
    expect(workers[0]!.active[0]).toMatchObject({ id: held.id, name: 'hold' });
    const done = await Promise.all([1, 2, 3].map((n) => enq.enqueue('food', { n })));
    for (const d of done) await enq.waitFor(d.id, { timeout: '5s' });
    const food = (await inspector.names()).find((n) => n.name === 'food')!;
    expect(food.counts).toMatchObject({ completed: 3, queued: 0, dead: 0 });
    expect(food.processed.lastMinute).toBe(3);
    const buckets = await inspector.history({ name: 'food', range: '1h' });
    expect(buckets).toHaveLength(60);
    expect(buckets.reduce((s, b) => s + b.processed, 0)).toBe(3);
    expect((await inspector.history({ name: 'food', range: '30d' })).reduce((s, b) => s + b.processed, 0)).toBe(3);
    // the memory bound: one small string per name and bucket, minute buckets kept 25 h, hour buckets 31 days
    const raw = rawClient();
    cleanups.push(() => raw.quit());
    const [minuteKey] = await raw.keys(`jobcraft:{${ns}}:st:food:m:*`);
    const [hourKey] = await raw.keys(`jobcraft:{${ns}}:st:food:h:*`);
    expect(await raw.pttl(minuteKey!)).toBeGreaterThan(24 * 3_600_000);
    expect(await raw.pttl(minuteKey!)).toBeLessThanOrEqual(25 * 3_600_000);
    expect(await raw.pttl(hourKey!)).toBeLessThanOrEqual(31 * 86_400_000);
    expect(Number(await raw.memory('USAGE', minuteKey!))).toBeLessThan(200); // key, value and expiry
    release();
    await pool.stop();
    expect(await inspector.workers()).toEqual([]);
  });


  it('sums run and wait times in the history buckets, and counts failed attempts', async () => {
    // both jobs were due 300 ms before they are enqueued, so each has waited at least that long when it starts
    const runAt = new Date(Date.now() - 300);
    const first = await enq.enqueue('food', { n: 1 }, { runAt });
    const second = await enq.enqueue('food', { n: 2 }, { runAt });
    let calls = 0;
    const pool = makePool(1).handle('food', async (job) => {
      await new Promise((r) => setTimeout(r, 60));
      if (job.args && (job.args as { n: number }).n === 2 && calls++ === 0) throw new Error('once');
      return 'ok';
    }, { backoff: () => 0 });
    await pool.start();
    await enq.waitFor(first.id, { timeout: '5s' });
    await enq.waitFor(second.id, { timeout: '5s' });
    const buckets = (await inspector.history({ name: 'food', range: '1h' })).filter((b) => b.processed + b.failed > 0);
    const sum = (f: (b: (typeof buckets)[number]) => number) => buckets.reduce((s, b) => s + f(b), 0);
    expect(sum((b) => b.processed)).toBe(2);
    expect(sum((b) => b.failed)).toBe(1);
    expect(Math.max(...buckets.map((b) => b.runMs.max))).toBeGreaterThanOrEqual(55);
    expect(sum((b) => b.runMs.sum)).toBeGreaterThanOrEqual(3 * 55);
    expect(Math.max(...buckets.map((b) => b.waitMs.max))).toBeGreaterThanOrEqual(250);
    expect(sum((b) => b.waitMs.sum)).toBeGreaterThanOrEqual(2 * 250);
  });
  it('records periodic ticks with their jobs, pauses an entry (ticks skipped) and runs it by hand', async () => {
    const ticks: (Job['tick'] & object)[] = [];
    const pool = makePool().handle('beat', async (job) => void (job.tick && ticks.push(job.tick)));
    await pool.start();
    const scheduler = new Scheduler({ redis: redisUrl(), namespace: ns, logger: silentLogger, instanceId: 'me', tickHistory: 3 }).register('beat', '@every 200ms');
    cleanups.push(() => scheduler.stop());
    await scheduler.start();
    await waitFor(() => ticks.length, (n) => n >= 4, { what: 'four ticks run' });
    const [entry] = await inspector.periodic();
    expect(entry!.recent).toHaveLength(3); // tickHistory
    expect(entry!.recent[0]!.tick).toBeGreaterThan(entry!.recent[1]!.tick);
    expect(entry).toMatchObject({ name: 'beat', spec: '@every 200ms', paused: false, nextTick: expect.any(Number) });
    expect(entry!.recent[0]).toMatchObject({ firedBy: 'me', jobId: expect.stringMatching(/^tick:beat:/) });
    expect(ticks[0]).toMatchObject({ entry: 'beat', firedBy: 'me', at: expect.any(Date) });

    await inspector.pausePeriodic('beat');
    await waitFor(async () => (await inspector.periodic())[0]!.recent[0], (t) => t?.state === 'skipped' && t.reason === 'paused', { what: 'a paused tick' });
    const manual = await inspector.triggerPeriodic('beat');
    await enq.waitFor(manual, { timeout: '5s' });
    expect(ticks.some((t) => t.firedBy === 'manual')).toBe(true);
    await inspector.resumePeriodic('beat');
    await expect(inspector.pausePeriodic('nope')).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});
