// The Nest module's `metrics` option (NestJS 11 CJS and 12 ESM): metrics on a given registry or on prom-client's
// global one, fed by the module's pool and read from its inspector, unregistered when the app closes, the option
// validated at bootstrap, and prom-client loaded only when the option is on.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { register as globalRegistry, Registry } from 'prom-client';
import { Enqueuer, InvalidOptionsError, JobHandler, QueueModule, WorkerPool, silentLogger, type Job, type QueueModuleOptions } from '../../lib/index.js';
import { nextEvent } from '../helpers/next-event.js';
import { sampleValue } from '../helpers/prom-text.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';

declare const EXPECTED_NEST_MAJOR: number;

@Injectable()
class FoodJobs {
  @JobHandler('food')
  async food(job: Job<{ food: string }>) {
    return `One of my favorite foods is ${job.args.food}`;
  }
}

const METRIC = 'jobcraft_jobs_completed_total';

describe('QueueModule metrics option', () => {
  const apps: INestApplicationContext[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
    // a failed test must not leave jobcraft's metrics on the global registry for the next one
    for (const m of globalRegistry.getMetricsAsArray()) if (m.name.startsWith('jobcraft_')) globalRegistry.removeSingleMetric(m.name);
  });
  const boot = async (metrics: QueueModuleOptions['metrics']) => {
    const moduleRef = await Test.createTestingModule({
      imports: [QueueModule.forRoot({ redis: redisUrl(), namespace: randomNamespace('nest-metrics'), logger: silentLogger, metrics })],
      providers: [FoodJobs],
    }).compile();
    const app = await moduleRef.init();
    apps.push(app);
    return app;
  };
  /** Runs one 'food' job through the app and waits until its outcome is recorded. */
  const runFood = async (app: INestApplicationContext) => {
    const done = nextEvent(app.get(WorkerPool), 'job:completed', (e) => e.name === 'food');
    await app.get(Enqueuer).enqueue('food', { food: 'GalbiTang' });
    await done;
  };

  it('registers the metrics on the given registry, fed by the module pool and its inspector, and unregisters them on close', async () => {
    const registry = new Registry();
    const app = await boot({ registry, buckets: { duration: [0.25, 5] } });
    await runFood(app);
    const text = await registry.metrics();
    expect(sampleValue(text, METRIC, { name: 'food' })).toBe(1);
    expect(sampleValue(text, 'jobcraft_job_duration_seconds_bucket', { name: 'food', outcome: 'completed', le: '5' })).toBe(1);
    expect(sampleValue(text, 'jobcraft_job_wait_seconds_count', { name: 'food' })).toBe(1);
    expect(sampleValue(text, 'jobcraft_queue_jobs', { name: 'food', state: 'completed' })).toBe(1); // read from Redis
    expect(sampleValue(text, 'jobcraft_workers')).toBeGreaterThanOrEqual(0);
    expect(globalRegistry.getSingleMetric(METRIC)).toBeUndefined();

    await apps.pop()!.close();
    expect(registry.getMetricsAsArray()).toEqual([]);
  });

  it("with metrics: true, uses prom-client's global registry, and a second app can register again after the first closed", async () => {
    const first = await boot(true);
    await runFood(first);
    expect(sampleValue(await globalRegistry.getSingleMetricAsString(METRIC), METRIC, { name: 'food' })).toBe(1);
    await apps.pop()!.close();
    expect(globalRegistry.getSingleMetric(METRIC)).toBeUndefined();

    const second = await boot(true);
    await runFood(second);
    expect(sampleValue(await globalRegistry.getSingleMetricAsString(METRIC), METRIC, { name: 'food' })).toBe(1);
  });

  it('registers nothing without the option, and fails bootstrap naming a bad one', async () => {
    await boot(false);
    expect(globalRegistry.getSingleMetric(METRIC)).toBeUndefined();
    const bad: [unknown, RegExp][] = [
      ['yes', /^QueueModule.metrics must be a boolean or an object, got "yes"$/],
      [{ registry: {} }, /^QueueModule.metrics.registry must be a prom-client Registry, got \{\}$/],
      [{ buckets: { wait: [] } }, /^QueueModule.metrics.buckets.wait must be 1-100 increasing positive numbers \(seconds\), got \[\]$/],
      [{ cacheTtl: '10ms' }, /^QueueModule.metrics.cacheTtl must be at least 1000 ms, got 10 ms$/],
      [{ prefix: 'x' }, /^QueueModule.metrics: unknown option "prefix"$/],
    ];
    for (const [metrics, message] of bad) {
      const err = await boot(metrics as QueueModuleOptions['metrics']).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidOptionsError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('keeps the registry clear of a second registration: two apps on one registry fail with a clear error', async () => {
    const registry = new Registry();
    await boot({ registry });
    const err = await boot({ registry }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidOptionsError);
    expect((err as Error).message).toMatch(/already has a metric named "jobcraft_jobs_completed_total"/);
  });

  // the child loads Nest 12 (ESM) from node_modules with the swc loader, whichever project runs this file
  (EXPECTED_NEST_MAJOR === 12 ? it : it.skip)('loads prom-client only when the metrics option is on (jobcraft itself never does)', async () => {
    const root = join(dirname(expect.getState().testPath!), '..', '..');
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', '@swc-node/register/esm-register', '--disable-warning=ExperimentalWarning', 'test/fixtures/metrics-lazy-load.ts'],
        { cwd: root, env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.json') }, timeout: 60_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ atImport: false, withoutMetrics: false, withMetrics: true });
  });
});
