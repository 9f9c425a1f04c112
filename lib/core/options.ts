import type { Redis, RedisOptions } from 'ioredis';
import { InvalidOptionsError } from './errors.js';
import { consoleLogger, type Logger } from './logger.js';
import type { Duration } from './spec/duration.js';
import { describe, duration, flag, int, object, text } from './validation.js';

/** How to reach Redis: a URL, ioredis options, or an ioredis instance (never mutated; duplicated). */
export type RedisConnection = string | RedisOptions | Redis;

/** Options shared by every component that talks to Redis. */
export interface ConnectionOptions {
  /** Redis to use (default `redis://127.0.0.1:6379`). */
  redis?: RedisConnection;
  /** Key namespace: all keys are `jobcraft:{<namespace>}:…`, one Cluster slot. Letters, digits, `_.:-`; default `default`. */
  namespace?: string;
  /** Where warnings and errors go (default: console). */
  logger?: Logger;
  /** Longest a single Redis call may take before failing with `RedisUnavailableError` (default 5 s). */
  commandTimeout?: Duration;
}

/** The `tracing` option of the components that can trace their work with OpenTelemetry. */
export interface TracingOptions {
  /**
   * Trace with OpenTelemetry (default false): spans following the messaging semantic conventions, and the enqueuing
   * context carried in each job's record to the process that runs it. Needs the optional peer dependency
   * `@opentelemetry/api`, loaded on first use (`start()` or the first enqueue throws `InvalidOptionsError` if it is
   * not installed); spans are recorded only once an OpenTelemetry SDK registers a tracer provider.
   */
  tracing?: boolean;
}

/** Options of an {@link Enqueuer}. */
export interface EnqueuerOptions extends ConnectionOptions, TracingOptions {}

/** Options of a {@link WorkerPool}. */
export interface WorkerPoolOptions extends ConnectionOptions, TracingOptions {
  /** Jobs this pool runs at once, across all its handlers (default 10). */
  concurrency?: number;
  /**
   * Lease on a running job; a worker that stops renewing it (killed, frozen) loses its jobs to another worker
   * after this long. Renewed every third of it. Default 4 s. Raise it if handlers block the event loop for long.
   */
  lease?: Duration;
  /** Default retention of finished records (default 24 h; `0` deletes them at once). */
  retention?: Duration;
  /** Default failed attempts allowed before a job goes dead (default 5). */
  maxFails?: number;
}

/** Validated connection options. @internal */
export interface ResolvedConnectionOptions {
  redis: RedisConnection;
  namespace: string;
  logger: Logger;
  commandTimeoutMs: number;
}

/** Validated worker pool options. @internal */
export interface ResolvedWorkerPoolOptions extends ResolvedConnectionOptions {
  concurrency: number;
  leaseMs: number;
  retentionMs: number;
  maxFails: number;
  tracing: boolean;
}

/** Default retention of finished job records: 24 hours. */
export const DEFAULT_RETENTION_MS = 86_400_000;
/** Default failed attempts allowed before a job goes dead. */
export const DEFAULT_MAX_FAILS = 5;
/** Default lease on a running job. */
export const DEFAULT_LEASE_MS = 4_000;

const NAMESPACE = /^[A-Za-z0-9_.:-]{1,64}$/;

function isRedisInstance(value: object): value is Redis {
  return typeof (value as { duplicate?: unknown }).duplicate === 'function' && 'options' in value;
}

function redisConnection(value: unknown, field: string): RedisConnection {
  if (value == null) return 'redis://127.0.0.1:6379';
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionsError(`${field} must be a URL, ioredis options or an ioredis instance, got ${describe(value)}`);
  }
  if (!isRedisInstance(value) && 'keyPrefix' in value && value.keyPrefix) {
    throw new InvalidOptionsError(`${field}.keyPrefix is not supported; use namespace instead`);
  }
  return value as RedisConnection;
}

function logger(value: unknown, field: string): Logger {
  if (value == null) return consoleLogger;
  const l = value as Partial<Logger> | null;
  if (typeof l !== 'object' || l === null || typeof l.warn !== 'function' || typeof l.error !== 'function') {
    throw new InvalidOptionsError(`${field} must have warn() and error() methods`);
  }
  return value as Logger;
}

/**
 * Validates connection options. Keys it does not know are left to the other options of the same object.
 * @param input - the options given (may be omitted)
 * @param what - how messages name the owner (`Enqueuer` → `Enqueuer.namespace`)
 * @returns the validated options, with defaults
 * @throws {@link InvalidOptionsError} naming the field
 * @internal
 */
export function resolveConnectionOptions(input: unknown, what: string): ResolvedConnectionOptions {
  const E = InvalidOptionsError;
  const o = object(input ?? {}, what, E, ['redis', 'namespace', 'logger', 'commandTimeout'], { label: `${what} options`, others: 'ignore' });
  // null redis, namespace or logger means the default, as undefined does
  return {
    redis: redisConnection(o.redis, `${what}.redis`),
    namespace: text(o.namespace ?? undefined, `${what}.namespace`, E, {
      pattern: NAMESPACE,
      expected: '1-64 characters of letters, digits, "_", ".", ":" or "-"',
      fallback: 'default',
    }),
    logger: logger(o.logger, `${what}.logger`),
    commandTimeoutMs: duration(o.commandTimeout, `${what}.commandTimeout`, E, { allowZero: false, fallback: 5000 }),
  };
}

/**
 * Validates worker pool options.
 * @param input - the options given (may be omitted)
 * @param what - how messages name the owner (default `WorkerPool`)
 * @returns the validated options, with defaults
 * @throws {@link InvalidOptionsError} naming the field
 * @internal
 */
export function resolveWorkerPoolOptions(input: unknown, what = 'WorkerPool'): ResolvedWorkerPoolOptions {
  const E = InvalidOptionsError;
  const base = resolveConnectionOptions(input, what);
  const o = object(input ?? {}, what, E, ['concurrency', 'lease', 'retention', 'maxFails', 'tracing'], { label: `${what} options`, others: 'ignore' });
  return {
    ...base,
    concurrency: int(o.concurrency, `${what}.concurrency`, E, { min: 1, max: 10_000, fallback: 10 }),
    leaseMs: duration(o.lease, `${what}.lease`, E, { min: 300, fallback: DEFAULT_LEASE_MS }),
    retentionMs: duration(o.retention, `${what}.retention`, E, { fallback: DEFAULT_RETENTION_MS }),
    maxFails: int(o.maxFails, `${what}.maxFails`, E, { min: 1, max: 1_000_000, fallback: DEFAULT_MAX_FAILS }),
    tracing: flag(o.tracing, `${what}.tracing`, E, false),
  };
}

/**
 * Validates the `tracing` option of an {@link Enqueuer} or a {@link Scheduler} (a pool's is part of its options).
 * @param input - the options given (may be omitted)
 * @param what - how messages name the owner (`Enqueuer` → `Enqueuer.tracing`)
 * @returns whether to trace (default false)
 * @throws {@link InvalidOptionsError} if it is not a boolean
 * @internal
 */
export function resolveTracing(input: unknown, what: string): boolean {
  const o = object(input ?? {}, what, InvalidOptionsError, ['tracing'], { label: `${what} options`, others: 'ignore' });
  return flag(o.tracing, `${what}.tracing`, InvalidOptionsError, false);
}
