import { Controller, Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Enqueuer,
  Inspector,
  InvalidOptionsError,
  JobHandler,
  RedisUnavailableError,
  Middleware,
  Periodic,
  QueueModule,
  Scheduler,
  WorkerPool,
  silentLogger,
  type Job,
  type Next,
  type QueueModuleOptions,
} from '../../lib/index.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { freePort } from '../helpers/free-port.js';

type FoodArgs = { task: number; food: string };

@Injectable()
class Pantry {
  describe(food: string): string {
    return `One of my favorite foods is ${food}`;
  }
}

/** Records the middleware order; shared by the providers below. */
@Injectable()
class Trail {
  readonly steps: string[] = [];
}

@Injectable()
class FoodJobs {
  constructor(
    private readonly pantry: Pantry,
    private readonly trail: Trail,
  ) {}

  @Middleware()
  async findTask(job: Job, next: Next) {
    this.trail.steps.push(`findTask:${job.name}`);
    return next();
  }

  @JobHandler('food', { maxFails: 4 })
  async food(job: Job<FoodArgs>) {
    this.trail.steps.push('handler');
    return this.pantry.describe(job.args.food); // DI inside a handler, with `this` bound
  }

  @Middleware()
  async log(job: Job, next: Next) {
    this.trail.steps.push('log');
    const result = await next();
    this.trail.steps.push('log:after');
    return result;
  }
}

@Injectable()
class Outer {
  constructor(private readonly trail: Trail) {}

  @Middleware({ order: -1 })
  async first(_job: Job, next: Next) {
    this.trail.steps.push('outer');
    return next();
  }
}

@Controller('food')
class FoodController {
  constructor(readonly enqueuer: Enqueuer) {}

  add(body: FoodArgs) {
    return this.enqueuer.enqueue('food', body);
  }
}

describe('QueueModule', () => {
  const apps: INestApplicationContext[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
  });

  async function boot(imports: unknown[], providers: unknown[] = [], controllers: unknown[] = []) {
    const app = await Test.createTestingModule({
      imports: imports as never[],
      providers: providers as never[],
      controllers: controllers as never[],
    }).compile();
    app.useLogger(false);
    try {
      await app.init();
    } catch (err) {
      await app.close().catch(() => {}); // Nest 11's close() rethrows the failed init
      throw err;
    }
    apps.push(app);
    return app;
  }

  it('forRoot: a job enqueued from a controller runs its handler with middleware in order, and its result is read by id', async () => {
    const namespace = randomNamespace('nest');
    const app = await boot(
      [QueueModule.forRoot({ redis: redisUrl(), namespace, logger: silentLogger })],
      [Pantry, Trail, FoodJobs, Outer],
      [FoodController],
    );
    const job = await app.get(FoodController).add({ task: 1, food: 'GalbiTang' });
    const done = await app.get(Enqueuer).waitFor(job.id, { timeout: '20s' });
    expect(done.state).toBe('completed');
    expect(done.result).toBe('One of my favorite foods is GalbiTang');
    // order: lower `order` first, then declaration order within a class
    expect(app.get(Trail).steps).toEqual(['outer', 'findTask:food', 'log', 'handler', 'log:after']);
    // the Inspector is injectable by class, on the same namespace: it sees the job and this instance's pool
    const inspector = app.get(Inspector);
    expect(inspector.namespace).toBe(namespace);
    expect((await inspector.jobs({ name: 'food', state: 'completed' })).jobs.map((j) => j.id)).toEqual([job.id]);
    expect((await inspector.workers()).map((w) => w.pid)).toEqual([process.pid]);
  });

  it('forRootAsync with useFactory and inject: options come from another provider', async () => {
    const namespace = randomNamespace('nest');
    @Injectable()
    class Config {
      readonly url = redisUrl();
    }
    @Module({ providers: [Config], exports: [Config] })
    class ConfigModule {}
    const app = await boot(
      [
        QueueModule.forRootAsync({
          imports: [ConfigModule],
          inject: [Config],
          useFactory: (c: Config): QueueModuleOptions => ({ redis: c.url, namespace, logger: silentLogger }),
        }),
      ],
      [Pantry, Trail, FoodJobs],
    );
    const enqueuer = app.get(Enqueuer);
    const job = await enqueuer.enqueue('food', { task: 2, food: 'Bibimbap' });
    expect((await enqueuer.waitFor(job.id, { timeout: '20s' })).result).toBe('One of my favorite foods is Bibimbap');
    expect(enqueuer.namespace).toBe(namespace);
  });

  it('forRootAsync with useClass', async () => {
    const namespace = randomNamespace('nest');
    class Options {
      create(): QueueModuleOptions {
        return { redis: redisUrl(), namespace, logger: silentLogger };
      }
    }
    const app = await boot([QueueModule.forRootAsync({ useClass: Options })], [Pantry, Trail, FoodJobs]);
    const job = await app.get(Enqueuer).enqueue('food', { task: 3, food: 'Kimchi' });
    expect((await app.get(Enqueuer).waitFor(job.id, { timeout: '20s' })).state).toBe('completed');
  });

  it('forRootAsync with useExisting reuses a provider from an imported module', async () => {
    const namespace = randomNamespace('nest');
    @Injectable()
    class SharedOptions {
      create(): QueueModuleOptions {
        return { redis: redisUrl(), namespace, logger: silentLogger };
      }
    }
    @Module({ providers: [SharedOptions], exports: [SharedOptions] })
    class SharedModule {}
    const app = await boot([QueueModule.forRootAsync({ imports: [SharedModule], useExisting: SharedOptions })], [Pantry, Trail, FoodJobs]);
    expect(app.get(Enqueuer).namespace).toBe(namespace);
  });

  it('a process with no handlers only enqueues: the job stays queued for a worker elsewhere', async () => {
    const namespace = randomNamespace('nest');
    const app = await boot([QueueModule.forRoot({ redis: redisUrl(), namespace, logger: silentLogger })]);
    const job = await app.get(Enqueuer).enqueue('food', { task: 4, food: 'Japchae' });
    expect((await app.get(Enqueuer).getJob(job.id))?.state).toBe('queued');
    expect(app.get(WorkerPool).activeCount).toBe(0);
    // a worker app picks it up
    const worker = await boot([QueueModule.forRoot({ redis: redisUrl(), namespace, logger: silentLogger })], [Pantry, Trail, FoodJobs]);
    expect((await worker.get(Enqueuer).waitFor(job.id, { timeout: '20s' })).result).toBe('One of my favorite foods is Japchae');
  });

  it('fails to start with RedisUnavailableError when a process with handlers cannot reach Redis; an enqueue-only one starts', async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const options = { redis: nowhere, namespace: randomNamespace('nest'), logger: silentLogger, commandTimeout: 500 };
    await expect(boot([QueueModule.forRoot(options)], [Pantry, Trail, FoodJobs])).rejects.toThrow(RedisUnavailableError);
    const app = await boot([QueueModule.forRoot(options)]);
    await expect(app.get(Enqueuer).enqueue('food', { task: 6, food: 'Mandu' })).rejects.toThrow(RedisUnavailableError);
  });

  it('workers: false keeps a process with handlers from running jobs', async () => {
    const namespace = randomNamespace('nest');
    const app = await boot(
      [QueueModule.forRoot({ redis: redisUrl(), namespace, logger: silentLogger, workers: false })],
      [Pantry, Trail, FoodJobs],
    );
    const job = await app.get(Enqueuer).enqueue('food', { task: 5, food: 'Tteokbokki' });
    const raw = rawClient();
    // the job is still in the ready list after the enqueue reply: nobody claims it
    expect(await raw.lrange(`jobcraft:{${namespace}}:q:food`, 0, -1)).toContain(job.id);
    await raw.quit();
    expect(app.get(Trail).steps).toEqual([]);
  });

  it('@Periodic: each tick enqueues a job the method handles, with id tick:<Class.method>:<tick>, listed by the scheduler', async () => {
    const namespace = randomNamespace('nest');
    const ticks: string[] = [];
    @Injectable()
    class Beat {
      @Periodic('@every 200ms', { args: { title: 'title1' } })
      async logTick(job: Job<{ title: string }>) {
        ticks.push(`${job.id}:${job.args.title}`);
      }
    }
    const app = await boot([QueueModule.forRoot({ redis: redisUrl(), namespace, logger: silentLogger })], [Beat]);
    await waitFor(() => ticks.length, (n) => n >= 2, { what: 'two ticks handled' });
    expect(ticks[0]).toMatch(/^tick:Beat\.logTick:\d+:title1$/);
    const [entry] = await app.get(Scheduler).entries();
    expect(entry).toMatchObject({ name: 'Beat.logTick', spec: '@every 200ms', job: 'Beat.logTick' });
  });

  it.each([
    [{ concurrency: 0 }, /QueueModule\.concurrency/],
    [{ namespace: 'has space' }, /QueueModule\.namespace/],
    [{ workers: 'yes' }, /QueueModule\.workers must be a boolean/],
    [{ concurency: 3 }, /unknown option "concurency"/],
    [{ shutdownTimeout: -1 }, /QueueModule\.shutdownTimeout/],
  ])('rejects bad module options at startup with a typed error naming the field: %j', async (bad, message) => {
    const attempt = boot([QueueModule.forRoot({ redis: redisUrl(), logger: silentLogger, ...(bad as QueueModuleOptions) })]);
    await expect(attempt).rejects.toThrow(InvalidOptionsError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('rejects bad options returned by an async factory', async () => {
    const attempt = boot([QueueModule.forRootAsync({ useFactory: () => ({ redis: redisUrl(), lease: '1ms' }) })]);
    await expect(attempt).rejects.toThrow(/QueueModule\.lease must be at least 300 ms/);
  });
});
