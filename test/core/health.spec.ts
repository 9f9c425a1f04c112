// health() of the WorkerPool and the Scheduler, and the Inspector's cheap reads for health checks (ping,
// oldestQueued), against real Redis: a pool is degraded while its Redis work fails (throwaway server stopped) and
// running again once it is back on the same port; a scheduler whose entries cannot catch up is degraded.
import { Enqueuer, Inspector, Scheduler, WorkerPool, silentLogger, type ComponentHealth } from '../../lib/core/index.js';
import { Keys } from '../../lib/core/redis/keys.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { startRedis, type RedisServer } from '../setup/redis-server.mjs';

const closers: (() => Promise<unknown>)[] = [];
const servers: RedisServer[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const s of servers.splice(0)) await s.stop();
});

describe('WorkerPool.health()', () => {
  it('is new, running, degraded while Redis is away (with the error), running again once it is back, then stopped', async () => {
    const server = await startRedis();
    servers.push(server);
    const pool = new WorkerPool({ redis: server.url, namespace: randomNamespace('health'), logger: silentLogger, lease: 600, commandTimeout: 1000 });
    pool.handle('food', async () => 'ok');
    closers.push(() => pool.stop({ timeout: 1000 }));
    const created = Date.now();
    expect(pool.health()).toMatchObject({ state: 'new' });
    expect(pool.health().since).toBeLessThanOrEqual(created);

    await pool.start();
    const running = pool.health();
    expect(running).toMatchObject({ state: 'running' });
    expect(running.since).toBeGreaterThanOrEqual(created);
    expect(running.lastError).toBeUndefined();

    const port = server.port;
    const stoppedAt = Date.now();
    await server.stop();
    const degraded = await waitFor(() => pool.health(), (h) => h.state === 'degraded', { what: 'the pool degraded' });
    expect(degraded.since).toBeGreaterThanOrEqual(stoppedAt);
    expect(degraded.lastError!.message).toMatch(/Redis/);

    servers.push(await startRedis(port));
    const back = await waitFor(() => pool.health(), (h: ComponentHealth) => h.state === 'running', { what: 'the pool running again', timeout: 30_000 });
    expect(back.since).toBeGreaterThanOrEqual(degraded.since);
    expect(back.lastError).toBeDefined(); // the latest failure is kept, for context

    await pool.stop({ timeout: 1000 });
    expect(pool.health().state).toBe('stopped');
  });

  it('a pool that was never started and is stopped reports stopped', async () => {
    const pool = new WorkerPool({ redis: redisUrl(), namespace: randomNamespace('health'), logger: silentLogger });
    await pool.stop();
    expect(pool.health().state).toBe('stopped');
  });
});

describe('Scheduler.health()', () => {
  it('is degraded while an entry cannot catch up (its state unreadable), running once it can, then stopped', async () => {
    const namespace = randomNamespace('health');
    const r = rawClient();
    closers.push(() => r.quit());
    // the entry's state key holds a string: reading it fails (WRONGTYPE), and the scheduler retries every second
    const entryKey = new Keys(namespace).entry('hourly');
    await r.set(entryKey, 'not a hash');
    const scheduler = new Scheduler({ redis: redisUrl(), namespace, logger: silentLogger }).register('hourly', '@every 1h');
    closers.push(() => scheduler.stop());
    expect(scheduler.health().state).toBe('new');
    await scheduler.start();
    const degraded = await waitFor(() => scheduler.health(), (h) => h.state === 'degraded', { what: 'the scheduler degraded' });
    expect(degraded.lastError!.message).toMatch(/WRONGTYPE/);

    await r.del(entryKey);
    await waitFor(() => scheduler.health(), (h) => h.state === 'running', { what: 'the scheduler running again' });
    await scheduler.stop();
    expect(scheduler.health().state).toBe('stopped');
  });

  it('a scheduler with no entries runs (it has nothing to do)', async () => {
    const scheduler = new Scheduler({ redis: redisUrl(), namespace: randomNamespace('health'), logger: silentLogger });
    closers.push(() => scheduler.stop());
    await scheduler.start();
    expect(scheduler.health()).toMatchObject({ state: 'running' });
  });
});

describe('Inspector reads for health checks', () => {
  it('ping() answers with the round trip; oldestQueued() lists each name’s oldest queued job, longest wait first', async () => {
    const namespace = randomNamespace('health');
    const inspector = new Inspector({ redis: redisUrl(), namespace, logger: silentLogger });
    const enq = new Enqueuer({ redis: redisUrl(), namespace, logger: silentLogger });
    closers.push(() => inspector.close(), () => enq.close());
    expect(await inspector.ping()).toBeGreaterThanOrEqual(0);
    expect(await inspector.oldestQueued()).toEqual([]);

    const first = await enq.enqueue('soup', { n: 1 });
    await enq.enqueue('soup', { n: 2 });
    const later = await enq.enqueue('rice', { n: 3 });
    await enq.enqueue('later', { n: 4 }, { delay: '1h' }); // scheduled, not queued
    const oldest = await inspector.oldestQueued();
    expect(oldest.map((o) => [o.name, o.id]).sort()).toEqual([['rice', later.id], ['soup', first.id]]);
    expect(oldest[0]!.ageMs).toBeGreaterThanOrEqual(oldest[1]!.ageMs);
    expect(oldest.every((o) => o.ageMs >= 0)).toBe(true);
  });
});
