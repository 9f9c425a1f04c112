import { AckBuffer } from './ack-buffer.js';
import { Claimer, type StartedJob } from './claimer.js';
import { hostname } from 'node:os';
import { JobCancelledError, QueueClosedError } from './errors.js';
import { Emitter, type WorkerPoolEvents } from './events.js';
import { HandlerRegistry, type HandlerEntry } from './handler-registry.js';
import { HealthTracker, type ComponentHealth } from './health-tracker.js';
import { JobContext } from './job-context.js';
import { LeaseKeeper } from './lease-keeper.js';
import { LongTimer } from './long-timer.js';
import { runChain } from './run-chain.js';
import { createJobTracer, type JobTracer, type ProcessTrace } from './tracing/job-tracer.js';
import { resolveWorkerPoolOptions, type ResolvedWorkerPoolOptions, type WorkerPoolOptions } from './options.js';
import { decideOutcome, settingsOf, type AttemptResult } from './outcome.js';
import { Recoverer } from './recoverer.js';
import { decodeRunnable, isFinished, type RunnableJob } from './redis/codec.js';
import { JobBroker } from './redis/job-broker.js';
import { rememberContext, sharedContext, type RedisContext } from './redis/redis-context.js';
import { toMs, type Duration } from './spec/duration.js';
import type { HandleOptions, Handler, JobError, JsonValue, Middleware } from './types.js';

class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}
class ShutdownError extends Error {
  override name = 'ShutdownError';
}

interface Running {
  job: RunnableJob;
  entry: HandlerEntry;
  member: string;
  ctx: JobContext;
  /** When this attempt started (local ms), for its run time. */
  startedAt: number;
  /** How long it waited from due to claimed (ms, Redis clock), for the events and the stats. */
  waitMs: number;
  done: Promise<void>;
  /** Set when the outcome must not be recorded (lease lost, or handed back at shutdown). */
  abandoned: boolean;
  /** The attempt's CONSUMER span (`tracing: true` with an SDK registered), ended with its outcome. */
  trace: ProcessTrace | undefined;
}

/** A finished attempt's `jobcraft.job.outcome`, by the kind of outcome decided. */
const TRACE_OUTCOME = { complete: 'completed', retry: 'retrying', bury: 'dead' } as const;

type PoolState = 'new' | 'running' | 'stopping' | 'stopped';

/**
 * Runs jobs: claims them from Redis in batches (never more than `concurrency` at once), runs each through
 * the middleware chain and its handler, and records results, retries and deaths in batched scripts.
 * An idle pool blocks on Redis and starts a new job within about a millisecond; a delayed or retrying job
 * starts within a few milliseconds of its due time (a local timer set from Redis time, not polling).
 * Jobs of a killed worker run again elsewhere one lease (default 4 s) after it stopped renewing.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool({ redis, namespace: 'bowl', concurrency: 10 });
 * pool.use(async (job, next) => { console.log('start', job.id); return next(); });
 * pool.handle('food', async (job) => ({ ok: true }), { maxFails: 4, concurrency: 5, timeout: '1m' });
 * await pool.start();
 * // ...
 * await pool.stop({ timeout: '10s' });
 * ```
 */
export class WorkerPool {
  private readonly options: ResolvedWorkerPoolOptions;
  private readonly redis: RedisContext;
  private readonly ownsConnections: boolean;
  private readonly broker: JobBroker;
  private readonly registry = new HandlerRegistry();
  private readonly events: Emitter<WorkerPoolEvents>;
  private readonly acks: AckBuffer;
  private entries = new Map<string, HandlerEntry>();
  private poolState: PoolState = 'new';
  private stateSince = Date.now();
  private readonly tracker = new HealthTracker();
  private get state(): PoolState {
    return this.poolState;
  }
  private set state(state: PoolState) {
    if (state !== this.poolState) this.stateSince = Date.now();
    this.poolState = state;
  }
  private stopping?: Promise<void>;
  private readonly running = new Map<string, Running>();
  private claimer?: Claimer;
  private leaseKeeper?: LeaseKeeper;
  private recoverer?: Recoverer;
  /** Set by `start()` with `tracing: true`. */
  private tracer?: JobTracer;
  private readonly startedAt = Date.now();

  /**
   * @param options - Redis connection, namespace, concurrency, lease, default retention and maxFails, tracing
   * @throws {@link InvalidOptionsError} if an option is invalid
   */
  constructor(options: WorkerPoolOptions = {}) {
    this.options = resolveWorkerPoolOptions(options);
    ({ redis: this.redis, owned: this.ownsConnections } = sharedContext(options, this.options));
    rememberContext(this, this.redis);
    this.broker = new JobBroker(this.redis);
    this.events = new Emitter((err) => this.options.logger.error(`an event listener threw: ${(err as Error).message}`));
    this.acks = new AckBuffer({
      broker: this.broker,
      logger: this.options.logger,
      health: this.tracker.source('ack'),
      retentionMs: this.options.retentionMs,
      wakeOnComplete: (name) => (this.entries.get(name)?.cap ?? 0) > 0,
      lost: (name, id, attempt) => {
        this.options.logger.warn(`job "${id}" (${name}) finished here after its lease was lost; another worker owns it, outcome dropped`);
        this.events.emit('job:lost', { id, name, attempt });
      },
      sent: () => this.claimer?.request(), // pipelined right behind the acks on the same connection
    });
  }

  /**
   * Adds middleware, run around every job in the order added. It must call `next()` and return its result.
   * @param middleware - `(job, next) => next()`
   * @returns this pool
   * @throws {@link InvalidOptionsError} after `start()`
   */
  use(middleware: Middleware): this {
    this.registry.use(middleware);
    return this;
  }

  /**
   * Registers the handler of a job name. This pool only takes jobs it has a handler for.
   * @param name - the job name
   * @param handler - runs the job; what it returns (JSON) is the job's result
   * @param options - maxFails, cluster-wide concurrency cap, timeout, backoff, retention
   * @returns this pool
   * @throws {@link DuplicateHandlerError} if the name already has a handler
   * @throws {@link InvalidOptionsError} if an option is invalid, or after `start()`
   */
  handle<A = JsonValue>(name: string, handler: Handler<A>, options?: HandleOptions): this {
    this.registry.handle(name, handler as Handler, options);
    return this;
  }

  /**
   * Subscribes to a pool event. Outcome events (`job:completed`, `job:retrying`, `job:dead`, `job:released`) are
   * emitted once the outcome is recorded in Redis.
   * @param event - the event name
   * @param listener - called with the event's payload; a throwing listener is logged, never propagated
   * @returns this pool
   */
  on<K extends keyof WorkerPoolEvents>(event: K, listener: (payload: WorkerPoolEvents[K]) => void): this {
    this.events.on(event, listener);
    return this;
  }

  /**
   * Unsubscribes from a pool event.
   * @param event - the event name
   * @param listener - the listener given to `on`
   * @returns this pool
   */
  off<K extends keyof WorkerPoolEvents>(event: K, listener: (payload: WorkerPoolEvents[K]) => void): this {
    this.events.off(event, listener);
    return this;
  }

  /** Jobs this pool is running now. */
  get activeCount(): number {
    return this.running.size;
  }

  /**
   * Where this pool stands, for health checks: `new` until started, `running`, `degraded` while its Redis work
   * (claiming, renewing leases, recovering, recording outcomes) keeps failing and is retried, `stopping`, `stopped`;
   * since when, and its latest error. Reads local state only (no Redis call).
   * @returns the pool's health
   */
  health(): ComponentHealth {
    return this.tracker.report(this.state, this.stateSince);
  }

  /**
   * Connects and starts taking jobs. A pool with no handlers starts and does nothing.
   * @throws {@link QueueClosedError} if the pool was stopped
   * @throws {@link RedisUnavailableError} if Redis cannot be reached within `commandTimeout`
   * @throws {@link InvalidOptionsError} with `tracing: true`, if `@opentelemetry/api` cannot be loaded
   */
  async start(): Promise<void> {
    if (this.state === 'running') return;
    if (this.state !== 'new') throw new QueueClosedError('WorkerPool');
    if (this.options.tracing) this.tracer ??= await createJobTracer('WorkerPool.tracing');
    this.entries = this.registry.compile();
    if (this.entries.size > 0) await this.redis.conn.ready(); // with no handlers there is nothing to connect for
    if (this.stopping) return; // stop() was called while we connected: it has closed everything
    this.state = 'running';
    if (this.entries.size === 0) return;
    const { logger, leaseMs, concurrency } = this.options;
    const names = [...this.entries.keys()];
    this.claimer = new Claimer({
      broker: this.broker, logger, leaseMs, concurrency,
      caps: new Map(names.map((n) => [n, this.entries.get(n)!.cap])),
      busy: () => this.running.size,
      onStarted: (jobs) => this.onStarted(jobs),
      health: this.tracker.source('claim'),
    });
    this.leaseKeeper = new LeaseKeeper({ broker: this.broker, logger, leaseMs, holder: this, report: () => this.report(), health: this.tracker.source('lease') });
    // a cancellation missed here (subscriber reconnecting) is still caught by the lease keeper, as a lost lease
    await this.broker.onCancelled((id) => this.cancelled(id)).catch((err: unknown) => {
      logger.warn(`subscribing to cancellations failed (a cancelled job is then stopped at its next lease renewal): ${(err as Error).message}`);
    });
    this.recoverer = new Recoverer({
      broker: this.broker, logger, events: this.events, names, leaseMs,
      defaults: (name) => settingsOf({}, this.entries.get(name), this.options),
      health: this.tracker.source('recover'),
    });
    this.leaseKeeper.start();
    this.recoverer.start();
    this.claimer.start();
  }

  /**
   * Stops gracefully: stops taking jobs, waits for running ones up to `timeout` (default 10 s), then aborts
   * their signals and hands them back to the front of their queue (not counted as a failure), records all
   * outcomes (trying until the timeout, then leaving the rest to lease expiry) and closes the connections it owns.
   * Idempotent: later calls return the same promise.
   * @param options - `timeout`: how long running jobs may take to finish
   */
  stop(options: { timeout?: Duration } = {}): Promise<void> {
    this.stopping ??= this.shutdown(options.timeout === undefined ? 10_000 : toMs(options.timeout, 'stop.timeout'));
    return this.stopping;
  }

  /** @internal LeaseHolder: members of running jobs by name. */
  heldLeases(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const r of this.running.values()) {
      if (r.abandoned) continue;
      let list = out.get(r.job.name);
      if (!list) out.set(r.job.name, (list = []));
      list.push(r.member);
    }
    return out;
  }

  /** @internal LeaseHolder: another worker took these jobs; abort ours and drop their outcomes. */
  leasesLost(name: string, members: string[]): void {
    for (const m of members) {
      const r = this.running.get(m);
      if (!r || r.abandoned) continue;
      r.abandoned = true;
      r.ctx.abort(new LeaseLostError('lease lost: another worker now owns this job'));
      if (r.trace) this.tracer!.endProcess(r.trace, 'lost');
      this.running.delete(m); // its slot is free now; whatever the handler does later is ignored
      this.options.logger.warn(`lost the lease on job "${r.job.id}" (${name}); another worker owns it now`);
      this.events.emit('job:lost', { id: r.job.id, name, attempt: r.job.fails + 1 });
    }
    this.claimer?.slotFreed();
    this.claimer?.request();
  }

  /** An operator cancelled a job: if it runs here, abort it; its lease is gone, so nothing it returns is recorded. */
  private cancelled(id: string): void {
    for (const r of this.running.values()) {
      if (r.job.id !== id || r.abandoned) continue;
      r.abandoned = true;
      r.ctx.abort(new JobCancelledError(id));
      if (r.trace) this.tracer!.endProcess(r.trace, 'cancelled');
      this.running.delete(r.member);
      this.events.emit('job:cancelled', { id, name: r.job.name, attempt: r.job.fails + 1, runMs: Date.now() - r.startedAt });
      this.claimer?.slotFreed();
      this.claimer?.request();
    }
  }

  /** What this pool reports to the workers list, every lease renewal; kept for two leases. */
  private report(): Promise<void> {
    const active = [...this.running.values()].map((r) => ({ id: r.job.id, name: r.job.name, startedAt: r.startedAt }));
    const report = { id: this.claimer!.id, host: hostname(), pid: process.pid, names: [...this.entries.keys()], concurrency: this.options.concurrency, active, startedAt: this.startedAt };
    return this.broker.reportWorker(report, 2 * this.options.leaseMs);
  }

  /** Runs what a claim started; records of finished or vanished jobs only lose their lease; corrupt ones are buried. */
  private onStarted(jobs: StartedJob[]): void {
    for (const { name, id, member, record, claimedAt } of jobs) {
      if (record === null || (record !== 'WRONGTYPE' && isFinished(record))) {
        this.acks.release(name, member, {});
        continue;
      }
      const decoded = record === 'WRONGTYPE' ? ({ ok: false, reason: `Corrupt job record "${id}": not a hash` } as const) : decodeRunnable(id, record);
      if (!decoded.ok) {
        this.options.logger.error(`${decoded.reason}; moved to the dead set`);
        const error: JobError = { name: 'CorruptJobError', message: decoded.reason, attempt: 1 };
        const uniqueKey = 'uniqueKey' in decoded ? decoded.uniqueKey : undefined;
        this.acks.bury(name, { member, error: JSON.stringify(error), fails: 1, retentionMs: this.options.retentionMs, uniqueKey }, {
          attempt: 1, recorded: () => this.events.emit('job:dead', { id, name, attempt: 1, error, runMs: 0 }),
        });
        continue;
      }
      if (this.state !== 'running') {
        this.acks.release(name, member, {});
        continue;
      }
      this.run(decoded.job, this.entries.get(name)!, member, claimedAt);
    }
  }

  private run(job: RunnableJob, entry: HandlerEntry, member: string, claimedAt: number): void {
    const attempt = job.fails + 1;
    const ctx = new JobContext(job.id, job.name, job.args, attempt, job.enqueuedAt, job.tick, async (value) => {
      await this.broker.setProgress(job.name, member, JSON.stringify(value));
    });
    const trace = this.tracer?.process(job, attempt); // undefined unless tracing with an SDK registered
    const waitMs = Math.max(0, claimedAt - (job.dueAt ?? job.enqueuedAt));
    const r: Running = { job, entry, member, ctx, abandoned: false, done: Promise.resolve(), startedAt: Date.now(), waitMs, trace };
    this.running.set(member, r);
    if (this.events.has('job:active')) {
      this.events.emit('job:active', { id: job.id, name: job.name, attempt, waitMs, ...(job.tick ? { tick: job.tick } : {}) });
    }
    const timeoutMs = settingsOf(job, entry, this.options).timeoutMs;
    // traced: the chain runs in the span's context, so the handler's spans and enqueues are its children
    r.done = (trace ? this.tracer!.within(trace, () => runChain(ctx, entry.run, timeoutMs)) : runChain(ctx, entry.run, timeoutMs)).then(
      (value) => this.finish(r, { ok: true, value }),
      (error) => this.finish(r, { ok: false, error }),
    );
  }

  private finish(r: Running, result: AttemptResult): void {
    if (r.abandoned) return; // lease lost or handed back: the slot was freed then, the outcome is not ours
    this.running.delete(r.member);
    this.claimer?.slotFreed();
    const { job, entry } = r;
    const base = { id: job.id, name: job.name, attempt: job.fails + 1 };
    const member = r.member;
    const runMs = Date.now() - r.startedAt;
    const waitMs = r.waitMs;
    const outcome = decideOutcome(job, settingsOf(job, entry, this.options), result);
    if (r.trace) this.tracer!.endProcess(r.trace, TRACE_OUTCOME[outcome.kind], outcome.kind === 'complete' ? undefined : outcome.error);
    switch (outcome.kind) {
      case 'complete': {
        const recorded = this.events.has('job:completed') ? () => this.events.emit('job:completed', { ...base, runMs, result: outcome.result }) : undefined;
        this.acks.complete(job.name, { member, result: outcome.resultJson, retentionMs: outcome.retentionMs, uniqueKey: job.uniqueKey, runMs, waitMs }, { attempt: base.attempt, recorded });
        return;
      }
      case 'bury':
        this.acks.bury(job.name, { member, error: outcome.errorJson, fails: outcome.fails, retentionMs: outcome.retentionMs, uniqueKey: job.uniqueKey, runMs, waitMs }, {
          attempt: base.attempt, recorded: () => this.events.emit('job:dead', { ...base, runMs, error: outcome.error }),
        });
        return;
      case 'retry':
        if (outcome.backoffFailed) this.options.logger.error(`backoff for job "${job.id}" failed, retrying in 1 s: ${outcome.backoffFailed.message}`);
        this.acks.retry(job.name, { member, error: outcome.errorJson, fails: outcome.fails, delayMs: outcome.delayMs, runMs, waitMs }, {
          attempt: base.attempt, recorded: () => this.events.emit('job:retrying', { ...base, runMs, error: outcome.error, delayMs: outcome.delayMs }),
        });
    }
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    if (this.state === 'new' || this.state === 'stopped') {
      this.state = 'stopped';
      if (this.ownsConnections) await this.redis.conn.close();
      return;
    }
    this.state = 'stopping';
    await this.claimer?.stop(); // claims that land meanwhile are handed back by onStarted, since we are stopping
    const inFlight = [...this.running.values()];
    if (inFlight.length) {
      const timer = new LongTimer();
      await new Promise<void>((resolve) => {
        timer.armAt(deadline, resolve);
        void Promise.all(inFlight.map((r) => r.done)).then(() => resolve());
      });
      timer.cancel();
      for (const r of this.running.values()) {
        if (r.abandoned) continue;
        r.abandoned = true;
        r.ctx.abort(new ShutdownError('the worker pool is shutting down; this job was handed back to the queue'));
        if (r.trace) this.tracer!.endProcess(r.trace, 'released');
        const event = { id: r.job.id, name: r.job.name, attempt: r.job.fails + 1 };
        this.acks.release(r.job.name, r.member, { recorded: () => this.events.emit('job:released', event) });
      }
      this.running.clear();
    }
    await this.leaseKeeper?.stop();
    await this.recoverer?.stop();
    if (this.claimer) await this.broker.forgetWorker(this.claimer.id).catch(() => {}); // else it expires in two leases
    await this.acks.drain(Math.max(deadline, Date.now()));
    this.state = 'stopped';
    if (this.ownsConnections) await this.redis.conn.close();
  }
}
