import { Enqueuer } from './enqueuer.js';
import { Inspector } from './inspector.js';
import { resolveWorkerPoolOptions, type WorkerPoolOptions } from './options.js';
import { openRedisContext, SHARED_CONTEXT, type RedisContext } from './redis/redis-context.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';
import type { Duration } from './spec/duration.js';
import type { JobMap } from './types.js';
import { WorkerPool } from './worker-pool.js';

/** Options of {@link createRuntime}: the pool's options (`tracing` applies to all three components), plus the scheduler's. */
export interface RuntimeOptions extends WorkerPoolOptions, Pick<SchedulerOptions, 'instanceId' | 'clock' | 'forgetAfter' | 'tickHistory'> {}

/**
 * An enqueuer, a worker pool and a scheduler on one set of Redis connections, started and stopped in order: what a
 * process runs. Register handlers on `pool` and entries on `scheduler` before {@link JobRuntime.start}.
 * @typeParam Jobs - optional map of job name → args type for the enqueuer (see {@link JobMap})
 */
export interface JobRuntime<Jobs extends object = JobMap> {
  /** Adds jobs and reads them back. */
  readonly enqueuer: Enqueuer<Jobs>;
  /** Runs the jobs it has handlers for. */
  readonly pool: WorkerPool;
  /** Fires periodic entries, once per tick across instances. */
  readonly scheduler: Scheduler;
  /** Sees and steers the namespace (listings, retry, cancel, pause, workers, cron history, stats). */
  readonly inspector: Inspector;
  /**
   * Starts the pool (if it has handlers and `workers` is not false), then the scheduler (if it has entries and
   * `scheduler` is not false). If either fails, everything is stopped and the error rethrown.
   * @param options - `workers`, `scheduler`: whether to run them in this process (default true)
   * @throws {@link RedisUnavailableError} if Redis cannot be reached
   * @throws {@link QueueClosedError} if the runtime was stopped
   */
  start(options?: { workers?: boolean; scheduler?: boolean }): Promise<void>;
  /**
   * Stops what creates and runs jobs: the scheduler first (it creates jobs), then the pool, whose running jobs get
   * `timeout` (default 10 s) before they are handed back. The enqueuer stays usable until {@link JobRuntime.close}.
   * Idempotent.
   * @param options - `timeout`: how long running jobs may take to finish
   */
  drain(options?: { timeout?: Duration }): Promise<void>;
  /** Drains (if not done), finishes the enqueuer's writes, and closes the connections. Idempotent. */
  close(): Promise<void>;
}

class Runtime<Jobs extends object> implements JobRuntime<Jobs> {
  readonly enqueuer: Enqueuer<Jobs>;
  readonly pool: WorkerPool;
  readonly scheduler: Scheduler;
  readonly inspector: Inspector;
  private readonly redis: RedisContext;
  private draining?: Promise<void>;
  private closing?: Promise<void>;

  constructor(options: RuntimeOptions) {
    const resolved = resolveWorkerPoolOptions(options, 'createRuntime');
    this.redis = openRedisContext(resolved, options.clock);
    const shared = { ...options, [SHARED_CONTEXT]: this.redis };
    this.enqueuer = new Enqueuer<Jobs>(shared);
    this.pool = new WorkerPool(shared);
    this.scheduler = new Scheduler(shared);
    this.inspector = new Inspector(shared);
  }

  async start(options: { workers?: boolean; scheduler?: boolean } = {}): Promise<void> {
    try {
      if (options.workers !== false) await this.pool.start();
      if (options.scheduler !== false) await this.scheduler.start();
    } catch (err) {
      await this.close(); // a failed start must not leave connections reconnecting and holding the process
      throw err;
    }
  }

  drain(options: { timeout?: Duration } = {}): Promise<void> {
    this.draining ??= (async () => {
      await this.scheduler.stop();
      await this.pool.stop(options);
    })();
    return this.draining;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.drain().catch(() => {});
      await this.enqueuer.close();
      await this.redis.conn.close();
    })();
    return this.closing;
  }
}

/**
 * Creates a runtime: an {@link Enqueuer}, a {@link WorkerPool} and a {@link Scheduler} sharing one set of Redis
 * connections (a command connection, plus a blocking one when the pool waits for work and a subscriber when the
 * enqueuer waits for results), with one lifecycle, as the Nest module runs them.
 * @param options - Redis connection, namespace, pool and scheduler options
 * @returns the runtime, not started
 * @throws {@link InvalidOptionsError} if an option is invalid
 *
 * @example
 * ```ts
 * const runtime = createRuntime({ redis: 'redis://127.0.0.1:6379', namespace: 'bowl' });
 * runtime.pool.handle('food', async (job) => ({ ok: true }));
 * runtime.scheduler.register('log-tick', '@every 1.5s');
 * await runtime.start();
 * await runtime.enqueuer.enqueue('food', { task: 1 });
 * // at shutdown
 * await runtime.close();
 * ```
 */
export function createRuntime<Jobs extends object = JobMap>(options: RuntimeOptions = {}): JobRuntime<Jobs> {
  return new Runtime<Jobs>(options);
}
