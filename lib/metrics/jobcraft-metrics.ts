import { Counter, Gauge, Histogram, register as globalRegistry, type Metric, type Registry, type RegistryContentType } from 'prom-client';
import { InvalidOptionsError } from '../core/errors.js';
import type { WorkerPoolEvents } from '../core/events.js';
import type { Inspector } from '../core/inspector.js';
import { consoleLogger, type Logger } from '../core/logger.js';
import type { SchedulerEvents, Scheduler } from '../core/scheduler.js';
import type { Duration } from '../core/spec/duration.js';
import { JOB_STATES } from '../core/types.js';
import { describe, object } from '../core/validation.js';
import type { WorkerPool } from '../core/worker-pool.js';
import { ClusterReader, type ClusterState } from './cluster-reader.js';
import { resolveMetricsSettings, type MetricsBuckets } from './options.js';

/** Options of {@link JobcraftMetrics}: at least one of `pool`, `scheduler` and `inspector`. */
export interface JobcraftMetricsOptions {
  /** Where the metrics are registered (default: prom-client's global `register`). One `JobcraftMetrics` per registry. */
  registry?: Registry<RegistryContentType>;
  /** The pool whose events feed the job counters and histograms (this process's jobs). */
  pool?: WorkerPool;
  /** The scheduler whose `tick:missed` events feed `jobcraft_periodic_ticks_missed_total`. */
  scheduler?: Scheduler;
  /**
   * Reads the cluster-wide gauges (`jobcraft_queue_jobs`, `jobcraft_queue_oldest_age_seconds`, `jobcraft_workers`)
   * from Redis at scrape time; without it they are not registered.
   */
  inspector?: Inspector;
  /** Histogram bucket boundaries in seconds (defaults: 5 ms to 1 h; lateness from 1 ms). */
  buckets?: MetricsBuckets;
  /** How long a read of the cluster-wide gauges is reused: at least 1 s, at most 1 h (default 1 s). */
  cacheTtl?: Duration;
  /** Where a failing Redis read at scrape time is reported, once per outage (default: the console). */
  logger?: Logger;
}

/** Every metric jobcraft registers, by name. @internal */
export const METRIC_NAMES = [
  'jobcraft_jobs_completed_total', 'jobcraft_jobs_failed_total', 'jobcraft_jobs_dead_total', 'jobcraft_jobs_cancelled_total',
  'jobcraft_job_duration_seconds', 'jobcraft_job_wait_seconds', 'jobcraft_periodic_lateness_seconds', 'jobcraft_periodic_ticks_missed_total',
  'jobcraft_queue_jobs', 'jobcraft_queue_oldest_age_seconds', 'jobcraft_workers', 'jobcraft_scrape_errors_total',
] as const;

type Outcome = 'completed' | 'failed' | 'dead' | 'cancelled';
type Unsubscribe = () => void;

/**
 * Prometheus metrics of jobcraft, registered on a prom-client registry:
 *
 * - from this process's `pool` and `scheduler` events (Prometheus sums them over instances):
 *   `jobcraft_jobs_completed_total`, `jobcraft_jobs_failed_total` (every failed attempt: retried, dead, or a
 *   crashed worker's attempt when its lease is recovered), `jobcraft_jobs_dead_total`,
 *   `jobcraft_jobs_cancelled_total` (running jobs cancelled here), by `name`; the histograms
 *   `jobcraft_job_duration_seconds` (`name`, `outcome`), `jobcraft_job_wait_seconds` (`name`: from due to started)
 *   and `jobcraft_periodic_lateness_seconds` (`entry`: from a tick to its job's start, on this process's clock;
 *   manual runs are left out); `jobcraft_periodic_ticks_missed_total` (`entry`);
 * - read from Redis by the `inspector` when scraped, the same on every instance (aggregate them with `max`, not
 *   `sum`): `jobcraft_queue_jobs` (`name`, `state`), `jobcraft_queue_oldest_age_seconds` (`name`, 0 when none is
 *   queued), `jobcraft_workers` (live pools), and `jobcraft_scrape_errors_total` (reads that failed; the gauges
 *   then keep their last values). A read is reused for `cacheTtl` (default 1 s).
 *
 * {@link JobcraftMetrics.close} removes its listeners and its metrics from the registry.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { createRuntime } from 'jobcraft/core';
 * import { JobcraftMetrics } from 'jobcraft/metrics';
 *
 * const registry = new Registry();
 * const runtime = createRuntime({ redis: 'redis://127.0.0.1:6379', namespace: 'bowl' });
 * const metrics = new JobcraftMetrics({ registry, pool: runtime.pool, scheduler: runtime.scheduler, inspector: runtime.inspector });
 * // GET /metrics: res.setHeader('Content-Type', registry.contentType); res.end(await registry.metrics());
 * // at shutdown
 * metrics.close();
 * ```
 */
export class JobcraftMetrics {
  private readonly registry: Registry<RegistryContentType>;
  private readonly registered: Metric[] = [];
  private readonly unsubscribe: Unsubscribe[] = [];
  private closed = false;

  /**
   * Registers the metrics and subscribes to the events of `pool` and `scheduler`.
   * @param options - registry, sources (`pool`, `scheduler`, `inspector`), buckets, cache time, logger
   * @throws `InvalidOptionsError` (of `jobcraft/core`) if an option is invalid, no source is given, or the registry
   *   already holds jobcraft's metrics (from another `JobcraftMetrics` not closed)
   */
  constructor(options: JobcraftMetricsOptions) {
    const E = InvalidOptionsError;
    const o = object(options, 'JobcraftMetrics', E, ['registry', 'pool', 'scheduler', 'inspector', 'buckets', 'cacheTtl', 'logger']);
    const settings = resolveMetricsSettings(o, 'JobcraftMetrics');
    const pool = source<WorkerPool>(o.pool, 'JobcraftMetrics.pool', 'a WorkerPool', ['on', 'off']);
    const scheduler = source<Scheduler>(o.scheduler, 'JobcraftMetrics.scheduler', 'a Scheduler', ['on', 'off']);
    const inspector = source<Inspector>(o.inspector, 'JobcraftMetrics.inspector', 'an Inspector', ['names', 'workers']);
    const logger = source<Logger>(o.logger, 'JobcraftMetrics.logger', 'a logger', ['warn', 'error']) ?? consoleLogger;
    if (!pool && !scheduler && !inspector) throw new E('JobcraftMetrics: give at least one of pool, scheduler or inspector');
    this.registry = (settings.registry as Registry<RegistryContentType> | undefined) ?? globalRegistry;
    const taken = METRIC_NAMES.find((n) => this.registry.getSingleMetric(n) !== undefined);
    if (taken) {
      throw new E(
        `JobcraftMetrics: the registry already has a metric named "${taken}": jobcraft's metrics are registered once per ` +
          'registry. close() the JobcraftMetrics that registered them first (QueueModule does on app.close()), or give each its own registry',
      );
    }

    const byName = ['name'] as const;
    const completed = new Counter({ name: 'jobcraft_jobs_completed_total', help: 'Jobs completed by this process.', labelNames: byName, registers: [] });
    const failed = new Counter({
      name: 'jobcraft_jobs_failed_total', labelNames: byName, registers: [],
      help: 'Failed attempts seen by this process: retried, dead, or a crashed worker\'s attempt it recovered.',
    });
    const dead = new Counter({ name: 'jobcraft_jobs_dead_total', help: 'Jobs this process moved to the dead set (failed for good).', labelNames: byName, registers: [] });
    const cancelled = new Counter({ name: 'jobcraft_jobs_cancelled_total', help: 'Running jobs of this process cancelled by an operator.', labelNames: byName, registers: [] });
    const duration = new Histogram({
      name: 'jobcraft_job_duration_seconds', help: 'Handler run time of the attempts of this process, by outcome.',
      labelNames: ['name', 'outcome'] as const, buckets: settings.buckets.duration, registers: [],
    });
    const wait = new Histogram({
      name: 'jobcraft_job_wait_seconds', help: 'Time from when a job was due until this process started it.',
      labelNames: byName, buckets: settings.buckets.wait, registers: [],
    });
    const lateness = new Histogram({
      name: 'jobcraft_periodic_lateness_seconds', help: 'Time from a periodic tick until this process started its job.',
      labelNames: ['entry'] as const, buckets: settings.buckets.lateness, registers: [],
    });
    const missed = new Counter({
      name: 'jobcraft_periodic_ticks_missed_total', help: 'Periodic ticks nobody fired, left out by the misfire policy (seen by this process\'s scheduler).',
      labelNames: ['entry'] as const, registers: [],
    });
    this.registered.push(completed, failed, dead, cancelled, duration, wait, lateness, missed);

    if (pool) {
      const observe = (name: string, outcome: Outcome, runMs: number) => duration.observe({ name, outcome }, runMs / 1000);
      this.listen(pool, 'job:active', (e) => {
        wait.observe({ name: e.name }, e.waitMs / 1000);
        if (e.tick && e.tick.firedBy !== 'manual') lateness.observe({ entry: e.tick.entry }, Math.max(0, Date.now() - e.tick.at.getTime()) / 1000);
      });
      this.listen(pool, 'job:completed', (e) => {
        completed.inc({ name: e.name });
        observe(e.name, 'completed', e.runMs);
      });
      this.listen(pool, 'job:retrying', (e) => {
        failed.inc({ name: e.name });
        observe(e.name, 'failed', e.runMs);
      });
      this.listen(pool, 'job:dead', (e) => {
        failed.inc({ name: e.name });
        dead.inc({ name: e.name });
        if (!(e.runMs === 0 && e.error.name === 'CorruptJobError')) observe(e.name, 'dead', e.runMs); // a corrupt record never ran
      });
      this.listen(pool, 'job:cancelled', (e) => {
        cancelled.inc({ name: e.name });
        observe(e.name, 'cancelled', e.runMs);
      });
      this.listen(pool, 'job:recovered', (e) => {
        failed.inc({ name: e.name }); // the crashed worker's attempt counts as failed, whichever pool recovers it
        if (e.outcome === 'dead') dead.inc({ name: e.name });
      });
    }
    if (scheduler) {
      const onMissed = (e: SchedulerEvents['tick:missed']) => missed.inc({ entry: e.entry }, e.ticks.length);
      scheduler.on('tick:missed', onMissed);
      this.unsubscribe.push(() => scheduler.off('tick:missed', onMissed));
    }
    if (inspector) this.registered.push(...clusterGauges(inspector, settings.cacheTtlMs, logger));
    for (const m of this.registered) this.registry.registerMetric(m);
  }

  /** Removes its event listeners and its metrics from the registry (so they can be registered again). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    for (const m of this.registered) {
      const name = (m as unknown as { name: string }).name;
      if (this.registry.getSingleMetric(name) === m) this.registry.removeSingleMetric(name);
    }
  }

  private listen<K extends keyof WorkerPoolEvents>(pool: WorkerPool, event: K, listener: (payload: WorkerPoolEvents[K]) => void): void {
    pool.on(event, listener);
    this.unsubscribe.push(() => pool.off(event, listener));
  }
}

/** The gauges read from Redis at scrape time, sharing one cached read, and the counter of failed reads. */
function clusterGauges(inspector: Inspector, ttlMs: number, logger: Logger): Metric[] {
  const errors = new Counter({ name: 'jobcraft_scrape_errors_total', help: 'Reads of the queue state from Redis at scrape time that failed (the gauges kept their last values).', registers: [] });
  const reader = new ClusterReader({ source: inspector, ttlMs, logger, failed: () => errors.inc() });
  /** Sets a gauge from the state; a failed read keeps what it showed. */
  const from = (apply: (state: ClusterState) => void) => async () => {
    const state = await reader.read();
    if (state) apply(state);
  };
  const jobs: Gauge<'name' | 'state'> = new Gauge({
    name: 'jobcraft_queue_jobs', help: 'Jobs by name and state, cluster-wide (the same on every instance: aggregate with max).',
    labelNames: ['name', 'state'] as const, registers: [],
    collect: from((s) => {
      jobs.reset();
      for (const n of s.names) for (const state of JOB_STATES) jobs.set({ name: n.name, state }, n.counts[state]);
    }),
  });
  const oldest: Gauge<'name'> = new Gauge({
    name: 'jobcraft_queue_oldest_age_seconds', help: 'Age of the oldest queued job by name, cluster-wide (0 when none is queued).',
    labelNames: ['name'] as const, registers: [],
    collect: from((s) => {
      oldest.reset();
      for (const n of s.names) oldest.set({ name: n.name }, (n.oldestQueuedAgeMs ?? 0) / 1000);
    }),
  });
  const workers: Gauge = new Gauge({
    name: 'jobcraft_workers', help: 'Live worker pools, cluster-wide.', registers: [],
    collect: from((s) => workers.set(s.workers)),
  });
  return [jobs, oldest, workers, errors];
}

/** Checks a source object by the methods it must have (duck-typed: a second copy of the classes must fit too). */
function source<T>(value: unknown, field: string, expected: string, methods: readonly string[]): T | undefined {
  if (value === undefined) return undefined;
  const fits = typeof value === 'object' && value !== null && methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
  if (!fits) throw new InvalidOptionsError(`${field} must be ${expected}, got ${describe(value)}`);
  return value as T;
}
