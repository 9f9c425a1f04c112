import { randomBytes } from 'node:crypto';
import { backoffDelay } from './backoff.js';
import { JobTimeoutError, NonRetryableError, QueueClosedError } from './errors.js';
import { Emitter, type WorkerPoolEvents } from './events.js';
import { HandlerRegistry, type HandlerEntry } from './handler-registry.js';
import { JobContext } from './job-context.js';
import { LeaseKeeper } from './lease-keeper.js';
import { resolveWorkerPoolOptions, type ResolvedWorkerPoolOptions, type WorkerPoolOptions } from './options.js';
import { Recoverer } from './recoverer.js';
import { Broker, type BuryItem, type ClaimReply, type CompleteItem, type RetryItem } from './redis/broker.js';
import { decodeRunnable, encodeError, type JobRecord, type RunnableJob } from './redis/codec.js';
import { toMs, type Duration } from './spec/duration.js';
import type { HandleOptions, Handler, JobError, JsonValue, Middleware } from './types.js';

/** Longest a worker blocks waiting for a wake-up before it looks for work anyway (a safety net). */
const BLOCK_MS = 5000;

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
  done: Promise<void>;
  /** Set when the outcome must not be recorded (lease lost, or handed back at shutdown). */
  abandoned: boolean;
}

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
  private readonly broker: Broker;
  private readonly registry = new HandlerRegistry();
  private readonly events: Emitter<WorkerPoolEvents>;
  private readonly workerId = randomBytes(6).toString('base64url');
  private entries = new Map<string, HandlerEntry>();
  private names: string[] = [];
  private state: PoolState = 'new';
  private stopping?: Promise<void>;
  private readonly running = new Map<string, Running>();
  private starting = 0;
  private claimSeq = 0;
  /** Claims in flight: up to two, each for at most half the slots, so one batch's Redis work overlaps another's run. */
  private claimsInFlight = 0;
  private claimAgain = false;
  private claimFailures = 0;
  /** The last claim filled its batch, so more jobs are probably waiting: claim as slots free, no need to block. */
  private backlog = false;
  private rotation = 0;
  private dueTimer?: NodeJS.Timeout;
  private dueAt = Infinity;
  private retryTimer?: NodeJS.Timeout;
  private wakeLoop?: Promise<void>;
  private slotWaiter?: () => void;
  private completes = new Map<string, CompleteItem[]>();
  private retries = new Map<string, RetryItem[]>();
  private burials = new Map<string, BuryItem[]>();
  private releases = new Map<string, string[]>();
  private flushScheduled = false;
  private flushing?: Promise<void>;
  private pendingEvents: (() => void)[] = [];
  private leaseKeeper?: LeaseKeeper;
  private recoverer?: Recoverer;

  /**
   * @param options - Redis connection, namespace, concurrency, lease, default retention and maxFails
   * @throws {@link InvalidOptionsError} if an option is invalid
   */
  constructor(options: WorkerPoolOptions = {}) {
    this.options = resolveWorkerPoolOptions(options);
    this.broker = new Broker(this.options);
    this.events = new Emitter((err) => this.options.logger.error(`an event listener threw: ${(err as Error).message}`));
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
   * Subscribes to a pool event.
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
   * Connects and starts taking jobs. A pool with no handlers starts and does nothing.
   * @throws {@link QueueClosedError} if the pool was stopped
   * @throws {@link RedisUnavailableError} if Redis cannot be reached within `commandTimeout`
   */
  async start(): Promise<void> {
    if (this.state === 'running') return;
    if (this.state !== 'new') throw new QueueClosedError('WorkerPool');
    this.entries = this.registry.compile();
    this.names = [...this.entries.keys()];
    await this.broker.ready();
    if (this.stopping) return; // stop() was called while we connected: it has closed everything
    this.state = 'running';
    if (this.names.length === 0) return;
    const { logger, leaseMs } = this.options;
    this.leaseKeeper = new LeaseKeeper({ broker: this.broker, logger, leaseMs, holder: this });
    this.recoverer = new Recoverer({
      broker: this.broker, logger, events: this.events, names: this.names, leaseMs,
      defaults: (name) => ({
        maxFails: this.entries.get(name)?.maxFails ?? this.options.maxFails,
        retentionMs: this.entries.get(name)?.retentionMs ?? this.options.retentionMs,
      }),
    });
    this.leaseKeeper.start();
    this.recoverer.start();
    this.wakeLoop = this.runWakeLoop();
    this.requestClaim();
  }

  /**
   * Stops gracefully: stops taking jobs, waits for running ones up to `timeout` (default 10 s), then aborts
   * their signals and hands them back to the front of their queue (not counted as a failure), records all
   * outcomes and closes the connections. Idempotent: later calls return the same promise.
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
      this.running.delete(m); // its slot is free now; whatever the handler does later is ignored
      this.options.logger.warn(`lost the lease on job "${r.job.id}" (${name}); another worker owns it now`);
      this.events.emit('job:lost', { id: r.job.id, name, attempt: r.job.fails + 1 });
    }
    this.notifySlot();
    this.requestClaim();
  }

  private get free(): number {
    return this.options.concurrency - this.running.size - this.starting;
  }

  // ---- claiming ---------------------------------------------------------------------------------------

  private requestClaim(): void {
    if (this.state !== 'running') return;
    if (this.claimsInFlight >= this.maxClaimsInFlight || this.free <= 0) {
      this.claimAgain = true;
      return;
    }
    void this.claim();
  }

  private get maxClaimsInFlight(): number {
    return this.options.concurrency > 1 ? 2 : 1;
  }

  private async claim(): Promise<void> {
    this.claimsInFlight++;
    try {
      do {
        this.claimAgain = false;
        const free = Math.min(this.free, Math.ceil(this.options.concurrency / this.maxClaimsInFlight));
        if (free <= 0 || this.state !== 'running') break;
        const names = this.rotatedNames();
        const token = `${this.workerId}.${(this.claimSeq++).toString(36)}`;
        // Reserve the slots for the round trip: a second claim in flight meanwhile must not count them as free.
        this.starting += free;
        let reply: ClaimReply;
        try {
          reply = await this.broker.claimJobs(
            token,
            this.options.leaseMs,
            free,
            names.map((name) => ({ name, room: free, cap: this.entries.get(name)!.cap })),
          );
        } finally {
          this.starting -= free;
        }
        this.armDueTimer(reply);
        const claimed = reply.names.flatMap((n) => n.ids.map((id) => ({ name: n.name, id })));
        this.starting += claimed.length;
        this.backlog = claimed.length >= free;
        if (claimed.length) void this.startJobs(claimed, reply.now, token);
        // a full batch means more may be waiting: let a second claim run alongside this one
        if (claimed.length === free && this.claimsInFlight < this.maxClaimsInFlight) this.requestClaim();
      } while (this.claimAgain);
      this.claimFailures = 0;
    } catch (err) {
      this.backlog = false;
      if (this.state === 'running') {
        if (this.claimFailures++ === 0) this.options.logger.warn(`claiming jobs failed (retrying until Redis answers): ${(err as Error).message}`);
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.requestClaim(), Math.min(1000, 50 * this.claimFailures));
        this.retryTimer.unref();
      }
    } finally {
      this.claimsInFlight--;
      this.notifySlot();
    }
  }

  private rotatedNames(): string[] {
    const n = this.names.length;
    if (n === 1) return this.names;
    const k = this.rotation++ % n;
    return [...this.names.slice(k), ...this.names.slice(0, k)];
  }

  /** Sets a local timer for the earliest future due job, measured against Redis time from the claim reply. */
  private armDueTimer(reply: ClaimReply): void {
    if (this.state !== 'running') return; // a claim that lands during shutdown must not leave a timer behind
    let earliest = Infinity;
    for (const n of reply.names) if (n.nextDue !== undefined && n.nextDue > reply.now) earliest = Math.min(earliest, n.nextDue);
    if (earliest === Infinity) return;
    const at = this.broker.localTime(earliest) ?? Date.now() + (earliest - reply.now);
    if (this.dueTimer && at >= this.dueAt) return;
    clearTimeout(this.dueTimer);
    this.dueAt = at;
    this.dueTimer = setTimeout(() => {
      this.dueTimer = undefined;
      this.dueAt = Infinity;
      this.requestClaim();
    }, Math.max(0, at - Date.now()));
  }

  private async runWakeLoop(): Promise<void> {
    let failures = 0;
    while (this.state === 'running') {
      if (this.free <= 0 || this.backlog) {
        // busy, or jobs are waiting anyway: the next ack or free slot triggers a claim; block on Redis only when idle
        await new Promise<void>((r) => (this.slotWaiter = r));
        continue;
      }
      try {
        const name = await this.broker.waitForWake(this.names, BLOCK_MS);
        failures = 0;
        if (this.state !== 'running') {
          if (name) await this.broker.wake(name).catch(() => {});
          break;
        }
        if (name && this.free <= 0) await this.broker.wake(name); // pass it on to a worker with room
        this.requestClaim();
      } catch (err) {
        if (this.state !== 'running') break;
        if (failures++ === 0) this.options.logger.warn(`waiting for jobs failed (reconnecting): ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * failures)));
        this.requestClaim(); // after a reconnect, look for work we may have missed
      }
    }
  }

  private notifySlot(): void {
    const w = this.slotWaiter;
    this.slotWaiter = undefined;
    w?.();
  }

  // ---- running ----------------------------------------------------------------------------------------

  private async startJobs(claimed: { name: string; id: string }[], now: number, token: string): Promise<void> {
    let records: (JobRecord | 'WRONGTYPE' | null)[];
    try {
      records = await this.broker.startJobs(claimed.map((c) => c.id), now);
    } catch (err) {
      // their leases will expire and the recoverer (ours or another pool's) requeues them
      this.starting -= claimed.length;
      this.options.logger.warn(`starting ${claimed.length} claimed job(s) failed; they will be recovered: ${(err as Error).message}`);
      this.notifySlot();
      return;
    }
    this.starting -= claimed.length;
    for (let i = 0; i < claimed.length; i++) {
      const { name, id } = claimed[i]!;
      const member = `${id}|${token}`;
      const rec = records[i]!;
      if (rec === null || (rec !== 'WRONGTYPE' && (rec.s === 'c' || rec.s === 'd'))) {
        this.queueAck(this.releases, name, member); // record gone or already finished: just drop the lease
        continue;
      }
      const decoded = rec === 'WRONGTYPE' ? ({ ok: false, reason: `Corrupt job record "${id}": not a hash` } as const) : decodeRunnable(id, rec);
      if (!decoded.ok) {
        this.options.logger.error(`${decoded.reason}; moved to the dead set`);
        const error = JSON.stringify({ name: 'CorruptJobError', message: decoded.reason, attempt: 1 } satisfies JobError);
        this.queueAck(this.burials, name, {
          member, id, error, fails: 1, retentionMs: this.options.retentionMs,
          uniqueKey: 'uniqueKey' in decoded ? decoded.uniqueKey : undefined,
        });
        this.pendingEvents.push(() => this.events.emit('job:dead', { id, name, attempt: 1, error: JSON.parse(error) as JobError }));
        continue;
      }
      if (this.state !== 'running') {
        this.queueAck(this.releases, name, member);
        continue;
      }
      this.run(decoded.job, this.entries.get(name)!, member);
    }
    this.notifySlot();
  }

  private run(job: RunnableJob, entry: HandlerEntry, member: string): void {
    const attempt = job.fails + 1;
    const ctx = new JobContext(job.id, job.name, job.args, attempt, job.enqueuedAt, async (value) => {
      await this.broker.setProgress(job.name, member, JSON.stringify(value));
    });
    const r: Running = { job, entry, member, ctx, abandoned: false, done: Promise.resolve() };
    this.running.set(member, r);
    if (this.events.has('job:active')) this.events.emit('job:active', { id: job.id, name: job.name, attempt });
    r.done = this.execute(ctx, entry, job.timeoutMs ?? entry.timeoutMs).then(
      (result) => this.finish(r, true, result),
      (err) => this.finish(r, false, err),
    );
  }

  /** Runs the chain; with a timeout, fails the attempt when it elapses even if the handler ignores its signal. */
  private execute(ctx: JobContext, entry: HandlerEntry, timeoutMs: number | undefined): Promise<unknown> {
    if (timeoutMs === undefined) return entry.run(ctx);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new JobTimeoutError(timeoutMs);
        ctx.abort(err);
        reject(err);
      }, timeoutMs);
      entry.run(ctx).then(
        (v) => { clearTimeout(timer); resolve(v); },
        (e) => { clearTimeout(timer); reject(e); },
      );
    });
  }

  private finish(r: Running, ok: boolean, value: unknown): void {
    if (r.abandoned) return; // lease lost or handed back: the slot was freed then, the outcome is not ours
    this.running.delete(r.member);
    this.notifySlot();
    const { job, entry, member } = r;
    const attempt = job.fails + 1;
    if (ok) {
      let json: string | undefined;
      try {
        json = JSON.stringify(value === undefined ? null : value);
      } catch {
        json = undefined;
      }
      if (json !== undefined) {
        this.queueAck(this.completes, job.name, {
          member, result: json, retentionMs: job.retentionMs ?? entry.retentionMs ?? this.options.retentionMs, uniqueKey: job.uniqueKey,
        });
        if (this.events.has('job:completed')) {
          const result = (value === undefined ? null : value) as JsonValue;
          this.pendingEvents.push(() => this.events.emit('job:completed', { id: job.id, name: job.name, attempt, result }));
        }
        return;
      }
      value = new NonRetryableError('The handler returned a value that is not JSON-serializable');
    }
    const error = encodeError(value, attempt);
    const maxFails = job.maxFails ?? entry.maxFails ?? this.options.maxFails;
    const errInfo = () => JSON.parse(error) as JobError;
    if (value instanceof NonRetryableError || attempt >= maxFails) {
      this.queueAck(this.burials, job.name, {
        member, id: job.id, error, fails: attempt, retentionMs: job.retentionMs ?? entry.retentionMs ?? this.options.retentionMs, uniqueKey: job.uniqueKey,
      });
      this.pendingEvents.push(() => this.events.emit('job:dead', { id: job.id, name: job.name, attempt, error: errInfo() }));
    } else {
      let delayMs: number;
      try {
        delayMs = backoffDelay(job.backoff ?? entry.backoff, attempt, value);
      } catch (err) {
        this.options.logger.error(`backoff for job "${job.id}" failed, retrying in 1 s: ${(err as Error).message}`);
        delayMs = 1000;
      }
      this.queueAck(this.retries, job.name, { member, error, fails: attempt, delayMs });
      this.pendingEvents.push(() => this.events.emit('job:retrying', { id: job.id, name: job.name, attempt, error: errInfo(), delayMs }));
    }
  }

  // ---- recording outcomes (batched) ------------------------------------------------------------------

  private queueAck<T>(map: Map<string, T[]>, name: string, item: T): void {
    let list = map.get(name);
    if (!list) map.set(name, (list = []));
    list.push(item);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Writes all pending outcomes (one script per kind and name), then claims more work in the same tick. */
  private flush(): Promise<void> {
    this.flushScheduled = false;
    if (this.flushing) {
      // one flush at a time: the running one re-flushes what arrived meanwhile
      return this.flushing;
    }
    this.flushing = this.flushLoop().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushLoop(): Promise<void> {
    let failures = 0;
    while (this.completes.size || this.retries.size || this.burials.size || this.releases.size) {
      const completes = this.completes, retries = this.retries, burials = this.burials, releases = this.releases;
      const events = this.pendingEvents;
      this.completes = new Map(); this.retries = new Map(); this.burials = new Map(); this.releases = new Map();
      this.pendingEvents = [];
      const calls: Promise<unknown>[] = [];
      const failed: (() => void)[] = [];
      const track = <T>(p: Promise<T>, requeue: () => void, onOk?: (v: T) => void) =>
        calls.push(p.then((v) => onOk?.(v), (err) => { failed.push(requeue); throw err; }));
      for (const [name, items] of completes) {
        track(this.broker.completeJobs(name, this.entries.get(name)!.cap > 0, this.options.retentionMs, items), () => this.requeue(this.completes, name, items), (o) => this.reportLost(name, items, o));
      }
      for (const [name, items] of retries) {
        track(this.broker.retryJobs(name, items), () => this.requeue(this.retries, name, items), (o) => this.reportLost(name, items, o));
      }
      for (const [name, items] of burials) {
        track(this.broker.buryJobs(name, items), () => this.requeue(this.burials, name, items), (o) => this.reportLost(name, items, o));
      }
      for (const [name, members] of releases) {
        track(this.broker.releaseJobs(name, members), () => this.requeue(this.releases, name, members));
      }
      this.requestClaim(); // pipelined right behind the acks on the same connection
      const results = await Promise.allSettled(calls);
      const firstError = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      for (const emit of events) emit();
      if (firstError) {
        failed.forEach((f) => f());
        if (failures++ === 0) this.options.logger.warn(`recording job outcomes failed (will retry): ${(firstError.reason as Error).message}`);
        if (this.state === 'stopped') return;
        await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** failures)));
        if (this.state === 'stopping' && failures > 20) {
          this.options.logger.error('giving up recording outcomes at shutdown; their leases will expire and the jobs run again');
          return;
        }
      } else {
        failures = 0;
      }
    }
  }

  private requeue<T>(map: Map<string, T[]>, name: string, items: T[]): void {
    const list = map.get(name);
    if (list) list.unshift(...items);
    else map.set(name, [...items]);
  }

  private reportLost(name: string, items: readonly { member: string }[], outcomes: readonly string[]): void {
    outcomes.forEach((o, i) => {
      if (o !== 'LOST') return;
      const id = items[i]!.member.slice(0, items[i]!.member.lastIndexOf('|'));
      this.options.logger.warn(`job "${id}" (${name}) finished here after its lease was lost; another worker owns it, outcome dropped`);
      this.events.emit('job:lost', { id, name, attempt: 0 });
    });
  }

  // ---- shutdown ---------------------------------------------------------------------------------------

  private async shutdown(timeoutMs: number): Promise<void> {
    if (this.state === 'new' || this.state === 'stopped') {
      this.state = 'stopped';
      await this.broker.close();
      return;
    }
    this.state = 'stopping';
    clearTimeout(this.dueTimer);
    clearTimeout(this.retryTimer);
    this.broker.interruptWait();
    this.notifySlot();
    await this.wakeLoop;
    // let in-flight claims land (their jobs are handed back by startJobs, since we are stopping)
    while (this.claimsInFlight > 0 || this.starting > 0) await new Promise((r) => setTimeout(r, 5));
    const inFlight = [...this.running.values()];
    if (inFlight.length) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(inFlight.map((r) => r.done)),
        new Promise((r) => (timer = setTimeout(r, timeoutMs))),
      ]);
      clearTimeout(timer);
      for (const r of this.running.values()) {
        if (r.abandoned) continue;
        r.abandoned = true;
        r.ctx.abort(new ShutdownError('the worker pool is shutting down; this job was handed back to the queue'));
        this.queueAck(this.releases, r.job.name, r.member);
        this.events.emit('job:released', { id: r.job.id, name: r.job.name, attempt: r.job.fails + 1 });
      }
      this.running.clear();
    }
    await this.leaseKeeper?.stop();
    await this.recoverer?.stop();
    await this.flush();
    while (this.flushing) await this.flushing;
    this.state = 'stopped';
    await this.broker.close();
  }
}
