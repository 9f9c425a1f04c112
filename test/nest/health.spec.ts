// QueueHealthIndicator (jobcraft/terminus) in real Nest apps with TerminusModule, over HTTP (Express) and through
// HealthCheckService directly, against real Redis: up with details; down (503) with the reason when Redis is taken
// away (a throwaway server, stopped), up again once it is back on the same port; down when a queue's oldest job is
// older than maxQueueAgeMs; workers: false / scheduler: false leave those parts out; down once the app has closed.
import { Controller, Get, Injectable, Query, ServiceUnavailableException, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { Enqueuer, JobHandler, Periodic, QueueModule, silentLogger, type Job, type QueueModuleOptions } from '../../lib/index.js';
import { QueueHealthIndicator, QueueHealthModule, type QueueHealthDetails } from '../../lib/terminus/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { startRedis, type RedisServer } from '../setup/redis-server.mjs';

@Injectable()
class FoodJobs {
  @JobHandler('food')
  async food(job: Job<{ dish: string }>) {
    return `ate ${job.args.dish}`;
  }

  @Periodic('@every 1h', { name: 'hourly-report' })
  async report() {
    return 'reported';
  }
}

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly queue: QueueHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(@Query('maxQueueAgeMs') maxQueueAgeMs?: string) {
    const options = maxQueueAgeMs === undefined ? {} : { maxQueueAgeMs: Number(maxQueueAgeMs) };
    return this.health.check([() => this.queue.isHealthy('jobcraft', options)]);
  }
}

type Details = QueueHealthDetails & { status: 'up' | 'down' };
interface HealthBody {
  status: string;
  info?: { jobcraft?: Details };
  error?: { jobcraft?: Details };
  details: { jobcraft: Details };
}

interface Running {
  app: INestApplication;
  get(query?: string): Promise<{ status: number; body: HealthBody }>;
}

const apps: INestApplication[] = [];
const servers: RedisServer[] = [];
afterEach(async () => {
  for (const app of apps.splice(0).reverse()) await app.close();
  for (const s of servers.splice(0)) await s.stop();
});

/** Boots an app with the health controller; `wiring` says how the indicator is provided. */
async function start(options: QueueModuleOptions, wiring: 'module' | 'provider' = 'module'): Promise<Running> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      QueueModule.forRoot({ logger: silentLogger, lease: 600, commandTimeout: 1000, ...options }),
      TerminusModule,
      ...(wiring === 'module' ? [QueueHealthModule] : []),
    ],
    providers: [FoodJobs, ...(wiring === 'provider' ? [QueueHealthIndicator] : [])],
    controllers: [HealthController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  apps.push(app);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    async get(query = '') {
      const res = await fetch(`${url}/health${query}`);
      return { status: res.status, body: (await res.json()) as HealthBody };
    },
  };
}

describe('QueueHealthIndicator', () => {
  it('is up with details when Redis answers and the pool and the scheduler run', async () => {
    const namespace = randomNamespace('health');
    const { app, get } = await start({ redis: redisUrl(), namespace });
    // the pool reports itself within its first lease renewal (at start)
    const res = await waitFor(() => get(), (r) => r.body.details.jobcraft.workersAlive === 1, { what: 'this pool in the workers list' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    const up = res.body.info!.jobcraft!;
    expect(up).toMatchObject({
      status: 'up',
      workers: { state: 'running', active: 0 },
      scheduler: { state: 'running' },
      workersAlive: 1,
    });
    expect(typeof up.redisLatencyMs).toBe('number');
    expect(up.message).toBeUndefined();
    expect(up.oldestQueued).toBeUndefined();
    expect(Date.parse(up.workers.since!)).not.toBeNaN();

    // a job of a name nobody here handles stays queued: its age shows in the details
    await app.get(Enqueuer).enqueue('nobody-handles-this', { n: 1 });
    const later = await waitFor(() => get(), (r) => r.body.details.jobcraft.oldestQueued !== undefined, { what: 'the queued job in the details' });
    expect(later.status).toBe(200);
    expect(later.body.details.jobcraft.oldestQueued).toMatchObject({ name: 'nobody-handles-this' });
  });

  it('is down (503) with the reason while Redis is away, and up again once it is back on the same port', async () => {
    const server = await startRedis();
    servers.push(server);
    const { get } = await start({ redis: server.url, namespace: randomNamespace('health') });
    expect((await waitFor(() => get(), (r) => r.status === 200, { what: 'up before the outage' })).body.status).toBe('ok');

    const port = server.port;
    await server.stop();
    const down = await get();
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('error');
    expect(down.body.error!.jobcraft!.status).toBe('down');
    expect(down.body.error!.jobcraft!.message).toMatch(/^Redis/);
    expect(down.body.error!.jobcraft!.redisLatencyMs).toBeUndefined();
    // the pool's own loops fail too (its lease renewal runs every third of the lease): it reports itself degraded
    const degraded = await waitFor(() => get(), (r) => r.body.details.jobcraft.workers.state === 'degraded', { what: 'the pool degraded' });
    expect(degraded.status).toBe(503);
    expect(degraded.body.details.jobcraft.message).toMatch(/worker pool degraded since .+/);
    expect(degraded.body.details.jobcraft.workers.lastError?.message).toBeTruthy();

    servers.push(await startRedis(port));
    const up = await waitFor(() => get(), (r) => r.status === 200, { what: 'up again after Redis is back', timeout: 30_000 });
    expect(up.body.info!.jobcraft).toMatchObject({ status: 'up', workers: { state: 'running' }, scheduler: { state: 'running' } });
    expect(up.body.info!.jobcraft!.workers.lastError).toBeDefined(); // the outage is still told, as the latest error
  });

  it('is down when a queue’s oldest job has waited longer than maxQueueAgeMs', async () => {
    const namespace = randomNamespace('health');
    const { app, get } = await start({ redis: redisUrl(), namespace });
    await app.get(Enqueuer).enqueue('nobody-handles-this', { n: 1 });
    const down = await waitFor(() => get('?maxQueueAgeMs=5'), (r) => r.status === 503, { what: 'down once the job is older than 5 ms' });
    expect(down.body.error!.jobcraft!.message).toMatch(/oldest queued "nobody-handles-this" job has waited \d+ ms \(maxQueueAgeMs 5\)/);
    expect(down.body.error!.jobcraft!.oldestQueued!.ageMs).toBeGreaterThan(5);
    // with a limit it stays under, the same queue is healthy
    expect((await get('?maxQueueAgeMs=3600000')).status).toBe(200);

    // called through HealthCheckService directly: it rejects with a 503 carrying the same details
    const health = app.get(HealthCheckService);
    const indicator = app.get(QueueHealthIndicator);
    const error = await health.check([() => indicator.isHealthy('jobcraft', { maxQueueAgeMs: 5 })]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableException);
    expect((error as ServiceUnavailableException).getResponse()).toMatchObject({ status: 'error', error: { jobcraft: { status: 'down' } } });
  });

  it('leaves out what this process does not run (workers: false, scheduler: false), provided as a plain provider', async () => {
    const { get } = await start({ redis: redisUrl(), namespace: randomNamespace('health'), workers: false, scheduler: false }, 'provider');
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.body.info!.jobcraft).toMatchObject({ status: 'up', workers: { state: 'off', active: 0 }, scheduler: { state: 'off' }, workersAlive: 0 });
  });

  it('is down once the app has shut down, naming the stopped pool', async () => {
    const { app } = await start({ redis: redisUrl(), namespace: randomNamespace('health') });
    const indicator = app.get(QueueHealthIndicator);
    expect((await indicator.isHealthy('queue')).queue.status).toBe('up');
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    const after = (await indicator.isHealthy('queue')).queue;
    expect(after.status).toBe('down');
    expect(after.message).toMatch(/worker pool stopped since/);
    expect(after.message).toMatch(/scheduler stopped since/);
  });

  it('refuses bad options', async () => {
    const { app } = await start({ redis: redisUrl(), namespace: randomNamespace('health'), workers: false, scheduler: false });
    const indicator = app.get(QueueHealthIndicator);
    await expect(indicator.isHealthy('q', { timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
    await expect(indicator.isHealthy('q', { maxQueueAgeMs: -1 })).rejects.toThrow(/maxQueueAgeMs/);
    await expect(indicator.isHealthy('q', { retries: 1 } as never)).rejects.toThrow(/unknown option "retries"/);
  });
});
