// JobcraftMetrics on real Redis, scraped as Prometheus would (registry.metrics()): this process's counters and
// histograms after real jobs and real ticks, the cluster-wide gauges read from Redis (cached, surviving a failed
// read), one registration per registry, and close(). The Nest `metrics` option is in test/nest/metrics.spec.ts.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register as globalRegistry, Registry } from 'prom-client';
import {
  Enqueuer, Inspector, InvalidOptionsError, NonRetryableError, WorkerPool, createRuntime, silentLogger,
  type JobRuntime, type TickInfo,
} from '../../lib/core/index.js';
import { JobcraftMetrics, type JobcraftMetricsOptions } from '../../lib/metrics/index.js';
import { TcpProxy } from '../multi/tcp-proxy.js';
import { nextEvent } from '../helpers/next-event.js';
import { sampleValue } from '../helpers/prom-text.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

describe('JobcraftMetrics', () => {
  let ns: string;
  const cleanups: (() => unknown)[] = [];
  beforeEach(() => {
    ns = randomNamespace('metrics');
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const runtime = (): JobRuntime => {
    const r = createRuntime({ redis: redisUrl(), namespace: ns, logger: silentLogger, lease: 1500 });
    cleanups.push(() => r.close());
    return r;
  };
  const metricsOn = (options: JobcraftMetricsOptions) => {
    const m = new JobcraftMetrics(options);
    cleanups.push(() => m.close());
    return m;
  };
  const inspectorOf = (redis = redisUrl(), commandTimeout = 5000) => {
    const i = new Inspector({ redis, namespace: ns, logger: silentLogger, commandTimeout });
    cleanups.push(() => i.close());
    return i;
  };
  const enqueuer = () => {
    const e = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    cleanups.push(() => e.close());
    return e;
  };
  const sum = (xs: number[] = []) => xs.reduce((a, b) => a + b, 0);

  it('counts completed, retried, dead and cancelled jobs by name, with their run and wait times', async () => {
    const rt = runtime();
    const registry = new Registry();
    metricsOn({ registry, pool: rt.pool, buckets: { duration: [0.5, 60] } });
    const { pool, enqueuer: enq, inspector } = rt;
    pool.handle('food', async () => 'GalbiTang');
    pool.handle('flaky', async (job) => {
      if (job.attempt === 1) throw new Error('the first attempt fails');
      return 'ok';
    }, { backoff: { type: 'fixed', delay: 1 } });
    pool.handle('doomed', async () => {
      throw new NonRetryableError('no such task');
    });
    pool.handle('slow', (job) => new Promise((_, reject) => job.signal.addEventListener('abort', () => reject(job.signal.reason as Error))));
    // what the events said, to compare with the histograms' sums
    const runMs: Record<string, number[]> = {};
    const waitMs: Record<string, number[]> = {};
    const note = (key: string, ms: number, into = runMs) => (into[key] ??= []).push(ms);
    pool.on('job:active', (e) => note(e.name, e.waitMs, waitMs));
    pool.on('job:completed', (e) => note(`${e.name}:completed`, e.runMs));
    pool.on('job:retrying', (e) => note(`${e.name}:failed`, e.runMs));
    pool.on('job:dead', (e) => note(`${e.name}:dead`, e.runMs));
    pool.on('job:cancelled', (e) => note(`${e.name}:cancelled`, e.runMs));
    await rt.start();

    const outcomes = Promise.all([
      nextEvent(pool, 'job:completed', (e) => e.name === 'food'),
      nextEvent(pool, 'job:completed', (e) => e.name === 'flaky'),
      nextEvent(pool, 'job:dead', (e) => e.name === 'doomed'),
    ]);
    await enq.enqueueMany([{ name: 'food', args: 1 }, { name: 'flaky', args: 2 }, { name: 'doomed', args: 3 }]);
    await outcomes;
    const started = nextEvent(pool, 'job:active', (e) => e.name === 'slow');
    const slow = await enq.enqueue('slow', null);
    await started;
    const cancelled = nextEvent(pool, 'job:cancelled', (e) => e.id === slow.id);
    expect(await inspector.cancel(slow.id)).toBe(true);
    await cancelled;

    const text = await registry.metrics();
    const v = (name: string, labels: Record<string, string>) => sampleValue(text, name, labels);
    expect(v('jobcraft_jobs_completed_total', { name: 'food' })).toBe(1);
    expect(v('jobcraft_jobs_completed_total', { name: 'flaky' })).toBe(1);
    expect(v('jobcraft_jobs_failed_total', { name: 'flaky' })).toBe(1); // the first attempt
    expect(v('jobcraft_jobs_failed_total', { name: 'doomed' })).toBe(1); // a dead job's attempt failed too
    expect(v('jobcraft_jobs_failed_total', { name: 'food' })).toBeUndefined();
    expect(v('jobcraft_jobs_dead_total', { name: 'doomed' })).toBe(1);
    expect(v('jobcraft_jobs_dead_total', { name: 'flaky' })).toBeUndefined();
    expect(v('jobcraft_jobs_cancelled_total', { name: 'slow' })).toBe(1);

    const runs = (name: string, outcome: string) => v('jobcraft_job_duration_seconds_count', { name, outcome });
    expect([runs('food', 'completed'), runs('flaky', 'failed'), runs('flaky', 'completed'), runs('doomed', 'dead'), runs('slow', 'cancelled')]).toEqual([1, 1, 1, 1, 1]);
    expect(runs('food', 'failed')).toBeUndefined();
    for (const [key, ms] of Object.entries(runMs)) {
      const [name, outcome] = key.split(':') as [string, string];
      expect(v('jobcraft_job_duration_seconds_sum', { name, outcome })).toBeCloseTo(sum(ms) / 1000, 6);
    }
    // the buckets given, not the defaults
    expect(v('jobcraft_job_duration_seconds_bucket', { name: 'food', outcome: 'completed', le: '0.5' })).toBeDefined();
    expect(v('jobcraft_job_duration_seconds_bucket', { name: 'food', outcome: 'completed', le: '60' })).toBeDefined();
    expect(v('jobcraft_job_duration_seconds_bucket', { name: 'food', outcome: 'completed', le: '+Inf' })).toBe(1);
    expect(v('jobcraft_job_duration_seconds_bucket', { name: 'food', outcome: 'completed', le: '0.005' })).toBeUndefined();

    // wait time: one observation per attempt started
    expect(v('jobcraft_job_wait_seconds_count', { name: 'flaky' })).toBe(2);
    expect(v('jobcraft_job_wait_seconds_count', { name: 'food' })).toBe(1);
    expect(v('jobcraft_job_wait_seconds_count', { name: 'slow' })).toBe(1);
    for (const [name, ms] of Object.entries(waitMs)) expect(v('jobcraft_job_wait_seconds_sum', { name })).toBeCloseTo(sum(ms) / 1000, 6);
    expect(v('jobcraft_job_wait_seconds_bucket', { name: 'food', le: '0.005' })).toBeDefined(); // the default buckets
    expect(v('jobcraft_job_wait_seconds_bucket', { name: 'food', le: '3600' })).toBe(1);
  });

  it('measures periodic lateness from a real tick to its job start, leaves manual runs out, and counts missed ticks', async () => {
    const rt = runtime();
    const registry = new Registry();
    metricsOn({ registry, pool: rt.pool, scheduler: rt.scheduler });
    // an entry nobody fired for a minute: on a 10 s grid shifted so that its latest tick is 5 s old, misfire
    // 'once' (the default) fires that tick late and reports the 5 before it as missed
    const raw = rawClient();
    const [sec, usec] = await raw.time();
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    const offset = (now + 5000) % 10_000;
    const latest = now - 5000;
    await raw.hset(`jobcraft:{${ns}}:s:report`, { lastTick: String(latest - 60_000), lastJob: '' });
    await raw.quit();
    rt.scheduler.register('report', '@every 10s', { offset });
    rt.pool.handle('report', async () => null);
    const ticks: TickInfo[] = [];
    const missed: number[][] = [];
    rt.pool.on('job:active', (e) => e.tick && ticks.push(e.tick));
    rt.scheduler.on('tick:missed', (e) => missed.push(e.ticks));
    const late = nextEvent(rt.pool, 'job:completed', (e) => e.id === `tick:report:${latest}`);
    await rt.start();
    await late;
    await waitFor(() => missed.length, (n) => n === 1, { what: 'the missed ticks reported' });

    const manual = nextEvent(rt.pool, 'job:completed', (e) => e.id.startsWith('tick:report:manual:'));
    await rt.inspector.triggerPeriodic('report');
    await manual;
    const real = ticks.filter((t) => t.firedBy !== 'manual').length; // read with the metric: no event comes in between
    const lateness = await registry.getSingleMetricAsString('jobcraft_periodic_lateness_seconds');
    expect(ticks.some((t) => t.firedBy === 'manual')).toBe(true);
    expect(sampleValue(lateness, 'jobcraft_periodic_lateness_seconds_count', { entry: 'report' })).toBe(real);
    // the catch-up tick started at least 5 s after its tick (by construction, not by timing)
    expect(sampleValue(lateness, 'jobcraft_periodic_lateness_seconds_sum', { entry: 'report' })).toBeGreaterThanOrEqual(5);
    expect(sampleValue(lateness, 'jobcraft_periodic_lateness_seconds_bucket', { entry: 'report', le: '2.5' })).toBeLessThanOrEqual(real - 1);
    expect(sampleValue(lateness, 'jobcraft_periodic_lateness_seconds_bucket', { entry: 'report', le: '0.001' })).toBeDefined(); // lateness buckets start at 1 ms

    const missedText = await registry.getSingleMetricAsString('jobcraft_periodic_ticks_missed_total');
    expect(missed.flat()).toHaveLength(5);
    expect(sampleValue(missedText, 'jobcraft_periodic_ticks_missed_total', { entry: 'report' })).toBe(5);
  });

  it('reads the cluster-wide gauges from Redis at scrape time: every instance reports the same values', async () => {
    const enq = enqueuer();
    await enq.enqueueMany([{ name: 'nobody', args: 1 }, { name: 'nobody', args: 2 }, { name: 'nobody', args: 3 }]);
    await enq.enqueue('nobody', 4, { delay: '1h' });
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, logger: silentLogger, lease: 1500 }).handle('food', async () => null);
    cleanups.push(() => pool.stop({ timeout: 500 }));
    await pool.start();
    // two instances, each with its own registry and inspector, one of them running the pool
    const [a, b] = [new Registry(), new Registry()];
    metricsOn({ registry: a, inspector: inspectorOf(), pool });
    metricsOn({ registry: b, inspector: inspectorOf() });

    await waitFor(() => a.metrics(), (t) => sampleValue(t, 'jobcraft_workers') === 1, { what: 'the pool in the workers gauge' });
    for (const text of await Promise.all([a.metrics(), b.metrics()])) {
      const jobs = (state: string) => sampleValue(text, 'jobcraft_queue_jobs', { name: 'nobody', state });
      expect({ queued: jobs('queued'), scheduled: jobs('scheduled'), active: jobs('active'), dead: jobs('dead'), completed: jobs('completed') })
        .toEqual({ queued: 3, scheduled: 1, active: 0, dead: 0, completed: 0 });
      expect(sampleValue(text, 'jobcraft_queue_oldest_age_seconds', { name: 'nobody' })).toBeGreaterThanOrEqual(0);
      expect(sampleValue(text, 'jobcraft_workers')).toBe(1);
      expect(sampleValue(text, 'jobcraft_scrape_errors_total')).toBe(0);
    }
  });

  it('reuses one Redis read for the scrapes within cacheTtl, and for the gauges of concurrent scrapes', async () => {
    const enq = enqueuer();
    const counted = () => {
      const inspector = inspectorOf();
      const counter = { reads: 0 };
      const wrapped = Object.assign(Object.create(inspector) as Inspector, {
        names: () => {
          counter.reads++;
          return inspector.names();
        },
      });
      return { inspector: wrapped, counter };
    };
    await enq.enqueue('nobody', 1);
    const cached = counted();
    const registry = new Registry();
    metricsOn({ registry, inspector: cached.inspector, cacheTtl: '1h' });
    expect(sampleValue(await registry.metrics(), 'jobcraft_queue_jobs', { name: 'nobody', state: 'queued' })).toBe(1);
    await enq.enqueue('nobody', 2);
    const again = await Promise.all([registry.metrics(), registry.getSingleMetricAsString('jobcraft_queue_jobs')]);
    for (const text of again) expect(sampleValue(text, 'jobcraft_queue_jobs', { name: 'nobody', state: 'queued' })).toBe(1);
    expect(cached.counter.reads).toBe(1);

    // a fresh instance reads Redis: three concurrent scrapes of three gauges share its one read
    const fresh = counted();
    const other = new Registry();
    metricsOn({ registry: other, inspector: fresh.inspector });
    const texts = await Promise.all([other.metrics(), other.metrics(), other.metrics()]);
    for (const text of texts) expect(sampleValue(text, 'jobcraft_queue_jobs', { name: 'nobody', state: 'queued' })).toBe(2);
    expect(fresh.counter.reads).toBe(1);
  });

  it('answers a scrape with the last values when Redis cannot be read, counts the failures and warns once', async () => {
    const proxy = await TcpProxy.start(Number(new URL(redisUrl()).port));
    cleanups.push(() => proxy.close());
    await enqueuer().enqueue('nobody', 1);
    const warnings: string[] = [];
    const registry = new Registry();
    metricsOn({
      registry, inspector: inspectorOf(proxy.url, 500),
      logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    });
    const queued = (text: string) => sampleValue(text, 'jobcraft_queue_jobs', { name: 'nobody', state: 'queued' });
    const errors = (text: string) => sampleValue(text, 'jobcraft_scrape_errors_total');
    const before = await registry.metrics();
    expect([queued(before), errors(before)]).toEqual([1, 0]);

    await proxy.close(); // Redis is unreachable from here on
    const during = await waitFor(() => registry.metrics(), (t) => errors(t) === 1, { what: 'a failed read' });
    expect(queued(during)).toBe(1);
    const later = await waitFor(() => registry.metrics(), (t) => errors(t) === 2, { what: 'a second failed read' });
    expect(queued(later)).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^metrics: reading the queue state from Redis failed; the cluster-wide gauges keep their last values/);
  });

  it('refuses a second registration on one registry with a clear error, and registers again after close()', async () => {
    const registry = new Registry();
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    const first = new JobcraftMetrics({ registry, pool });
    const registered = registry.getSingleMetric('jobcraft_jobs_completed_total');
    const second = () => new JobcraftMetrics({ registry, pool, inspector: inspectorOf() });
    expect(second).toThrow(InvalidOptionsError);
    expect(second).toThrow(/^JobcraftMetrics: the registry already has a metric named "jobcraft_jobs_completed_total": .*close\(\)/);
    expect(registry.getSingleMetric('jobcraft_jobs_completed_total')).toBe(registered); // nothing half-registered
    expect(registry.getSingleMetric('jobcraft_queue_jobs')).toBeUndefined();
    first.close();
    const again = second();
    cleanups.push(() => again.close());
    expect(registry.getSingleMetric('jobcraft_queue_jobs')).toBeDefined();
    await pool.stop();
  });

  it('close() removes its metrics from the registry and stops listening to the pool', async () => {
    const rt = runtime();
    rt.pool.handle('food', async () => 'ok');
    const registry = new Registry();
    const metrics = new JobcraftMetrics({ registry, pool: rt.pool, scheduler: rt.scheduler, inspector: rt.inspector });
    const completed = registry.getSingleMetric('jobcraft_jobs_completed_total')!;
    await rt.start();
    metrics.close();
    metrics.close(); // idempotent
    expect(registry.getMetricsAsArray()).toEqual([]);
    expect((await registry.metrics()).trim()).toBe('');
    const done = nextEvent(rt.pool, 'job:completed');
    await rt.enqueuer.enqueue('food', null);
    await done;
    expect((await completed.get()).values).toEqual([]);
  });

  it("registers on prom-client's global registry by default", () => {
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    const metrics = new JobcraftMetrics({ pool });
    try {
      expect(globalRegistry.getSingleMetric('jobcraft_jobs_dead_total')).toBeDefined();
    } finally {
      metrics.close();
    }
    expect(globalRegistry.getSingleMetric('jobcraft_jobs_dead_total')).toBeUndefined();
  });

  it('rejects invalid options with InvalidOptionsError naming the field', () => {
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    const registry = new Registry();
    const make = (o: unknown) => () => new JobcraftMetrics(o as JobcraftMetricsOptions);
    const cases: [unknown, RegExp][] = [
      [undefined, /^JobcraftMetrics: options must be an object, got undefined$/],
      [{ registry }, /^JobcraftMetrics: give at least one of pool, scheduler or inspector$/],
      [{ pool, prefix: 'x' }, /^JobcraftMetrics: unknown option "prefix"$/],
      [{ pool, registry: {} }, /^JobcraftMetrics.registry must be a prom-client Registry, got \{\}$/],
      [{ pool: {} }, /^JobcraftMetrics.pool must be a WorkerPool, got \{\}$/],
      [{ pool, buckets: { duration: [1, 0.5] } }, /^JobcraftMetrics.buckets.duration must be 1-100 increasing positive numbers \(seconds\), got \[1,0.5\]$/],
      [{ pool, buckets: { wait: [] } }, /^JobcraftMetrics.buckets.wait must be 1-100/],
      [{ pool, buckets: { lateness: [0, 1] } }, /^JobcraftMetrics.buckets.lateness must be 1-100/],
      [{ pool, buckets: { runs: [1] } }, /^JobcraftMetrics.buckets: unknown option "runs"$/],
      [{ pool, cacheTtl: 500 }, /^JobcraftMetrics.cacheTtl must be at least 1000 ms, got 500 ms$/],
    ];
    for (const [options, message] of cases) {
      expect(make(options)).toThrow(InvalidOptionsError);
      expect(make(options)).toThrow(message);
    }
    expect(registry.getMetricsAsArray()).toEqual([]); // a refused option registers nothing
  });
});

describe('prom-client stays optional', () => {
  const lib = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lib');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));

  it('is imported by lib/metrics only, whose prom-client code the rest of lib loads only by dynamic import', () => {
    const offenders = files(lib).flatMap((f) => {
      const path = relative(lib, f);
      const src = readFileSync(f, 'utf8');
      const found: string[] = [];
      if (!path.startsWith('metrics/') && /from\s+['"]prom-client['"]|import\(\s*['"]prom-client['"]|require\(\s*['"]prom-client['"]/.test(src)) found.push(`${path} imports prom-client`);
      // lib/metrics/options.ts is prom-client-free (the Nest module validates its option with it); the rest is not
      if (!path.startsWith('metrics/') && /^import\s+(?!type\b)[^;]*from\s+['"][./]*metrics\/(?!options\.js)/m.test(src)) found.push(`${path} imports lib/metrics statically`);
      return found;
    });
    expect(offenders).toEqual([]);
    expect(readFileSync(join(lib, 'metrics/options.ts'), 'utf8')).not.toMatch(/from\s+['"]prom-client['"]/);
  });
});
