// Defects found by reading the pool (issue 10), each pinned by a test that failed on the code before the fix.
// Faults are injected by wrapping a method of the real broker (asynq's testbroker idea), never by mocking Redis.
import { Enqueuer, RedisUnavailableError, WorkerPool, silentLogger, type WorkerPoolEvents, type WorkerPoolOptions } from '../../lib/core/index.js';
import { JobBroker } from '../../lib/core/redis/job-broker.js';
import { nextEvent } from '../helpers/next-event.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

type Method = 'claimJobs' | 'startJobs';

/** Wraps a JobBroker method for the duration of a test; `before` runs ahead of each call and may throw. */
function wrapBroker(method: Method, before: () => void): { calls: () => number; restore: () => void } {
  const proto = JobBroker.prototype as unknown as Record<Method, (...args: unknown[]) => Promise<unknown>>;
  const original = proto[method];
  let calls = 0;
  proto[method] = function (this: unknown, ...args: unknown[]) {
    calls++;
    before();
    return original.apply(this, args);
  };
  return { calls: () => calls, restore: () => (proto[method] = original) };
}

describe('WorkerPool hardening', () => {
  let ns: string;
  let enq: Enqueuer;
  const cleanups: (() => unknown)[] = [];
  beforeEach(() => {
    ns = randomNamespace('harden');
    enq = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await enq.close();
  });
  const makePool = (opts: WorkerPoolOptions = {}) => {
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, logger: silentLogger, ...opts });
    cleanups.push(() => pool.stop({ timeout: 1000 }));
    return pool;
  };
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('gives a handler with a 30-day timeout its time (Node would fire a timer past 24.8 days after 1 ms)', async () => {
    const pool = makePool().handle('slow', async () => {
      await pause(30);
      return 'finished';
    }, { timeout: '30d' });
    await pool.start();
    const job = await enq.enqueue('slow', null);
    expect(await enq.waitFor(job.id, { timeout: '10s' })).toMatchObject({ state: 'completed', attempts: 1, result: 'finished' });
    const perJob = await enq.enqueue('slow', null, { timeout: '40d' });
    expect(await enq.waitFor(perJob.id, { timeout: '10s' })).toMatchObject({ state: 'completed', attempts: 1 });
  });

  it('does not spin claiming when the earliest due job is 30 days away', async () => {
    const claims = wrapBroker('claimJobs', () => {});
    cleanups.push(claims.restore);
    const pool = makePool().handle('work', async () => {
      await pause(20);
      return null;
    });
    await enq.enqueue('work', null, { delay: '30d' });
    await pool.start();
    const start = claims.calls();
    // three jobs one after another: with the due timer firing every millisecond, that is ~100 claims, else a few per job
    for (let i = 0; i < 3; i++) {
      const job = await enq.enqueue('work', { i });
      await enq.waitFor(job.id, { timeout: '10s' });
    }
    expect(claims.calls() - start).toBeLessThan(30);
    const raw = rawClient();
    cleanups.push(() => raw.quit());
    const [delayed] = await raw.zrange(`jobcraft:{${ns}}:z:work`, '0', '0');
    expect(await enq.getJob(delayed!)).toMatchObject({ state: 'scheduled' });
  });

  it('keeps claiming after starting a full batch fails (a connection dropped between the two round trips)', async () => {
    let failNext = false;
    const start = wrapBroker('startJobs', () => {
      if (!failNext) return;
      failNext = false;
      throw new RedisUnavailableError('start-jobs', new Error('Connection closed with the call in flight'));
    });
    cleanups.push(start.restore);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const pool = makePool({ concurrency: 1, lease: 500 }).handle('busy', async (job) => {
      if ((job.args as { n: number }).n === 0) await gate;
      return job.args;
    });
    await pool.start();
    // a busy pool (its one slot taken by a full batch) waits for the slot instead of blocking on Redis
    const first = await enq.enqueue('busy', { n: 0 });
    await nextEvent(pool, 'job:active', (e) => e.id === first.id);
    const jobs = await Promise.all([1, 2].map((n) => enq.enqueue('busy', { n })));
    // the claim that follows the first job's completion gets its batch, and starting it fails
    failNext = true;
    open();
    // that job comes back when its lease expires; neither it nor the next may wait for a restart
    const done = await Promise.all([first, ...jobs].map((j) => enq.waitFor(j.id, { timeout: '15s' })));
    expect(done.map((d) => d.state)).toEqual(['completed', 'completed', 'completed']);
    expect(failNext).toBe(false);
  });

  it('announces a completion whose lease was lost as job:lost (attempt 1), never as job:completed', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const pool = makePool({ lease: 30_000 }).handle('gated', async (job) => {
      if ((job.args as { gated: boolean }).gated) await gate;
      return 'done here';
    });
    const completed: WorkerPoolEvents['job:completed'][] = [];
    pool.on('job:completed', (e) => completed.push(e));
    await pool.start();
    const job = await enq.enqueue('gated', { gated: true });
    await nextEvent(pool, 'job:active', (e) => e.id === job.id);
    // another worker took the job over: its lease member is gone from the lease zset
    const raw = rawClient();
    cleanups.push(() => raw.quit());
    const leaseKey = `jobcraft:{${ns}}:l:gated`;
    const [member] = await raw.zrange(leaseKey, '0', '-1');
    await raw.zrem(leaseKey, member!);
    const lost = nextEvent(pool, 'job:lost', (e) => e.id === job.id);
    open();
    expect(await lost).toEqual({ id: job.id, name: 'gated', attempt: 1 });
    // a later job's completion is announced after anything the first flush would have emitted
    const later = await enq.enqueue('gated', { gated: false });
    await nextEvent(pool, 'job:completed', (e) => e.id === later.id);
    expect(completed.map((e) => e.id)).toEqual([later.id]);
    expect(await enq.getJob(job.id)).toMatchObject({ state: 'active' }); // nothing recorded by the loser
  });

  it('emits no outcome event while recording it fails, and emits it once it is recorded', async () => {
    const pool = makePool().handle('echo', async (job) => job.args);
    const seen: string[] = [];
    pool.on('job:completed', (e) => seen.push(e.id));
    await pool.start();
    const proto = JobBroker.prototype as unknown as { completeJobs: (...a: unknown[]) => Promise<unknown> };
    const original = proto.completeJobs;
    let failures = 0;
    proto.completeJobs = function (this: unknown, ...a: unknown[]) {
      if (failures < 2) {
        failures++;
        return Promise.reject(new RedisUnavailableError('complete-jobs', new Error('down')));
      }
      return original.apply(this, a);
    };
    cleanups.push(() => (proto.completeJobs = original));
    const job = await enq.enqueue('echo', { n: 1 });
    await waitFor(() => failures, (n) => n >= 1, { what: 'a failed recording' });
    expect(seen).toEqual([]);
    await enq.waitFor(job.id, { timeout: '10s' });
    await waitFor(() => seen, (s) => s.length > 0, { what: 'the completion event' });
    expect(seen).toEqual([job.id]);
  });
});
