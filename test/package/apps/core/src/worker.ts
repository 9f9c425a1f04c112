// A core-only worker (no Nest installed): runs `analyze` jobs, prints READY once it takes jobs, drains on SIGTERM.
import { NonRetryableError, WorkerPool, type Job } from 'jobcraft/core';

interface AnalyzeArgs {
  text: string;
}

async function main(): Promise<void> {
  const pool = new WorkerPool({ redis: process.env.REDIS_URL, namespace: process.env.JOBCRAFT_NAMESPACE, concurrency: 2 });
  pool.use(async (job, next) => {
    const result = await next();
    return job.name === 'analyze' ? { ...(result as object), wrapped: true } : result;
  });
  pool.handle<AnalyzeArgs>('analyze', async (job: Job<AnalyzeArgs>) => {
    if (typeof job.args.text !== 'string') throw new NonRetryableError('text must be a string');
    await job.progress(50);
    const words = job.args.text.split(/\s+/).filter(Boolean);
    return { words: words.length, longest: words.reduce((a, b) => (b.length > a.length ? b : a), ''), pid: process.pid };
  }, { maxFails: 2, timeout: '30s' });
  pool.on('job:completed', (e) => console.log(`COMPLETED ${e.id}`));
  process.once('SIGTERM', () => {
    void pool.stop({ timeout: '5s' }).then(() => process.exit(0));
  });
  await pool.start();
  console.log('READY');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
