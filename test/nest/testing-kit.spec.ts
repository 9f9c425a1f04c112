// jobcraft/testing in real Nest apps (run on NestJS 11 and 12): a throwaway redis-server, drain (and its timeout
// naming the stuck job), runPeriodicNow through the handler and middleware, and QueueModule.forTest's FakeEnqueuer
// running jobs inline through the app's decorated handlers and middleware, without Redis.
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { connect } from 'node:net';
import {
  DuplicateJobError, Enqueuer, Inspector, InvalidJobError, InvalidOptionsError, JobHandler, Middleware, NonRetryableError, Periodic,
  QueueModule, WorkerPool, silentLogger, type Job, type Next,
} from '../../lib/index.js';
import { createRuntime } from '../../lib/core/index.js';
import { DrainTimeoutError, FakeEnqueuer, drain, runPeriodicNow, startTestRedis, type TestRedis } from '../../lib/testing/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';

/** What the providers below did, in order. */
@Injectable()
class Trail {
  readonly steps: string[] = [];
}

@Injectable()
class Kitchen {
  constructor(private readonly trail: Trail) {}

  @Middleware()
  async around(job: Job, next: Next) {
    this.trail.steps.push(`mw:${job.name}`);
    return next();
  }

  @JobHandler('food')
  async food(job: Job<{ dish: string }>) {
    this.trail.steps.push(`food:${job.args.dish}`);
    return `ate ${job.args.dish}`;
  }

  @Periodic('@yearly', { args: { title: 'annual' } })
  async report(job: Job<{ title: string }>) {
    this.trail.steps.push(`report:${job.args.title}:${job.tick?.firedBy}`);
    return `${job.args.title} report`;
  }
}

describe('jobcraft/testing in a Nest app', () => {
  const apps: INestApplicationContext[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
  });

  async function boot(imports: unknown[], providers: unknown[] = [Trail, Kitchen]) {
    const app = await Test.createTestingModule({ imports: imports as never[], providers: providers as never[] }).compile();
    app.useLogger(false);
    await app.init();
    apps.push(app);
    return app;
  }
  const forRoot = (redis: string, namespace = randomNamespace('kit')) => QueueModule.forRoot({ redis, namespace, logger: silentLogger });

  describe('startTestRedis', () => {
    let server: TestRedis | undefined;
    afterEach(async () => {
      await server?.stop();
    });

    it('starts a redis-server an app can use, and stop() kills it', async () => {
      server = await startTestRedis();
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      const app = await boot([forRoot(server.url)]);
      const job = await app.get(Enqueuer).enqueue('food', { dish: 'GalbiTang' });
      await drain(app);
      expect((await app.get(Enqueuer).getJob(job.id))?.result).toBe('ate GalbiTang');
      const raw = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      expect(Number(/process_id:(\d+)/.exec(await raw.info('server'))![1])).toBe(server.pid);
      raw.disconnect();
      apps.splice(apps.indexOf(app), 1);
      await app.close();
      await server.stop();
      await server.stop(); // idempotent
      const answer = await new Promise<string | undefined>((resolve) => {
        const sock = connect(server!.port, '127.0.0.1');
        sock.on('connect', () => (sock.destroy(), resolve('connected')));
        sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
      });
      expect(answer).toBe('ECONNREFUSED');
    });

    it('says how to install Redis when the server binary is not on PATH', async () => {
      await expect(startTestRedis({ command: 'redis-server-not-installed' })).rejects.toThrow(
        /"redis-server-not-installed" was not found on PATH\. Install Redis 7 or later/,
      );
    });
  });

  describe('drain', () => {
    it('resolves once every job enqueued (and due within dueWithin) has run', async () => {
      const app = await boot([forRoot(redisUrl())]);
      const enqueuer = app.get(Enqueuer);
      for (const dish of ['GalbiTang', 'Bibimbap', 'Japchae']) await enqueuer.enqueue('food', { dish });
      await enqueuer.enqueue('food', { dish: 'Mandu' }, { delay: 300 });
      await drain(app, { timeout: '10s', dueWithin: '5s' });
      expect(app.get(Trail).steps.filter((s) => s.startsWith('food:')).sort()).toEqual(['food:Bibimbap', 'food:GalbiTang', 'food:Japchae', 'food:Mandu']);
      const [food] = (await app.get(Inspector).names()).filter((n) => n.name === 'food');
      expect(food!.counts).toMatchObject({ queued: 0, active: 0, scheduled: 0, retrying: 0, completed: 4 });
    });

    it('times out naming the jobs still runnable: id, name and state', async () => {
      const app = await boot([forRoot(redisUrl())]);
      const stuck = await app.get(Enqueuer).enqueue('nobody-handles-this', { n: 1 });
      const served = await app.get(Enqueuer).enqueue('food', { dish: 'Kimchi' });
      await app.get(Enqueuer).waitFor(served.id, { timeout: '10s' }); // so that only the stuck one is left
      const err = await drain(app, { timeout: 200 }).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(DrainTimeoutError);
      expect((err as DrainTimeoutError).stuck).toEqual([{ id: stuck.id, name: 'nobody-handles-this', state: 'queued' }]);
      expect((err as Error).message).toContain(`${stuck.id} (nobody-handles-this, queued)`);
      expect((err as DrainTimeoutError).code).toBe('WAIT_TIMEOUT');
      // jobs that cannot run now do not count: a paused name's queued job, a job due in an hour
      await app.get(Inspector).pause('nobody-handles-this');
      await app.get(Enqueuer).enqueue('food', { dish: 'later' }, { delay: '1h' });
      await expect(drain(app, { timeout: '10s' })).resolves.toBeUndefined();
    });

    it('takes a core runtime or worker pool too, and refuses an app without a runtime', async () => {
      const runtime = createRuntime({ redis: redisUrl(), namespace: randomNamespace('kit'), logger: silentLogger });
      const seen: number[] = [];
      runtime.pool.handle('count', async (job: Job<{ n: number }>) => void seen.push(job.args.n));
      await runtime.start();
      try {
        await runtime.enqueuer.enqueueMany([1, 2, 3].map((n) => ({ name: 'count', args: { n } })));
        await drain(runtime);
        expect(seen.sort()).toEqual([1, 2, 3]);
        await runtime.enqueuer.enqueue('count', { n: 4 });
        await drain(runtime.pool);
        expect(seen).toContain(4);
      } finally {
        await runtime.close();
      }
      const fakeApp = await boot([QueueModule.forTest()]);
      await expect(drain(fakeApp)).rejects.toThrow(/no jobcraft runtime.*FakeEnqueuer\.runAll/);
    });
  });

  describe('runPeriodicNow', () => {
    it("runs a @Periodic method's job now through its middleware, and returns its id or its finished record", async () => {
      const app = await boot([forRoot(redisUrl())]);
      const info = await runPeriodicNow(app, 'Kitchen.report', { wait: true });
      expect(info).toMatchObject({ state: 'completed', result: 'annual report', tick: { entry: 'Kitchen.report', firedBy: 'manual' } });
      expect(app.get(Trail).steps).toEqual(['mw:Kitchen.report', 'report:annual:manual']);
      const id = await runPeriodicNow(app, 'Kitchen.report');
      expect(id).toMatch(/^tick:Kitchen\.report:manual:\d+$/);
      await expect(app.get(Enqueuer).waitFor(id, { timeout: '10s' })).resolves.toMatchObject({ state: 'completed' });
    });

    it('names the entries the app declares when asked for an unknown one', async () => {
      const app = await boot([forRoot(redisUrl())]);
      await expect(runPeriodicNow(app, 'Kitchen.nope')).rejects.toThrow(InvalidOptionsError);
      await expect(runPeriodicNow(app, 'Kitchen.nope')).rejects.toThrow(/no periodic entry "Kitchen\.nope".*declares: Kitchen\.report/);
    });
  });

  describe('QueueModule.forTest', () => {
    @Injectable()
    class Orders {
      constructor(private readonly enqueuer: Enqueuer) {}
      place(dish: unknown, options?: { delay?: number; unique?: boolean }) {
        return this.enqueuer.enqueue('food', { dish } as never, options);
      }
    }

    @Injectable()
    class Receipts {
      constructor(
        private readonly trail: Trail,
        private readonly enqueuer: Enqueuer,
      ) {}

      @Middleware({ order: -1 })
      async outer(job: Job, next: Next) {
        this.trail.steps.push(`outer:${job.name}`);
        return next();
      }

      // a job enqueued by a handler, run by the same runAll
      @JobHandler('receipt')
      async receipt(job: Job<{ dish: string }>) {
        this.trail.steps.push(`receipt:${job.args.dish}`);
        return 'printed';
      }

      @JobHandler('plate')
      async plate(job: Job<{ dish: string }>) {
        await this.enqueuer.enqueue('receipt', { dish: job.args.dish });
        return 'plated';
      }

      @JobHandler('fail')
      async fail(job: Job<{ retryable: boolean }>) {
        throw job.args.retryable ? new Error('try again') : new NonRetryableError('never');
      }

      @JobHandler('forever')
      async forever() {
        await this.enqueuer.enqueue('forever');
      }
    }

    const bootFake = () => boot([QueueModule.forTest({ namespace: 'unit' })], [Trail, Kitchen, Receipts, Orders]);

    it('provides a FakeEnqueuer as Enqueuer: it records jobs, and runAll runs them inline through middleware and handlers', async () => {
      const app = await bootFake();
      const fake = app.get(FakeEnqueuer);
      expect(app.get(Enqueuer)).toBe(fake);
      expect(fake).toBeInstanceOf(Enqueuer);
      expect(fake.namespace).toBe('unit');
      expect(() => app.get(WorkerPool)).toThrow(); // nothing of the Redis runtime is there

      const orders = app.get(Orders);
      const first = await orders.place('GalbiTang');
      const later = await orders.place('Mandu', { delay: 60_000 });
      await app.get(Enqueuer).enqueue('plate', { dish: 'Bibimbap' });
      expect(fake.jobsNamed('food').map((j) => [j.args, j.state])).toEqual([[{ dish: 'GalbiTang' }, 'queued'], [{ dish: 'Mandu' }, 'scheduled']]);
      expect(fake.jobsNamed('food')[1]).toMatchObject({ options: { delay: 60_000 }, runAt: later.runAt });
      expect(app.get(Trail).steps).toEqual([]); // nothing runs until asked

      const ran = await fake.runAll();
      expect(ran.map((j) => [j.name, j.state, j.result])).toEqual([
        ['food', 'completed', 'ate GalbiTang'],
        ['food', 'completed', 'ate Mandu'],
        ['plate', 'completed', 'plated'],
        ['receipt', 'completed', 'printed'],
      ]);
      expect(app.get(Trail).steps).toEqual([
        'outer:food', 'mw:food', 'food:GalbiTang',
        'outer:food', 'mw:food', 'food:Mandu',
        'outer:plate', 'mw:plate',
        'outer:receipt', 'mw:receipt', 'receipt:Bibimbap',
      ]);
      await expect(fake.waitFor(first.id)).resolves.toMatchObject({ state: 'completed', attempts: 1, result: 'ate GalbiTang' });
      expect(await fake.runAll()).toEqual([]);
      fake.clear();
      expect(fake.jobs).toEqual([]);
    });

    it('refuses bad input with the same InvalidJobError as the real Enqueuer', async () => {
      const app = await bootFake();
      const real = new Enqueuer({ redis: redisUrl(), namespace: randomNamespace('kit'), logger: silentLogger });
      try {
        const bad: [string, unknown, unknown][] = [
          ['food', { when: new Date(0) }, undefined],
          ['has space', null, undefined],
          ['food', { n: 1n }, undefined],
          ['food', null, { delay: 1, runAt: new Date() }],
          ['food', null, { retries: 3 }],
        ];
        for (const [name, args, options] of bad) {
          const fakeError = await app.get(Enqueuer).enqueue(name, args, options as never).catch((e: unknown) => e);
          const realError = await real.enqueue(name, args, options as never).catch((e: unknown) => e);
          expect(fakeError).toBeInstanceOf(InvalidJobError);
          expect((fakeError as Error).message).toBe((realError as Error).message);
        }
        const many = [{ name: 'food', args: { ok: true } }, { name: 'food', args: { f: () => 1 } }];
        const fakeMany = await app.get(Enqueuer).enqueueMany(many as never).catch((e: unknown) => e);
        expect((fakeMany as Error).message).toBe(((await real.enqueueMany(many as never).catch((e: unknown) => e)) as Error).message);
        await expect(app.get(Orders).place(new Map())).rejects.toThrow(InvalidJobError);
        expect(app.get(FakeEnqueuer).jobs).toEqual([]); // nothing recorded
      } finally {
        await real.close();
      }
    });

    it('simulates custom ids and unique keys: refused while the holder is live, free once it finished', async () => {
      const app = await bootFake();
      const fake = app.get(FakeEnqueuer);
      const orders = app.get(Orders);
      const held = await orders.place('Kimchi', { unique: true });
      const refused = await orders.place('Kimchi', { unique: true }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DuplicateJobError);
      expect(refused).toMatchObject({ reason: 'unique', existingId: held.id });
      await fake.enqueue('food', { dish: 'Tteok' }, { id: 'order-42' });
      await expect(fake.enqueue('food', { dish: 'Tteok' }, { id: 'order-42' })).rejects.toMatchObject({ reason: 'id', existingId: 'order-42' });
      await fake.runAll();
      await expect(orders.place('Kimchi', { unique: true })).resolves.toMatchObject({ name: 'food' });
      await expect(fake.enqueue('food', { dish: 'Tteok' }, { id: 'order-42' })).resolves.toMatchObject({ id: 'order-42' });
    });

    it('records failed attempts as a worker would and rethrows them; runAll is bounded', async () => {
      const app = await bootFake();
      const fake = app.get(FakeEnqueuer);
      const retryable = await fake.enqueue('fail', { retryable: true }, { maxFails: 2 });
      await expect(fake.runAll()).rejects.toThrow('try again');
      expect(await fake.getJob(retryable.id)).toMatchObject({ state: 'retrying', attempts: 1, error: { message: 'try again', attempt: 1 } });
      await expect(fake.run(retryable.id)).rejects.toThrow('try again');
      expect(await fake.getJob(retryable.id)).toMatchObject({ state: 'dead', attempts: 2 });
      const never = await fake.enqueue('fail', { retryable: false });
      await expect(fake.run(never.id)).rejects.toThrow(NonRetryableError);
      expect((await fake.getJob(never.id))?.state).toBe('dead');
      const orphan = await fake.enqueue('nobody', null);
      await expect(fake.run(orphan.id)).rejects.toThrow(/no handler is registered for job "nobody"/);
      await fake.enqueue('forever');
      await expect(fake.runAll({ maxJobs: 10 })).rejects.toThrow(/ran 10 jobs and jobs of forever are still waiting/);
    });
  });
});
