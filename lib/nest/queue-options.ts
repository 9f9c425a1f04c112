import { InvalidOptionsError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { resolveWorkerPoolOptions, type WorkerPoolOptions } from '../core/options.js';
import type { Duration } from '../core/spec/duration.js';
import { duration, flag, int, object, text } from '../core/validation.js';
import { resolveQueueMetrics, type QueueMetricsOptions, type ResolvedMetricsSettings } from '../metrics/options.js';

/** Options of `QueueModule.forRoot` / `forRootAsync`. */
export interface QueueModuleOptions extends WorkerPoolOptions {
  /**
   * Where jobcraft's warnings and errors go. Default: Nest's `Logger` with context `jobcraft`, so the app's logger
   * setup (levels, JSON, `app.useLogger`) applies to them.
   */
  logger?: Logger;
  /**
   * Run this process's `@JobHandler` / `@Periodic` handlers (default true). Set false on instances that should
   * only enqueue (e.g. an API tier sharing modules with the workers).
   */
  workers?: boolean;
  /** Fire this process's `@Periodic` ticks (default true). Any instance can fire any tick; each fires once. */
  scheduler?: boolean;
  /** On shutdown, how long running jobs may finish before they are handed back to the queue (default 10 s). */
  shutdownTimeout?: Duration;
  /** This instance's name in the scheduler's `lastBy` (default: `<hostname>:<pid>`). */
  instanceId?: string;
  /** How many recent ticks each periodic entry's history keeps, for the Inspector (default 100). */
  tickHistory?: number;
  /**
   * Prometheus metrics (needs `prom-client`, loaded only when this is set): `true` registers them on prom-client's
   * global registry, or pass `{ registry, buckets, cacheTtl }`. Unregistered when the app closes. Default off.
   */
  metrics?: boolean | QueueMetricsOptions;
}

/** Validated module options. @internal */
export interface ResolvedQueueOptions {
  /** The pool's options as given (validated), for the core constructors. */
  raw: WorkerPoolOptions;
  workers: boolean;
  scheduler: boolean;
  shutdownTimeoutMs: number;
  instanceId?: string;
  tickHistory?: number;
  /** Metrics settings; undefined when metrics are off. */
  metrics?: ResolvedMetricsSettings;
}

/**
 * Validates the module options once, at startup.
 * @param input - what `forRoot` got or the async factory returned
 * @returns the validated options
 * @throws {@link InvalidOptionsError} naming the bad field (`QueueModule.<field>`)
 * @internal
 */
export function resolveQueueOptions(input: unknown): ResolvedQueueOptions {
  const E = InvalidOptionsError;
  const o = object(input, 'QueueModule', E, [
    'redis', 'namespace', 'logger', 'commandTimeout', 'concurrency', 'lease', 'retention', 'maxFails', 'tracing', // the pool's (tracing also goes to the enqueuer and scheduler)
    'workers', 'scheduler', 'shutdownTimeout', 'instanceId', 'tickHistory', 'metrics',
    'isGlobal', // the module builder's extra
  ], { label: 'QueueModule options' });
  const { workers, scheduler, shutdownTimeout, instanceId, tickHistory, metrics, isGlobal: _global, ...raw } = o;
  resolveWorkerPoolOptions(raw, 'QueueModule'); // validates, naming fields QueueModule.<field>
  return {
    raw: raw as WorkerPoolOptions,
    workers: flag(workers, 'QueueModule.workers', E, true),
    scheduler: flag(scheduler, 'QueueModule.scheduler', E, true),
    shutdownTimeoutMs: duration(shutdownTimeout, 'QueueModule.shutdownTimeout', E, { fallback: 10_000 }),
    instanceId: text(instanceId, 'QueueModule.instanceId', E, { pattern: /./su, expected: 'a non-empty string' }),
    tickHistory: int(tickHistory, 'QueueModule.tickHistory', E, { min: 1, max: 10_000 }),
    metrics: resolveQueueMetrics(metrics),
  };
}
