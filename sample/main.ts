// jobcraft core demo (no Nest yet; the Nest sample app comes with the QueueModule).
// The story: a "request" enqueues a file analysis and leaves at once with the job id; a worker pool runs it in
// the background with progress; later, a different Enqueuer (think: another instance) fetches the result by id.
import { Enqueuer, WorkerPool, type Job } from '../lib/core/index.js'; // the package's public entry (jobcraft/core), from source
import { analyzeText, type Analysis } from './analyze.js';
import { resolveRedisUrl } from './redis-url.js';

const redis = await resolveRedisUrl();
const namespace = 'bowl';

// --- the worker side --------------------------------------------------------------------------------------
const pool = new WorkerPool({ redis, namespace, concurrency: 10 });
let task = 0;
pool.use(async (job, next) => { // findTask: decorate every job with a sequence number
  task++;
  return next();
});
pool.use(async (job, next) => { // log: time every job
  const started = Date.now();
  const result = await next();
  console.log(`  [worker] ${job.name} ${job.id} attempt ${job.attempt} done in ${Date.now() - started} ms (task #${task})`);
  return result;
});
pool.handle('food', async (job: Job) => {
  const { task: n, food } = job.args as { task: number; food: string };
  return `One of my favorite foods is ${n}: ${food}`;
}, { maxFails: 4, concurrency: 5, timeout: '1m' });
pool.handle('analyze', async (job: Job): Promise<Analysis> => {
  const { text } = job.args as { text: string };
  let last = -10;
  return analyzeText(text, async (pct) => {
    if (pct - last >= 10) { last = pct; await job.progress(pct); }
  }, job.signal);
}, { timeout: '10m' });
await pool.start();

// --- the web side -----------------------------------------------------------------------------------------
const web = new Enqueuer({ redis, namespace });
// job args are capped at 1 MiB of JSON; bigger uploads belong in a blob store, with a reference in the args
const text = Array.from({ length: 14_000 }, (_, i) => `line ${i} the quick brown fox jumps over the lazy dog ${i % 97}`).join('\n');
const upload = await web.enqueue('analyze', { text }, { retention: '7d' });
console.log(`POST /analyses -> 202 { id: "${upload.id}" }   (the request is over; the analysis goes on)`);
const food = await web.enqueue('food', { task: 1, food: 'GalbiTang' });
console.log(`POST /food     -> 202 { id: "${food.id}" }`);

// --- later, from "another instance" ------------------------------------------------------------------------
const other = new Enqueuer({ redis, namespace });
let info = await other.getJob(upload.id);
while (info && info.state !== 'completed' && info.state !== 'dead') {
  console.log(`GET /analyses/${upload.id} -> ${info.state}${info.progress !== undefined ? `, ${String(info.progress)}%` : ''}`);
  await new Promise((r) => setTimeout(r, 200));
  info = await other.getJob(upload.id);
}
const result = info?.result as unknown as Analysis | undefined;
console.log(`GET /analyses/${upload.id} -> ${info?.state}: ${result?.lines} lines, ${result?.words} words, sha256 ${result?.sha256.slice(0, 16)}..., top word "${result?.topWords[0]?.word}"`);
console.log(`GET /food/${food.id} ->`, (await other.waitFor(food.id, { timeout: '10s' })).result);

await pool.stop({ timeout: '10s' });
await Promise.all([web.close(), other.close()]);
console.log('done: results stay readable by id for their retention (default 24 h).');
