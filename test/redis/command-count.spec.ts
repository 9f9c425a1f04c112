// Counts what one job costs Redis end to end (enqueue + claim + start + ack), from INFO commandstats on a Redis
// of its own: every command, including the ones run inside scripts. Target: ≤ 6 per job.
import { Redis } from 'ioredis';
import { Enqueuer, WorkerPool, silentLogger } from '../../lib/core/index.js';
import { startTestRedis, type TestRedis } from '../../lib/testing/index.js';
import { waitFor } from '../helpers/wait-for.js';

/** Commands of connection setup and of this measurement, not of job processing. */
const SETUP = new Set(['hello', 'info', 'config|resetstat', 'config', 'client|setname', 'client', 'ping', 'quit', 'select', 'ssubscribe']);

async function commandStats(r: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await r.info('commandstats')).split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m && !SETUP.has(m[1]!)) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

describe('Redis cost per job', () => {
  let server: TestRedis;
  beforeAll(async () => {
    server = await startTestRedis();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('stays within 6 commands per job end to end (enqueue, claim, start, ack)', async () => {
    const N = 3000;
    const ns = 'count';
    const raw = new Redis(server.url);
    const enq = new Enqueuer({ redis: server.url, namespace: ns });
    const pool = new WorkerPool({ redis: server.url, namespace: ns, concurrency: 50, retention: 0, logger: silentLogger });
    let done = 0;
    pool.handle('noop', async () => null);
    pool.on('job:completed', () => done++);
    await pool.start();
    await enq.enqueue('warmup', null); // connections and script loading out of the way
    await raw.config('RESETSTAT');
    // one call per job, up to 200 in flight
    let next = 0;
    await Promise.all(Array.from({ length: 200 }, async () => {
      while (next < N) {
        next++;
        await enq.enqueue('noop', { user: 'u-123', action: 'resize', path: '/images/2026/11/photo-000123.jpg' });
      }
    }));
    await waitFor(() => done, (d) => d === N, { timeout: 30_000, what: `${N} jobs done` });
    await pool.stop();
    await enq.close();
    const stats = await commandStats(raw);
    await raw.quit();
    const total = [...stats.values()].reduce((a, b) => a + b, 0);
    const perJob = total / N;
    const top = [...stats].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c}=${(n / N).toFixed(2)}`).join(' ');
    console.log(`Redis commands per job: ${perJob.toFixed(2)} (${top})`);
    expect(perJob).toBeLessThanOrEqual(6);
  });
});
