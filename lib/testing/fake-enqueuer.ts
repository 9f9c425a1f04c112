import { Enqueuer } from '../core/enqueuer.js';
import {
  DuplicateJobError, InvalidJobError, InvalidOptionsError, JobNotFoundError, NonRetryableError, QueueClosedError, WaitTimeoutError,
} from '../core/errors.js';
import { HandlerRegistry, type HandlerEntry } from '../core/handler-registry.js';
import { JobContext } from '../core/job-context.js';
import { argsFingerprint, newJobId } from '../core/job-id.js';
import { DEFAULT_MAX_FAILS, DEFAULT_RETENTION_MS, resolveConnectionOptions } from '../core/options.js';
import { decideOutcome, settingsOf, type AttemptResult } from '../core/outcome.js';
import type { Connections } from '../core/redis/connections.js';
import { Keys } from '../core/redis/keys.js';
import { RedisClock } from '../core/redis/redis-clock.js';
import { SHARED_CONTEXT, type RedisContext } from '../core/redis/redis-context.js';
import { runChain } from '../core/run-chain.js';
import { toMs, type Duration } from '../core/spec/duration.js';
import type {
  EnqueuedJob, EnqueueOptions, HandleOptions, Handler, JobArgsOf, JobInfo, JobMap, JobNameOf, JobSpecOf, JobState, JsonValue, Middleware,
} from '../core/types.js';
import { validateJob, validateJobs, type ValidJob } from '../core/validate.js';
import { int, object } from '../core/validation.js';

/** Options of a {@link FakeEnqueuer}. */
export interface FakeEnqueuerOptions {
  /** What `namespace` reports (default `default`). */
  namespace?: string;
  /** Failed attempts before a job goes dead, when neither the job nor its handler says (default 5, as a pool). */
  maxFails?: number;
}

/** A job a {@link FakeEnqueuer} recorded: its record as `getJob` reads it, plus what it was enqueued with. */
export interface FakeJob<A = JsonValue, R = JsonValue> extends JobInfo<A, R> {
  /** The options it was enqueued with, as given (`delay`, `runAt`, `priority`… are recorded, not waited for). */
  options: EnqueueOptions;
  /** When its `delay` or `runAt` would make it due (ms since epoch, this process's clock). */
  runAt?: number;
}

/** Options of {@link FakeEnqueuer.runAll}. */
export interface RunAllOptions {
  /** Most jobs one call runs, counting jobs the handlers enqueue meanwhile (default 1000). */
  maxJobs?: number;
}

/** A recorded job and what running it needs. */
interface Entry {
  info: JobInfo;
  given: EnqueueOptions;
  valid: ValidJob['options'];
  argsJson: string;
  runAt?: number;
  fails: number;
  uniqueKey?: string;
}

const WAITING: ReadonlySet<JobState> = new Set(['queued', 'scheduled', 'retrying']);
const LIVE: ReadonlySet<JobState> = new Set(['queued', 'scheduled', 'retrying', 'active']);
const FINISHED: ReadonlySet<JobState> = new Set(['completed', 'dead', 'cancelled']);

/** A context whose connections refuse every use: the fake overrides everything of `Enqueuer` that talks to Redis. */
function offlineContext(namespace: string): RedisContext {
  const conn = new Proxy({}, {
    get(_target, prop) {
      if (prop === 'then') return undefined;
      throw new Error(`FakeEnqueuer never talks to Redis (it was asked for connection.${String(prop)})`);
    },
  }) as Connections;
  return { conn, keys: new Keys(namespace), clock: new RedisClock() };
}

function baseOptions(options: unknown): { namespace: string; maxFails: number; shared: object } {
  const o = object(options ?? {}, 'FakeEnqueuer', InvalidOptionsError, ['namespace', 'maxFails']);
  const { namespace } = resolveConnectionOptions({ namespace: o.namespace }, 'FakeEnqueuer');
  const maxFails = int(o.maxFails, 'FakeEnqueuer.maxFails', InvalidOptionsError, { min: 1, max: 1_000_000, fallback: DEFAULT_MAX_FAILS });
  return { namespace, maxFails, shared: { namespace, [SHARED_CONTEXT]: offlineContext(namespace) } };
}

/**
 * An `Enqueuer` for unit tests (Sidekiq's fake mode): it records jobs in memory instead of writing them to
 * Redis, and runs them when asked, inline, through the same handlers and middleware as a worker would. It never
 * connects to Redis. In a Nest app, `QueueModule.forTest()` provides it in place of `Enqueuer`, so services that
 * inject `Enqueuer` get it unchanged; without Nest, register handlers on it with `handle` and `use`.
 *
 * - `enqueue`/`enqueueMany` validate their input exactly as the real `Enqueuer` does (same `InvalidJobError`s).
 * - A custom `id` or a `unique`/`uniqueKey` held by a live job (queued, scheduled, active or retrying) is refused
 *   with `DuplicateJobError`, as in Redis; a unique key is released when its job completes or dies.
 * - `delay`, `runAt` and `priority` are recorded (`options`, `runAt`, state `scheduled`) but not waited for:
 *   `runAll` runs jobs in enqueue order, whatever their due time. Retention is not simulated: records stay until
 *   `clear()`.
 * - An attempt runs the middleware chain and handler with the job's `timeout`, and its outcome (completed, retrying
 *   or dead, with `maxFails` and `NonRetryableError`) is decided as a worker decides it.
 *
 * @example
 * ```ts
 * const fake = new FakeEnqueuer().handle('food', async (job) => `ate ${job.args}`);
 * await placeOrder(fake);                      // code under test, typed with Enqueuer
 * expect(fake.jobsNamed('food')).toHaveLength(1);
 * await fake.runAll();
 * ```
 * @typeParam Jobs - optional map of job name → args type (see `JobMap`)
 */
export class FakeEnqueuer<Jobs extends object = JobMap> extends Enqueuer<Jobs> {
  private readonly entries: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  private readonly uniques = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private readonly defaults: { maxFails: number; retentionMs: number };
  private registry = new HandlerRegistry();
  private readonly registrations: ((r: HandlerRegistry) => void)[] = [];
  private compiled?: Map<string, HandlerEntry>;
  private isClosed = false;

  /**
   * @param options - `namespace`, `maxFails`
   * @throws `InvalidOptionsError` if an option is invalid
   */
  constructor(options: FakeEnqueuerOptions = {}) {
    const base = baseOptions(options);
    super(base.shared);
    this.defaults = { maxFails: base.maxFails, retentionMs: DEFAULT_RETENTION_MS };
  }

  /**
   * Registers the handler of a job name, as `WorkerPool.handle` does (same validation).
   * @param name - the job name
   * @param handler - runs the job; what it returns (JSON) is the job's result
   * @param options - maxFails, timeout, backoff (concurrency and retention are accepted and ignored)
   * @returns this fake
   * @throws `DuplicateHandlerError` if the name already has a handler
   * @throws `InvalidOptionsError` if an option is invalid
   */
  handle<A = JsonValue>(name: string, handler: Handler<A>, options?: HandleOptions): this {
    this.register((r) => r.handle(name, handler as Handler, options));
    return this;
  }

  /**
   * Adds middleware, run around every job in the order added, as `WorkerPool.use` does.
   * @param middleware - `(job, next) => next()`
   * @returns this fake
   */
  use(middleware: Middleware): this {
    this.register((r) => r.use(middleware));
    return this;
  }

  /** Every job recorded since the last `clear()`, in enqueue order (copies: change nothing through them). */
  get jobs(): FakeJob[] {
    return this.entries.map((e) => this.snapshot(e));
  }

  /**
   * The recorded jobs of one name, in enqueue order.
   * @param name - the job name
   * @returns copies of their records
   */
  jobsNamed<N extends JobNameOf<Jobs>>(name: N): FakeJob<JobArgsOf<Jobs, N>>[] {
    return this.entries.filter((e) => e.info.name === name).map((e) => this.snapshot(e) as FakeJob<JobArgsOf<Jobs, N>>);
  }

  /** Forgets every recorded job and unique key (handlers stay registered). */
  clear(): void {
    this.entries.length = 0;
    this.byId.clear();
    this.uniques.clear();
    this.changed();
  }

  /**
   * Records one job, validated as the real `Enqueuer` validates it.
   * @param name - the job name
   * @param args - JSON data for the handler (omitted = null)
   * @param options - id, delay/runAt, unique/uniqueKey, maxFails, backoff, timeout, retention, priority
   * @returns the job as recorded
   * @throws `InvalidJobError` if the name, args or options are invalid (nothing recorded)
   * @throws `DuplicateJobError` if a live job holds the custom id or the unique key
   * @throws `QueueClosedError` after `close()`
   */
  override async enqueue<N extends JobNameOf<Jobs>>(name: N, args?: JobArgsOf<Jobs, N>, options?: EnqueueOptions): Promise<EnqueuedJob<JobArgsOf<Jobs, N>>> {
    const job = validateJob(name, args, options, 'enqueue');
    if (this.isClosed) throw new QueueClosedError('Enqueuer');
    const out = this.record(job, args, options);
    if (out instanceof DuplicateJobError) throw out;
    return out as EnqueuedJob<JobArgsOf<Jobs, N>>;
  }

  /**
   * Records many jobs; each is accepted or refused on its own. All are validated first: if any is invalid, none is
   * recorded.
   * @param jobs - the jobs
   * @returns per job, in order, the job as recorded or the `DuplicateJobError` that refused it
   * @throws `InvalidJobError` naming the first invalid job (nothing recorded)
   */
  override async enqueueMany(jobs: readonly JobSpecOf<Jobs>[]): Promise<(EnqueuedJob<JobArgsOf<Jobs, JobNameOf<Jobs>>> | DuplicateJobError)[]> {
    const valid = validateJobs(jobs);
    if (this.isClosed) throw new QueueClosedError('Enqueuer');
    return valid.map((job, i) => this.record(job, jobs[i]!.args, jobs[i]!.options) as EnqueuedJob<JobArgsOf<Jobs, JobNameOf<Jobs>>> | DuplicateJobError);
  }

  /**
   * Reads a recorded job.
   * @param id - the job id
   * @returns a copy of its record, or null
   */
  override async getJob<A = JsonValue, R = JsonValue>(id: string): Promise<JobInfo<A, R> | null> {
    if (typeof id !== 'string' || id === '') throw new InvalidJobError(`getJob(id) needs a non-empty string, got ${String(id)}`);
    const entry = this.byId.get(id);
    return entry ? (structuredClone(entry.info) as JobInfo<A, R>) : null;
  }

  /**
   * Waits until a recorded job is completed, dead or cancelled: by a `run` or `runAll` elsewhere in the test.
   * @param id - the job id
   * @param options - `timeout` (default: wait as long as it takes)
   * @returns the finished job's record
   * @throws `WaitTimeoutError` if it has not finished within the timeout
   * @throws `JobNotFoundError` if no such job is recorded (or it was cleared)
   */
  override async waitFor<A = JsonValue, R = JsonValue>(id: string, options: { timeout?: Duration } = {}): Promise<JobInfo<A, R>> {
    if (this.isClosed) throw new QueueClosedError('Enqueuer');
    const timeoutMs = options.timeout === undefined ? Infinity : toMs(options.timeout, 'waitFor.timeout');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const info = await this.getJob<A, R>(id);
      if (info === null) throw new JobNotFoundError(id);
      if (FINISHED.has(info.state)) return info;
      const left = deadline - Date.now();
      if (left <= 0) throw new WaitTimeoutError(id, timeoutMs);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.listeners.delete(wake);
          resolve();
        };
        const timer = Number.isFinite(left) ? setTimeout(wake, left) : undefined;
        this.listeners.add(wake);
      });
    }
  }

  /** Refuses later enqueues with `QueueClosedError`. Idempotent. */
  override async close(): Promise<void> {
    this.isClosed = true;
  }

  /**
   * Runs one attempt of a recorded job now, whatever its due time, through the middleware and its handler.
   * Its outcome is recorded as a worker records it: completed, retrying (run it again to retry) or dead.
   * @param id - the job id
   * @returns the completed job's record
   * @throws whatever the handler (or a middleware) threw, once the failed attempt is recorded
   * @throws `JobNotFoundError` if no such job is recorded
   * @throws `InvalidOptionsError` if the job is not waiting (queued, scheduled or retrying) or its name has no handler
   */
  async run(id: string): Promise<JobInfo> {
    const entry = this.byId.get(id);
    if (!entry) throw new JobNotFoundError(id);
    const { info } = entry;
    if (!WAITING.has(info.state)) throw new InvalidOptionsError(`run("${id}"): the job is ${info.state}; only queued, scheduled or retrying jobs run`);
    const handler = this.handlers().get(info.name);
    if (!handler) {
      const known = [...this.handlers().keys()].join(', ') || 'none';
      throw new InvalidOptionsError(`run("${id}"): no handler is registered for job "${info.name}" (registered: ${known})`);
    }
    const attempt = entry.fails + 1;
    this.update(entry, { state: 'active', attempts: attempt, startedAt: Date.now() });
    const ctx = new JobContext(id, info.name, JSON.parse(entry.argsJson) as JsonValue, attempt, info.enqueuedAt, undefined, async (value) => {
      info.progress = JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
    });
    const settings = settingsOf(entry.valid, handler, this.defaults);
    let result: AttemptResult;
    try {
      result = { ok: true, value: await runChain(ctx, handler.run, settings.timeoutMs) };
    } catch (error) {
      result = { ok: false, error };
    }
    const outcome = decideOutcome({ fails: entry.fails }, settings, result);
    const now = Date.now();
    if (outcome.kind === 'complete') {
      this.release(entry);
      this.update(entry, { state: 'completed', result: JSON.parse(outcome.resultJson) as JsonValue, finishedAt: now });
      return structuredClone(info);
    }
    entry.fails = outcome.fails;
    if (outcome.kind === 'retry') {
      this.update(entry, { state: 'retrying', attempts: outcome.fails, error: outcome.error });
    } else {
      this.release(entry);
      this.update(entry, { state: 'dead', attempts: outcome.fails, error: outcome.error, finishedAt: now });
    }
    throw result.ok ? new NonRetryableError(outcome.error.message) : result.error;
  }

  /**
   * Runs every waiting job (queued, scheduled or retrying) whose name has a handler, one at a time in enqueue
   * order, including the jobs those handlers enqueue meanwhile, until none is left. Jobs of names with no handler
   * stay queued. Stops at the first attempt that fails and rethrows its error (that job is then retrying or dead).
   * @param options - `maxJobs` (default 1000)
   * @returns the records of the jobs it ran, in the order run
   * @throws whatever a handler threw
   * @throws `Error` if it ran `maxJobs` jobs and more were waiting (e.g. a handler that always enqueues another)
   */
  async runAll(options: RunAllOptions = {}): Promise<JobInfo[]> {
    const o = object(options, 'runAll', InvalidOptionsError, ['maxJobs']);
    const maxJobs = int(o.maxJobs, 'runAll.maxJobs', InvalidOptionsError, { min: 1, max: 1_000_000, fallback: 1000 });
    const ran: JobInfo[] = [];
    for (;;) {
      const handlers = this.handlers();
      const next = this.entries.find((e) => WAITING.has(e.info.state) && handlers.has(e.info.name));
      if (!next) return ran;
      if (ran.length >= maxJobs) {
        const names = [...new Set(this.entries.filter((e) => WAITING.has(e.info.state) && handlers.has(e.info.name)).map((e) => e.info.name))];
        throw new Error(`runAll: ran ${maxJobs} jobs and jobs of ${names.join(', ')} are still waiting; does a handler enqueue jobs endlessly? (raise maxJobs if not)`);
      }
      ran.push(await this.run(next.info.id));
    }
  }

  private register(apply: (r: HandlerRegistry) => void): void {
    if (this.compiled) {
      // the registry froze when it was compiled: rebuild it with what was registered so far
      this.registry = new HandlerRegistry();
      for (const r of this.registrations) r(this.registry);
      this.compiled = undefined;
    }
    apply(this.registry); // validates: nothing is kept if it throws
    this.registrations.push(apply);
  }

  private handlers(): Map<string, HandlerEntry> {
    return (this.compiled ??= this.registry.compile());
  }

  private record(job: ValidJob, args: unknown, given: EnqueueOptions | undefined): EnqueuedJob | DuplicateJobError {
    const o = job.options;
    const now = Date.now();
    const id = o.id ?? newJobId(now);
    const previous = this.byId.get(id);
    if (previous && LIVE.has(previous.info.state)) return new DuplicateJobError(id, 'id', job.name);
    let uniqueKey: string | undefined;
    if (o.unique) {
      uniqueKey = `${job.name}\u0000${o.uniqueKey ?? `#${argsFingerprint(job.argsJson)}`}`;
      const holder = this.uniques.get(uniqueKey);
      const held = holder === undefined ? undefined : this.byId.get(holder);
      if (holder !== undefined && held && LIVE.has(held.info.state)) return new DuplicateJobError(holder, 'unique', job.name);
    }
    if (previous) this.entries.splice(this.entries.indexOf(previous), 1); // a finished job with this id is replaced
    const runAt = o.priority !== undefined ? undefined : (o.runAtMs ?? (o.delayMs ? now + o.delayMs : undefined));
    const info: JobInfo = {
      id, name: job.name, args: JSON.parse(job.argsJson) as JsonValue, state: runAt === undefined ? 'queued' : 'scheduled', attempts: 0, enqueuedAt: now,
    };
    const entry: Entry = { info, given: given === undefined ? {} : structuredClone(given), valid: o, argsJson: job.argsJson, fails: 0, uniqueKey };
    if (runAt !== undefined) entry.runAt = runAt;
    if (uniqueKey !== undefined) this.uniques.set(uniqueKey, id);
    this.entries.push(entry);
    this.byId.set(id, entry);
    this.changed();
    const out: EnqueuedJob = { id, name: job.name, args: (args ?? null) as JsonValue, enqueuedAt: now };
    if (runAt !== undefined) out.runAt = runAt;
    return out;
  }

  private update(entry: Entry, fields: Partial<JobInfo>): void {
    Object.assign(entry.info, fields);
    this.changed();
  }

  private release(entry: Entry): void {
    if (entry.uniqueKey !== undefined && this.uniques.get(entry.uniqueKey) === entry.info.id) this.uniques.delete(entry.uniqueKey);
  }

  private changed(): void {
    for (const wake of [...this.listeners]) wake();
  }

  private snapshot(entry: Entry): FakeJob {
    const job: FakeJob = { ...structuredClone(entry.info), options: structuredClone(entry.given) };
    if (entry.runAt !== undefined) job.runAt = entry.runAt;
    return job;
  }
}
