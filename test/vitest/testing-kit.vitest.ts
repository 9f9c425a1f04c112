// jobcraft/testing under Vitest, on NestJS 12 (ESM): what a Vitest user writes, as the README shows it. Run by
// `node node_modules/vitest/vitest.mjs run --config vitest.config.mts`, which test/e2e/vitest-kit.spec.ts does.
// It needs no jest global setup: it starts its own redis-server with startTestRedis.
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Enqueuer, InvalidJobError, JobHandler, Middleware, Periodic, QueueModule, silentLogger, type Job, type Next } from '../../lib/index.js';
import { FakeEnqueuer, drain, runPeriodicNow, startTestRedis, type TestRedis } from '../../lib/testing/index.js';

@Injectable()
class Kitchen {
  readonly served: string[] = [];

  @Middleware()
  async log(job: Job, next: Next) {
    this.served.push(`log:${job.name}`);
    return next();
  }

  @JobHandler('food')
  async food(job: Job<{ dish: string }>) {
    this.served.push(job.args.dish);
    return `ate ${job.args.dish}`;
  }

  @Periodic('0 3 * * *')
  async nightly(job: Job) {
    return `report (${job.tick?.firedBy})`;
  }
}

@Injectable()
class Orders {
  constructor(private readonly enqueuer: Enqueuer) {}
  place(dish: unknown) {
    return this.enqueuer.enqueue('food', { dish } as never);
  }
}

describe('jobcraft/testing on Vitest', () => {
  let redis: TestRedis;
  const apps: INestApplicationContext[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(async () => {
    await redis.stop();
  });

  async function boot(queue: unknown) {
    const app = await Test.createTestingModule({ imports: [queue as never], providers: [Kitchen, Orders] }).compile();
    app.useLogger(false);
    await app.init();
    apps.push(app);
    return app;
  }

  it('drain waits for the jobs an app enqueued to run', async () => {
    const app = await boot(QueueModule.forRoot({ redis: redis.url, namespace: 'vitest', logger: silentLogger }));
    await app.get(Orders).place('GalbiTang');
    await app.get(Orders).place('Bibimbap');
    await drain(app, { timeout: '10s' });
    expect(app.get(Kitchen).served).toEqual(['log:food', 'GalbiTang', 'log:food', 'Bibimbap']);
  });

  it("runPeriodicNow runs a @Periodic method's job now, through the middleware", async () => {
    const app = await boot(QueueModule.forRoot({ redis: redis.url, namespace: 'vitest-cron', logger: silentLogger }));
    const info = await runPeriodicNow(app, 'Kitchen.nightly', { wait: true });
    expect(info).toMatchObject({ state: 'completed', result: 'report (manual)' });
    expect(app.get(Kitchen).served).toEqual(['log:Kitchen.nightly']);
  });

  it('QueueModule.forTest records jobs in memory and runs them inline, without Redis', async () => {
    const app = await boot(QueueModule.forTest());
    const fake = app.get(FakeEnqueuer);
    await app.get(Orders).place('Japchae');
    expect(fake.jobsNamed('food').map((j) => j.args)).toEqual([{ dish: 'Japchae' }]);
    await fake.runAll();
    expect(fake.jobs.map((j) => [j.state, j.result])).toEqual([['completed', 'ate Japchae']]);
    expect(app.get(Kitchen).served).toEqual(['log:food', 'Japchae']);
    await expect(app.get(Orders).place(new Date())).rejects.toThrow(InvalidJobError);
  });
});
