import type { Redis, RedisOptions } from 'ioredis';
import { InvalidOptionsError } from './errors.js';
import { consoleLogger, type Logger } from './logger.js';
import { describe, toMs, type Duration } from './spec/duration.js';

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

/** Options of an {@link Enqueuer}. */
export type EnqueuerOptions = ConnectionOptions;

/** Options of a {@link WorkerPool}. */
export interface WorkerPoolOptions extends ConnectionOptions {
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
}

/** Default retention of finished job records: 24 hours. */
export const DEFAULT_RETENTION_MS = 86_400_000;
/** Default failed attempts allowed before a job goes dead. */
export const DEFAULT_MAX_FAILS = 5;
/** Default lease on a running job. */
export const DEFAULT_LEASE_MS = 4_000;

const NAMESPACE = /^[A-Za-z0-9_.:-]{1,64}$/;

function plainObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionsError(`${what} options must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Checks a positive integer option.
 * @internal
 */
export function positiveInt(value: unknown, field: string, fallback: number, max = 1_000_000): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidOptionsError(`${field} must be an integer from 1 to ${max}, got ${describe(value)}`);
  }
  return value;
}

function isRedisInstance(value: object): value is Redis {
  return typeof (value as { duplicate?: unknown }).duplicate === 'function' && 'options' in value;
}

/**
 * Validates connection options.
 * @internal
 */
export function resolveConnectionOptions(input: unknown, what: string): ResolvedConnectionOptions {
  const o = plainObject(input, what);
  const redis = o.redis ?? 'redis://127.0.0.1:6379';
  if (typeof redis !== 'string' && (typeof redis !== 'object' || redis === null || Array.isArray(redis))) {
    throw new InvalidOptionsError(`${what}.redis must be a URL, ioredis options or an ioredis instance, got ${describe(redis)}`);
  }
  if (typeof redis === 'object' && !isRedisInstance(redis) && 'keyPrefix' in redis && redis.keyPrefix) {
    throw new InvalidOptionsError(`${what}.redis.keyPrefix is not supported; use namespace instead`);
  }
  const namespace = o.namespace ?? 'default';
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new InvalidOptionsError(
      `${what}.namespace must be 1-64 characters of letters, digits, "_", ".", ":" or "-", got ${describe(namespace)}`,
    );
  }
  const logger = (o.logger ?? consoleLogger) as Logger;
  if (typeof logger !== 'object' || typeof logger.warn !== 'function' || typeof logger.error !== 'function') {
    throw new InvalidOptionsError(`${what}.logger must have warn() and error() methods`);
  }
  const commandTimeoutMs =
    o.commandTimeout === undefined ? 5000 : toMs(o.commandTimeout as Duration, `${what}.commandTimeout`, { allowZero: false });
  return { redis: redis as RedisConnection, namespace, logger, commandTimeoutMs };
}

/**
 * Validates worker pool options.
 * @internal
 */
export function resolveWorkerPoolOptions(input: unknown, what = 'WorkerPool'): ResolvedWorkerPoolOptions {
  const base = resolveConnectionOptions(input, what);
  const o = plainObject(input, what);
  const leaseMs = o.lease === undefined ? DEFAULT_LEASE_MS : toMs(o.lease as Duration, `${what}.lease`);
  if (leaseMs < 300) throw new InvalidOptionsError(`${what}.lease must be at least 300 ms, got ${leaseMs} ms`);
  return {
    ...base,
    concurrency: positiveInt(o.concurrency, `${what}.concurrency`, 10, 10_000),
    leaseMs,
    retentionMs: o.retention === undefined ? DEFAULT_RETENTION_MS : toMs(o.retention as Duration, `${what}.retention`),
    maxFails: positiveInt(o.maxFails, `${what}.maxFails`, DEFAULT_MAX_FAILS),
  };
}
