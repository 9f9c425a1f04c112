// One throughput sample of one build (a child process of bench/compare/main.ts): enqueues `jobs` jobs (untimed),
// then times one WorkerPool (concurrency 50, retention 0, no-op handler) processing them all, and prints one JSON
// line: jobs per second, this process's CPU per job and the Redis server's CPU per job, both in µs.
// argv: <built core/index.js> <redis url> <jobs>
import { pathToFileURL } from 'node:url';
import { RedisStats } from '../redis-stats.js';

type Core = typeof import('../../lib/core/index.js');

const [entry, url, jobsArg] = process.argv.slice(2);
const jobs = Number(jobsArg);
const core = (await import(pathToFileURL(entry!).href)) as Core;
const namespace = 'compare';

const enqueuer = new core.Enqueuer({ redis: url!, namespace, logger: core.silentLogger });
for (let i = 0; i < jobs; i += 1000) {
  const batch = Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({
    name: 'compare', args: { n: i + j, pad: 'x'.repeat(40) }, options: { retention: 0 },
  }));
  await enqueuer.enqueueMany(batch);
}
await enqueuer.close();

const pool = new core.WorkerPool({ redis: url!, namespace, concurrency: 50, retention: 0, logger: core.silentLogger });
let completed = 0;
const allDone = new Promise<void>((resolve) => {
  pool.on('job:completed', () => {
    if (++completed === jobs) resolve();
  });
});
pool.handle('compare', async () => null);

const stats = new RedisStats(url!);
const redisBefore = await stats.snapshot();
const cpuBefore = process.cpuUsage();
const t0 = performance.now();
await pool.start();
await allDone;
const elapsedMs = performance.now() - t0;
const cpu = process.cpuUsage(cpuBefore);
const redisAfter = await stats.snapshot();
await pool.stop();
await stats.close();

console.log(JSON.stringify({
  perSec: (jobs / elapsedMs) * 1000,
  nodeUsPerJob: (cpu.user + cpu.system) / jobs,
  redisUsPerJob: ((redisAfter.cpuSeconds - redisBefore.cpuSeconds) * 1e6) / jobs,
}));
