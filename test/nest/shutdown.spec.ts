import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Enqueuer, JobHandler, QueueModule, WorkerPool, silentLogger, type Job } from '../../lib/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

describe('graceful shutdown', () => {
  const apps: TestingModule[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
  });

  async function boot(namespace: string, Jobs: new (...args: never[]) => object, shutdownTimeout = 200) {
    const app = await Test.createTestingModule({
      imports: [QueueModule.forRoot({ redis: redisUrl(), namespace, logger: silentLogger, shutdownTimeout })],
      providers: [Jobs],
    }).compile();
    app.useLogger(false);
    apps.push(app);
    await app.init();
    return app;
  }

  it('hands a job still running after shutdownTimeout back to the queue, and another instance finishes it', async () => {
    const namespace = randomNamespace('nest-stop');
    const seen: { by: string; attempt: number; aborted?: string }[] = [];
    @Injectable()
    class Stuck {
      @JobHandler('analyze')
      async analyze(job: Job) {
        seen.push({ by: 'first', attempt: job.attempt });
        // runs until the shutdown aborts it
        await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve(), { once: true }));
        seen[0]!.aborted = String((job.signal.reason as Error).message);
        throw job.signal.reason;
      }
    }
    @Injectable()
    class Quick {
      @JobHandler('analyze')
      async analyze(job: Job) {
        seen.push({ by: 'second', attempt: job.attempt });
        return 'analysed';
      }
    }
    const first = await boot(namespace, Stuck);
    const job = await first.get(Enqueuer).enqueue('analyze', { file: 'big.txt' });
    await waitFor(() => seen.length, (n) => n === 1, { what: 'the first instance running the job' });

    const closing = first.close(); // app.close(): the pool stops taking jobs, waits 200 ms, hands the job back
    apps.splice(apps.indexOf(first), 1);
    await closing;
    expect(seen[0]!.aborted).toMatch(/shutting down/);
    expect(first.get(WorkerPool).activeCount).toBe(0);

    const second = await boot(namespace, Quick);
    const done = await second.get(Enqueuer).waitFor(job.id, { timeout: '20s' });
    expect(done).toMatchObject({ state: 'completed', result: 'analysed' });
    expect(seen.map((s) => s.by)).toEqual(['first', 'second']);
    expect(done.error).toBeUndefined(); // handed back, not failed: no error recorded
  });

  it('app.close() lets a running job finish within shutdownTimeout and records its result before it resolves', async () => {
    const namespace = randomNamespace('nest-stop');
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    @Injectable()
    class Brief {
      @JobHandler('food')
      async food(_job: Job) {
        started();
        await gate; // still running when the shutdown begins
        return 'served';
      }
    }
    const app = await boot(namespace, Brief, 30_000);
    const enqueuer = new Enqueuer({ redis: redisUrl(), namespace, logger: silentLogger });
    const job = await enqueuer.enqueue('food', null);
    await running;
    apps.splice(apps.indexOf(app), 1);
    const closing = app.close();
    finish();
    await closing;
    expect(await enqueuer.getJob(job.id)).toMatchObject({ state: 'completed', result: 'served' });
    await enqueuer.close();
  });
});
