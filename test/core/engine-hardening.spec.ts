// Defects found by reading the engine (issue 10): unique keys that outlive their holder, a recover script that could
// abort half-way, an enqueuer whose close cut off a write in flight, and a shutdown that outlived its timeout while
// Redis was down. Each test failed on the code before its fix.
import { DuplicateJobError, Enqueuer, WorkerPool, silentLogger } from '../../lib/core/index.js';
import { resolveConnectionOptions } from '../../lib/core/options.js';
import { JobBroker } from '../../lib/core/redis/job-broker.js';
import { openRedisContext } from '../../lib/core/redis/redis-context.js';
import { nextEvent } from '../helpers/next-event.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTestRedis } from '../../lib/testing/index.js';

/** A broker on its own connections, and how to close them. */
function makeBroker(namespace: string): { broker: JobBroker; close: () => Promise<void> } {
  const ctx = openRedisContext(resolveConnectionOptions({ redis: redisUrl(), namespace, logger: silentLogger }, 'test'));
  return { broker: new JobBroker(ctx), close: () => ctx.conn.close() };
}

describe('engine hardening', () => {
  let ns: string;
  let enq: Enqueuer;
  const cleanups: (() => unknown)[] = [];
  const raw = rawClient();
  beforeEach(() => {
    ns = randomNamespace('engine');
    enq = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    cleanups.push(() => enq.close());
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(() => raw.quit());
  const key = (k: string) => `jobcraft:{${ns}}:${k}`;

  describe('a unique key heals itself', () => {
    it('when its holder record vanished outside the state machine (eviction, a manual DEL)', async () => {
      const first = await enq.enqueue('mail', { to: 'a' }, { uniqueKey: 'welcome-1' });
      await expect(enq.enqueue('mail', { to: 'a' }, { uniqueKey: 'welcome-1' })).rejects.toBeInstanceOf(DuplicateJobError);
      await raw.del(key(`j:${first.id}`));
      const second = await enq.enqueue('mail', { to: 'a' }, { uniqueKey: 'welcome-1' });
      expect(await raw.get(key('u:mail:welcome-1'))).toBe(second.id);
      await expect(enq.enqueue('mail', { to: 'a' }, { uniqueKey: 'welcome-1' })).rejects.toMatchObject({ existingId: second.id });
    });

    it('when its holder finished without releasing it, and in a batch beside jobs it does not concern', async () => {
      const first = await enq.enqueue('mail', null, { unique: true });
      await raw.hset(key(`j:${first.id}`), 's', 'c'); // finished, yet the key still names it
      const [again, other] = await enq.enqueueMany([
        { name: 'mail', args: null, options: { unique: true } },
        { name: 'mail', args: { other: true }, options: { unique: true } },
      ]);
      expect(again).not.toBeInstanceOf(DuplicateJobError);
      expect(other).not.toBeInstanceOf(DuplicateJobError);
    });

    it('when the key itself is corrupt (not a string)', async () => {
      await raw.hset(key('u:mail:k'), 'x', '1');
      const job = await enq.enqueue('mail', null, { uniqueKey: 'k' });
      expect(await raw.get(key('u:mail:k'))).toBe(job.id);
    });
  });

  it('recovers a batch whose record gained a unique key after it was read, without aborting half-way', async () => {
    const { broker, close } = makeBroker(ns);
    cleanups.push(close);
    const a = await enq.enqueue('crash', { n: 1 }, { maxFails: 1 });
    const b = await enq.enqueue('crash', { n: 2 }, { maxFails: 1 });
    const claimed = await broker.claimJobs('t1', 1, 2, [{ name: 'crash', room: 2, cap: 0 }]);
    expect(claimed.names[0]!.ids.sort()).toEqual([a.id, b.id].sort());
    await waitFor(() => broker.findExpired(['crash'], 10), (f) => f.names[0]!.expired.length === 2, { what: 'both leases to expire' });
    // b's record names a unique key that the recoverer's read did not see
    await raw.hset(key(`j:${b.id}`), 'u', key('u:crash:late'));
    await raw.set(key('u:crash:late'), b.id);
    const outcomes = await broker.recoverJobs('crash', { maxFails: 5, retentionMs: 60_000 }, [
      { member: `${a.id}|t1` },
      { member: `${b.id}|t1` },
    ]);
    expect(outcomes).toEqual(['DEAD', 'DEAD']);
    expect(await raw.zcard(key('l:crash'))).toBe(0);
    expect(await raw.hget(key(`j:${b.id}`), 's')).toBe('d');
    // the key it was not given stays; it heals on the next enqueue, since its holder is dead
    expect(await raw.get(key('u:crash:late'))).toBe(b.id);
    const c = await enq.enqueue('crash', null, { uniqueKey: 'late' });
    expect(await raw.get(key('u:crash:late'))).toBe(c.id);
  });

  it('finishes a write already in flight when closed, as its promise to flush pending writes says', async () => {
    const local = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    const pending = local.enqueue('late', { n: 1 });
    await Promise.resolve(); // the batch is handed to Redis on the next microtask; close() comes after it
    await Promise.resolve();
    await local.close();
    const job = await pending;
    expect(await enq.getJob(job.id)).toMatchObject({ state: 'queued', args: { n: 1 } });
  });

  it('stops within its shutdown timeout (plus one command timeout) when Redis is gone and outcomes cannot be recorded', async () => {
    const server = await startTestRedis();
    let stopped = false;
    cleanups.push(() => (stopped ? undefined : server.stop()));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const pool = new WorkerPool({ redis: server.url, namespace: ns, logger: silentLogger, commandTimeout: '500ms' })
      .handle('hold', async () => { await gate; return 'done'; });
    const local = new Enqueuer({ redis: server.url, namespace: ns, logger: silentLogger, commandTimeout: '500ms' });
    cleanups.push(() => local.close());
    await pool.start();
    const active = nextEvent(pool, 'job:active');
    await local.enqueue('hold', null);
    await active;
    await server.stop();
    stopped = true;
    open(); // its completion can no longer be recorded
    const stop = pool.stop({ timeout: '300ms' });
    // a deadline, not a measurement: before the fix the pool retried its acks for about 35 s
    await waitFor(async () => Promise.race([stop.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]), Boolean, {
      timeout: 10_000, what: 'the pool to stop',
    });
  });
});
