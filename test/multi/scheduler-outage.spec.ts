// Redis going away under a running scheduler: once it is back, the same Scheduler object fires ticks again (it
// never goes silently idle), and its jobs run. Own redis-server, stopped and restarted on the same port.
import { Scheduler, WorkerPool, type Logger } from '../../lib/core/index.js';
import { randomNamespace } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { startRedis, type RedisServer } from '../setup/redis-server.mjs';

describe('a scheduler through a Redis outage', () => {
  let server: RedisServer;
  const stops: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    server = await startRedis();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await server.stop();
  });

  it.each([
    ['while running', false],
    ['right after start, before any tick', true],
  ])('fires ticks again once Redis is back on the same port (outage %s)', async (_when, downAtStart) => {
    const namespace = randomNamespace('sched-outage');
    const warnings: string[] = [];
    const logger: Logger = { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
    const ran: string[] = [];
    const options = { redis: server.url, namespace, logger, commandTimeout: 1000 };
    const pool = new WorkerPool(options).handle('beat', async (job) => void ran.push(job.id));
    // misfire 'all': a tick fired late on a starved machine still counts (the restarted Redis is empty, so there
    // is no backlog of outage ticks to fire)
    const scheduler = new Scheduler(options).register('beat', '@every 200ms', { misfire: 'all' });
    const fired: number[] = [];
    scheduler.on('tick:fired', (e) => fired.push(e.tick));
    stops.push(() => pool.stop(), () => scheduler.stop());
    await pool.start();
    await scheduler.start();
    if (!downAtStart) await waitFor(() => ran.length, (n) => n >= 2, { what: 'two ticks run before the outage' });

    const port = server.port;
    await server.stop();
    await waitFor(() => warnings.some((w) => w.includes('firing ticks failed')), Boolean, { what: 'the scheduler to notice', timeout: 20_000 });
    const before = fired.length;
    server = await startRedis(port); // empty: the throwaway server keeps no data across restarts

    await waitFor(() => fired.length - before, (n) => n >= 3, { what: '3 ticks fired after the outage', timeout: 30_000 });
    const after = fired.slice(before);
    for (let i = 1; i < after.length; i++) expect(after[i]! - after[i - 1]!).toBe(200); // back on the grid, no gap
    await waitFor(() => ran.filter((id) => after.some((t) => id === `tick:beat:${t}`)).length, (n) => n >= 3, {
      what: 'the ticks after the outage to run',
      timeout: 30_000,
    });
    expect(warnings).toContain('periodic entries: Redis is back, firing ticks again');
  });
});
