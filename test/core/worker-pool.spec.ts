import { Enqueuer, NonRetryableError, WorkerPool, silentLogger, type Job, type WorkerPoolOptions } from '../../lib/core/index.js';
import { nextEvent } from '../helpers/next-event.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

describe('WorkerPool', () => {
  let ns: string;
  let enq: Enqueuer;
  const pools: WorkerPool[] = [];
  beforeEach(() => {
    ns = randomNamespace();
    enq = new Enqueuer({ redis: redisUrl(), namespace: ns });
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.stop({ timeout: 1000 })));
    await enq.close();
  });
  const makePool = (opts: WorkerPoolOptions = {}) => {
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, logger: silentLogger, ...opts });
    pools.push(pool);
    return pool;
  };

  it('runs middleware in the order added around the handler, and stores the result by id', async () => {
    const trace: string[] = [];
    const pool = makePool()
      .use(async (job, next) => { trace.push('log:before'); const r = await next(); trace.push('log:after'); return r; })
      .use(async (job, next) => { trace.push('findTask'); return next(); })
      .handle('food', async (job: Job) => {
        trace.push('handler');
        const a = job.args as { task: number; food: string };
        return `One of my favorite foods is ${a.task}: ${a.food}`;
      });
    await pool.start();
    const job = await enq.enqueue('food', { task: 1, food: 'GalbiTang' });
    const done = await enq.waitFor(job.id, { timeout: '10s' });
    expect(done).toMatchObject({ state: 'completed', attempts: 1, result: 'One of my favorite foods is 1: GalbiTang' });
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt!);
    expect(trace).toEqual(['log:before', 'findTask', 'handler', 'log:after']);
  });

  it('reports wait and run times in its events (for metrics): due to claimed on job:active, handler time on the outcome', async () => {
    const events: { kind: string; waitMs?: number; runMs?: number }[] = [];
    const pool = makePool().handle('slow', async (job: Job) => {
      await new Promise((r) => setTimeout(r, 50));
      if (job.attempt === 1) throw new Error('once');
      if (job.attempt === 2) throw new NonRetryableError('twice');
      return null;
    }, { backoff: () => 0 });
    pool.on('job:active', (e) => events.push({ kind: 'active', waitMs: e.waitMs }));
    pool.on('job:retrying', (e) => events.push({ kind: 'retrying', runMs: e.runMs }));
    pool.on('job:dead', (e) => events.push({ kind: 'dead', runMs: e.runMs }));
    // due 5 s before it is enqueued: counted from due, the wait is over 5 s; counted from enqueue, a few ms
    const job = await enq.enqueue('slow', null, { runAt: new Date(Date.now() - 5000) });
    await pool.start();
    await nextEvent(pool, 'job:dead', (e) => e.id === job.id);
    expect(events.map((e) => e.kind)).toEqual(['active', 'retrying', 'active', 'dead']);
    expect(events[0]!.waitMs).toBeGreaterThanOrEqual(4900);
    expect(events[0]!.waitMs).toBeLessThan(60_000);
    expect(events[1]!.runMs).toBeGreaterThanOrEqual(45);
    expect(events[3]!.runMs).toBeGreaterThanOrEqual(45);
  });

  it('retries a failing job with backoff until maxFails, then moves it to the dead set with the error', async () => {
    const attempts: number[] = [];
    const pool = makePool().handle('flaky', async (job) => {
      attempts.push(job.attempt);
      throw new TypeError(`nope ${job.attempt}`);
    }, { maxFails: 3, backoff: { type: 'fixed', delay: 10 } });
    await pool.start();
    const job = await enq.enqueue('flaky', {});
    const dead = await enq.waitFor(job.id, { timeout: '10s' });
    expect(dead).toMatchObject({ state: 'dead', attempts: 3, error: { name: 'TypeError', message: 'nope 3', attempt: 3 } });
    expect(dead.error?.stack).toMatch(/TypeError: nope 3/);
    expect(attempts).toEqual([1, 2, 3]);
    const r = rawClient();
    expect(await r.zscore(`jobcraft:{${ns}}:d:${job.name}`, job.id)).not.toBeNull();
    await r.quit();
  });

  it('a job that fails then succeeds is completed, keeping the last error', async () => {
    const pool = makePool().handle('flaky', async (job) => {
      if (job.attempt < 2) throw new Error('first time');
      return 'second time';
    }, { backoff: { type: 'fixed', delay: 5 } });
    const retrying = nextEvent(pool, 'job:retrying');
    await pool.start();
    const job = await enq.enqueue('flaky', null);
    expect(await retrying).toMatchObject({ id: job.id, attempt: 1, delayMs: 5 });
    expect(await enq.waitFor(job.id, { timeout: '10s' })).toMatchObject({ state: 'completed', attempts: 2, result: 'second time', error: { message: 'first time' } });
  });

  it('sends a job that throws NonRetryableError straight to dead', async () => {
    let calls = 0;
    const pool = makePool().handle('x', async () => {
      calls++;
      throw new NonRetryableError('bad input');
    }, { maxFails: 10 });
    await pool.start();
    const job = await enq.enqueue('x', null);
    expect(await enq.waitFor(job.id, { timeout: '10s' })).toMatchObject({ state: 'dead', attempts: 1, error: { name: 'NonRetryableError', message: 'bad input' } });
    expect(calls).toBe(1);
  });

  it('aborts the signal and fails the attempt when a job exceeds its timeout', async () => {
    let reason: unknown;
    const pool = makePool().handle('hang', (job) => new Promise((_, reject) => {
      job.signal.addEventListener('abort', () => { reason = job.signal.reason; reject(job.signal.reason); });
    }), { maxFails: 1 });
    await pool.start();
    const job = await enq.enqueue('hang', null, { timeout: 30 });
    expect(await enq.waitFor(job.id, { timeout: '10s' })).toMatchObject({ state: 'dead', error: { name: 'JobTimeoutError' } });
    expect(reason).toMatchObject({ code: 'JOB_TIMEOUT' });
  });

  it('runs delayed jobs in due order, not enqueue order', async () => {
    const order: number[] = [];
    const pool = makePool({ concurrency: 1 }).handle('later', async (job) => { order.push((job.args as { n: number }).n); });
    await pool.start();
    // Every delay is positive, so every job waits in the schedule and due order is the only order. (With a 0,
    // that job went to the ready list, and if the pool claimed after the 100 ms job was due, e.g. after a GC
    // pause, it took the due scheduled job first: an order the pool does not promise between the two queues.)
    const delays = [400, 100, 300, 50, 200];
    const jobs = await Promise.all(delays.map((d, n) => enq.enqueue('later', { n }, { delay: d })));
    for (const j of jobs) await enq.waitFor(j.id, { timeout: '10s' });
    expect(order).toEqual([3, 1, 4, 2, 0]);
  });

  it('runs prioritised jobs before plain ones, higher first', async () => {
    const order: string[] = [];
    for (const [tag, priority] of [['plain1', undefined], ['low', 1], ['high', 9], ['plain2', undefined], ['mid', 5]] as const) {
      await enq.enqueue('p', { tag }, priority ? { priority } : {});
    }
    const pool = makePool({ concurrency: 1 }).handle('p', async (job) => { order.push((job.args as { tag: string }).tag); });
    await pool.start();
    await waitFor(() => order.length, (n) => n === 5, { what: '5 jobs run' });
    expect(order).toEqual(['high', 'mid', 'low', 'plain1', 'plain2']);
  });

  it('never takes jobs it has no handler for', async () => {
    const pool = makePool().handle('mine', async () => 'ok');
    await pool.start();
    const other = await enq.enqueue('theirs', null);
    const mine = await enq.enqueue('mine', null);
    await enq.waitFor(mine.id, { timeout: '10s' });
    expect((await enq.getJob(other.id))?.state).toBe('queued');
  });

  it('keeps a per-name concurrency cap across two pools', async () => {
    let running = 0;
    let peak = 0;
    const handler = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 5));
      running--;
    };
    const a = makePool({ concurrency: 10 }).handle('capped', handler, { concurrency: 2 });
    const b = makePool({ concurrency: 10 }).handle('capped', handler, { concurrency: 2 });
    const jobs = await enq.enqueueMany(Array.from({ length: 30 }, (_, i) => ({ name: 'capped', args: { i } })));
    await Promise.all([a.start(), b.start()]);
    for (const j of jobs) await enq.waitFor((j as { id: string }).id, { timeout: '20s' });
    expect(peak).toBe(2);
  });

  it('moves a corrupt record to the dead set with the reason and keeps running', async () => {
    const dead: string[] = [];
    const pool = makePool().handle('food', async () => 'fine');
    pool.on('job:dead', (e) => dead.push(e.error.message));
    await pool.start();
    const r = rawClient();
    const prefix = `jobcraft:{${ns}}:`;
    // bad JSON args, missing fields, and a key of the wrong type
    await r.hset(`${prefix}j:bad-json`, { n: 'food', a: '{nope', t: '1', s: 'q' });
    await r.hset(`${prefix}j:no-name`, { a: '{}', t: '1', s: 'q' });
    await r.set(`${prefix}j:not-a-hash`, 'garbage');
    await r.lpush(`${prefix}q:food`, 'bad-json', 'no-name', 'not-a-hash');
    await r.zadd(`${prefix}m:food`, 0, '0');
    await waitFor(() => dead.length, (n) => n === 3, { what: '3 corrupt jobs buried' });
    expect(dead.join('\n')).toMatch(/bad-json.*args/);
    expect(dead.join('\n')).toMatch(/no-name.*name/);
    expect(dead.join('\n')).toMatch(/not-a-hash.*not a hash/);
    expect(await enq.getJob('bad-json')).toMatchObject({ state: 'dead', error: { name: 'CorruptJobError' } });
    expect(await r.zcard(`${prefix}d:food`)).toBe(3); // the dead index of the name
    await r.quit();
    const ok = await enq.enqueue('food', null);
    expect(await enq.waitFor(ok.id, { timeout: '10s' })).toMatchObject({ state: 'completed', result: 'fine' });
  });

  it('stores progress readable while the job runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const pool = makePool().handle('long', async (job) => { await job.progress({ pct: 40 }); await gate; return 'done'; });
    await pool.start();
    const job = await enq.enqueue('long', null);
    const seen = await waitFor(() => enq.getJob(job.id), (i) => i?.progress !== undefined, { what: 'progress' });
    expect(seen).toMatchObject({ state: 'active', progress: { pct: 40 }, attempts: 1 });
    release();
    expect(await enq.waitFor(job.id, { timeout: '10s' })).toMatchObject({ state: 'completed', progress: { pct: 40 } });
  });

  it('deletes the record at once with retention 0 and keeps it otherwise', async () => {
    const pool = makePool({ retention: 0 }).handle('x', async () => 1);
    const completed: string[] = [];
    pool.on('job:completed', (e) => completed.push(e.id));
    await pool.start();
    const gone = await enq.enqueue('x', null);
    const kept = await enq.enqueue('x', null, { retention: '1h' });
    await waitFor(() => completed.length, (n) => n === 2, { what: '2 completions' });
    await waitFor(() => enq.getJob(gone.id), (i) => i === null, { what: 'record deleted' });
    expect(await enq.getJob(kept.id)).toMatchObject({ state: 'completed', result: 1 });
    const r = rawClient();
    const ttl = await r.pttl(`jobcraft:{${ns}}:j:${kept.id}`);
    await r.quit();
    expect(ttl).toBeGreaterThan(3_000_000);
  });
});
