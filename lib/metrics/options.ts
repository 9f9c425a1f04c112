/**
 * The metrics options shared by `JobcraftMetrics` and the Nest module's `metrics` option, and their checks. This
 * file never loads prom-client (the Nest module validates its `metrics` option at startup with it, and loads
 * prom-client only when metrics are on), and its types name none of prom-client's, so that `jobcraft`'s types
 * need no prom-client installed.
 * @packageDocumentation
 */
import { InvalidOptionsError } from '../core/errors.js';
import type { Duration } from '../core/spec/duration.js';
import { describe, duration, object, type Fields } from '../core/validation.js';

/**
 * Where metrics are registered: a prom-client `Registry` fits (`new Registry()`, or prom-client's global
 * `register`). Only what tells a registry apart is named here, so that `jobcraft`'s own types need no prom-client.
 */
export interface MetricsRegistry {
  /** The registry's metrics in the Prometheus text format. */
  metrics(): Promise<string>;
  /** A registered metric by name, if any. */
  getSingleMetric(name: string): unknown;
  /** Removes a registered metric by name. */
  removeSingleMetric(name: string): void;
}

/**
 * Histogram bucket boundaries, in seconds: increasing positive numbers (at most 100). Each defaults to
 * 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600; `lateness` to
 * 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600.
 */
export interface MetricsBuckets {
  /** Of `jobcraft_job_duration_seconds` (a handler's run time). */
  duration?: readonly number[];
  /** Of `jobcraft_job_wait_seconds` (from due to started). */
  wait?: readonly number[];
  /** Of `jobcraft_periodic_lateness_seconds` (from a tick to its job's start). */
  lateness?: readonly number[];
}

/** The `metrics` option of `QueueModule.forRoot` (or `true`, for prom-client's global registry and the defaults). */
export interface QueueMetricsOptions {
  /** Where the metrics are registered (default: prom-client's global `register`). */
  registry?: MetricsRegistry;
  /** Histogram bucket boundaries in seconds. */
  buckets?: MetricsBuckets;
  /**
   * How long a read of the cluster-wide gauges from Redis is reused, so that many scrapes (several Prometheus
   * servers, or a dashboard refreshing) cost Redis one read: at least 1 s, at most 1 h (default 1 s).
   */
  cacheTtl?: Duration;
}

/** Validated {@link QueueMetricsOptions}. @internal */
export interface ResolvedMetricsSettings {
  /** The registry given, if any (the caller defaults to prom-client's global one). */
  registry?: MetricsRegistry;
  /** Bucket boundaries in seconds, defaults applied. */
  buckets: { duration: number[]; wait: number[]; lateness: number[] };
  /** How long a cluster read is reused (ms). */
  cacheTtlMs: number;
}

/** Default boundaries of the duration and wait histograms: 5 ms to an hour. @internal */
export const DEFAULT_JOB_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** Default boundaries of the lateness histogram: a healthy cron is a few ms late, so it starts at 1 ms. @internal */
export const DEFAULT_LATENESS_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

const MAX_BUCKETS = 100;
const E = InvalidOptionsError;

/**
 * Checks the registry, buckets and cache time of `JobcraftMetrics` or of the Nest module's `metrics` option.
 * @param o - the options object (other keys are the caller's)
 * @param where - how messages name the options (`JobcraftMetrics`, `QueueModule.metrics`)
 * @returns the validated settings
 * @throws {@link InvalidOptionsError} naming the bad field
 * @internal
 */
export function resolveMetricsSettings(o: Fields<'registry' | 'buckets' | 'cacheTtl'>, where: string): ResolvedMetricsSettings {
  return {
    registry: registry(o.registry, `${where}.registry`),
    buckets: resolveBuckets(o.buckets, `${where}.buckets`),
    cacheTtlMs: duration(o.cacheTtl, `${where}.cacheTtl`, E, { min: 1000, max: 3_600_000, fallback: 1000 }),
  };
}

/**
 * Checks the Nest module's `metrics` option: `true`, `false` or {@link QueueMetricsOptions}.
 * @param value - the option given
 * @returns the validated settings, or undefined when metrics are off
 * @throws {@link InvalidOptionsError} naming the bad field (`QueueModule.metrics…`)
 * @internal
 */
export function resolveQueueMetrics(value: unknown): ResolvedMetricsSettings | undefined {
  const where = 'QueueModule.metrics';
  if (value === undefined || value === false) return undefined;
  if (value === true) return resolveMetricsSettings({}, where);
  const o = object(value, where, E, ['registry', 'buckets', 'cacheTtl'], { label: where, expected: 'a boolean or an object' });
  return resolveMetricsSettings(o, where);
}

function registry(value: unknown, field: string): MetricsRegistry | undefined {
  if (value === undefined) return undefined;
  const r = value as Partial<Record<'metrics' | 'registerMetric' | 'getSingleMetric' | 'removeSingleMetric', unknown>> | null;
  const fits = typeof r === 'object' && r !== null && ['metrics', 'registerMetric', 'getSingleMetric', 'removeSingleMetric'].every((k) => typeof r[k as keyof typeof r] === 'function');
  if (!fits) throw new E(`${field} must be a prom-client Registry, got ${describe(value)}`);
  return value as MetricsRegistry;
}

function resolveBuckets(value: unknown, where: string): ResolvedMetricsSettings['buckets'] {
  const o = value === undefined ? {} : object(value, where, E, ['duration', 'wait', 'lateness'], { label: where });
  return {
    duration: boundaries(o.duration, `${where}.duration`, DEFAULT_JOB_BUCKETS),
    wait: boundaries(o.wait, `${where}.wait`, DEFAULT_JOB_BUCKETS),
    lateness: boundaries(o.lateness, `${where}.lateness`, DEFAULT_LATENESS_BUCKETS),
  };
}

function boundaries(value: unknown, field: string, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  const ok = Array.isArray(value) && value.length >= 1 && value.length <= MAX_BUCKETS &&
    value.every((b, i) => typeof b === 'number' && Number.isFinite(b) && b > 0 && (i === 0 || b > (value[i - 1] as number)));
  if (!ok) throw new E(`${field} must be 1-${MAX_BUCKETS} increasing positive numbers (seconds), got ${describe(value)}`);
  return [...(value as number[])];
}
