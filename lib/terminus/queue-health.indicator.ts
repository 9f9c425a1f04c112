import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { InvalidOptionsError, isJobcraftError } from '../core/errors.js';
import type { ComponentHealth } from '../core/health-tracker.js';
import { Inspector } from '../core/inspector.js';
import { Scheduler } from '../core/scheduler.js';
import { duration, object } from '../core/validation.js';
import { WorkerPool } from '../core/worker-pool.js';

/** Options of {@link QueueHealthIndicator.isHealthy}. */
export interface QueueHealthOptions {
  /** Down when any job name's oldest queued job has waited longer than this (ms). Default: no limit. */
  maxQueueAgeMs?: number;
  /** How long Redis may take to answer the check's reads, all together (ms, default 1000). */
  timeoutMs?: number;
}

/**
 * How this process's worker pool or scheduler stands, in the check's details: its state (`off` when this process
 * does not run it, e.g. `workers: false`), since when (ISO time) and its latest error.
 */
export type QueueComponentDetails = {
  /** `off`, `running`, `degraded` (its Redis work keeps failing; it retries), `stopping` or `stopped`. */
  state: 'off' | 'running' | 'degraded' | 'stopping' | 'stopped';
  /** When it entered that state (ISO 8601); absent when `off`. */
  since?: string;
  /** Its latest failure (kept after it recovered). */
  lastError?: { message: string; at: string };
};

/** The details of a {@link QueueHealthIndicator.isHealthy} result (the object under its key in the response). */
export type QueueHealthDetails = {
  /** Why the check is down (several reasons are joined with `; `); absent when up. */
  message?: string;
  /** The PING round trip (ms), when Redis answered in time. */
  redisLatencyMs?: number;
  /** This process's worker pool, with the jobs it runs now. */
  workers: QueueComponentDetails & { active: number };
  /** This process's scheduler, with the last tick it fired: `lateMs` is the claim's Redis time minus the tick. */
  scheduler: QueueComponentDetails & { lastTick?: { entry: string; lateMs: number; at: string } };
  /** Live worker pools in the namespace, all processes together (read from Redis). */
  workersAlive?: number;
  /** The job name whose oldest queued job has waited longest, and how long (ms); absent when nothing is queued. */
  oldestQueued?: { name: string; ageMs: number };
};

/** The result {@link QueueHealthIndicator.isHealthy} resolves to: `{ [key]: { status, ...details } }`. */
export type QueueHealthResult<Key extends string> = HealthIndicatorResult<Key, 'up' | 'down', QueueHealthDetails>;

/** What the check reads from Redis. */
interface RedisReadings {
  latencyMs: number;
  alive: number;
  oldest: { name: string; ageMs: number }[];
}

/**
 * A `@nestjs/terminus` health indicator for jobcraft (Terminus 11+, whose `HealthIndicatorService` it uses). Up when
 * Redis answers within `timeoutMs` and this process's worker pool and scheduler run (each only if this process
 * runs it: `workers: false` and `scheduler: false` leave it out), down otherwise, with the reason in `message`.
 * Down as well when `maxQueueAgeMs` is given and a job name's oldest queued job has waited longer. A down result
 * makes `HealthCheckService.check` answer 503. It never throws for an unhealthy queue, only for bad options.
 *
 * Import `QueueHealthModule` next to `TerminusModule`, or add this class to the providers of a module that imports
 * `TerminusModule` and sees `QueueModule`'s providers (it is global by default).
 *
 * @example
 * ```ts
 * @Controller('health')
 * class HealthController {
 *   constructor(private readonly health: HealthCheckService, private readonly queue: QueueHealthIndicator) {}
 *   @Get() @HealthCheck()
 *   check() { return this.health.check([() => this.queue.isHealthy('jobcraft', { maxQueueAgeMs: 60_000 })]); }
 * }
 * ```
 */
@Injectable()
export class QueueHealthIndicator {
  private lastTick?: { entry: string; lateMs: number; at: number };

  /**
   * @param healthIndicatorService - Terminus's result builder (from `TerminusModule`)
   * @param pool - this process's worker pool (from `QueueModule`)
   * @param scheduler - this process's scheduler (from `QueueModule`)
   * @param inspector - reads the namespace on the runtime's connection (from `QueueModule`)
   */
  constructor(
    private readonly healthIndicatorService: HealthIndicatorService,
    private readonly pool: WorkerPool,
    private readonly scheduler: Scheduler,
    private readonly inspector: Inspector,
  ) {
    scheduler.on('tick:fired', (e) => (this.lastTick = { entry: e.entry, lateMs: e.lateMs, at: Date.now() }));
  }

  /**
   * Checks Redis (one PING, the live workers and each job name's oldest queued job, all within `timeoutMs`) and
   * this process's pool and scheduler.
   * @param key - the key of the result in the health response, e.g. `'jobcraft'`
   * @param options - `maxQueueAgeMs`, `timeoutMs`
   * @returns `{ [key]: { status: 'up' | 'down', ...details } }`; when down, `message` says why
   * @throws `InvalidOptionsError` (from `jobcraft`) if an option is invalid
   */
  async isHealthy<const Key extends string>(key: Key, options: QueueHealthOptions = {}): Promise<QueueHealthResult<Key>> {
    const where = 'QueueHealthIndicator.isHealthy';
    const o = object(options ?? {}, where, InvalidOptionsError, ['maxQueueAgeMs', 'timeoutMs']);
    const maxAgeMs = duration(o.maxQueueAgeMs, `${where}: maxQueueAgeMs`, InvalidOptionsError);
    const timeoutMs = duration(o.timeoutMs, `${where}: timeoutMs`, InvalidOptionsError, { allowZero: false, fallback: 1000 });
    const session = this.healthIndicatorService.check(key);
    const reasons: string[] = [];

    const pool = this.pool.health();
    const scheduler = this.scheduler.health();
    const workers = { ...componentDetails(pool), active: this.pool.activeCount };
    const schedulerDetails = {
      ...componentDetails(scheduler),
      ...(this.lastTick ? { lastTick: { ...this.lastTick, at: new Date(this.lastTick.at).toISOString() } } : {}),
    };
    const problem = (what: string, h: ComponentHealth) => {
      if (h.state === 'new' || h.state === 'running') return; // 'new' after bootstrap: not run in this process
      const error = h.state === 'degraded' && h.lastError ? ` (${h.lastError.message})` : '';
      reasons.push(`${what} ${h.state} since ${new Date(h.since).toISOString()}${error}`);
    };
    problem('worker pool', pool);
    problem('scheduler', scheduler);

    const details: QueueHealthDetails = { workers, scheduler: schedulerDetails };
    try {
      const r = await within(timeoutMs, this.readRedis());
      details.redisLatencyMs = r.latencyMs;
      details.workersAlive = r.alive;
      if (r.oldest[0]) details.oldestQueued = { name: r.oldest[0].name, ageMs: r.oldest[0].ageMs };
      if (maxAgeMs !== undefined) {
        for (const q of r.oldest.filter((q) => q.ageMs > maxAgeMs)) {
          reasons.push(`the oldest queued "${q.name}" job has waited ${q.ageMs} ms (maxQueueAgeMs ${maxAgeMs})`);
        }
      }
    } catch (err) {
      reasons.unshift(
        err instanceof TimeoutError ? `Redis did not answer within ${timeoutMs} ms`
        : isJobcraftError(err) ? err.message // names Redis and the operation already
        : `reading from Redis failed: ${(err as Error).message}`,
      );
    }

    if (reasons.length === 0) return session.up(details);
    return session.down({ ...details, message: reasons.join('; ') });
  }

  private async readRedis(): Promise<RedisReadings> {
    const latencyMs = await this.inspector.ping();
    const [workers, oldest] = await Promise.all([this.inspector.workers(), this.inspector.oldestQueued()]);
    return { latencyMs, alive: workers.length, oldest };
  }
}

/** The details of one component, with times as ISO strings. */
function componentDetails(h: ComponentHealth): QueueComponentDetails {
  const lastError = h.lastError ? { lastError: { message: h.lastError.message, at: new Date(h.lastError.at).toISOString() } } : {};
  if (h.state === 'new') return { state: 'off', ...lastError };
  return { state: h.state, since: new Date(h.since).toISOString(), ...lastError };
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Settles as `work` does, or rejects with a {@link TimeoutError} after `ms` (`work` is still awaited, its outcome dropped). */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
