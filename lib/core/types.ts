import type { Duration } from './spec/duration.js';

/** JSON-serializable value: what job args, results and progress may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Where a job is in its life:
 * `scheduled` (waiting for its run time), `queued` (ready to run), `active` (running),
 * `retrying` (failed, waiting for its next attempt), `completed`, `dead` (failed for good),
 * `cancelled` (cancelled by an operator; never retried).
 */
export type JobState = 'scheduled' | 'queued' | 'active' | 'retrying' | 'completed' | 'dead' | 'cancelled';

/** Every job state, in life order. */
export const JOB_STATES: readonly JobState[] = ['scheduled', 'queued', 'active', 'retrying', 'completed', 'dead', 'cancelled'];

/** The last error a job attempt raised, as stored in Redis. */
export interface JobError {
  /** The error's message. */
  message: string;
  /** The error's class name (e.g. `TypeError`). */
  name: string;
  /** The first lines of its stack, if any. */
  stack?: string;
  /** The attempt (1-based) that raised it. */
  attempt: number;
}

/** Retry delay policy stored with a job: exponential with jitter (default) or fixed. */
export interface BackoffSpec {
  /** `'exponential'`: delay·2^(attempt−1), randomised by ±25%, capped at `maxDelay`. `'fixed'`: always `delay`. */
  type: 'exponential' | 'fixed';
  /** Base delay (default 1 s). */
  delay?: Duration;
  /** Upper bound for exponential delays (default 1 h). */
  maxDelay?: Duration;
}

/** A retry delay function: gets the attempt that failed (1-based) and its error, returns ms to wait. */
export type BackoffFunction = (attempt: number, error: unknown) => number;

/** Options accepted by `enqueue`. All optional. */
export interface EnqueueOptions {
  /** Custom job id (1–200 chars, no `|`). A live job with that id makes `enqueue` throw {@link DuplicateJobError}. */
  id?: string;
  /** Run after this delay (ms or `'2s'`), measured on the Redis server's clock. */
  delay?: Duration;
  /** Run at this time (on the Redis server's clock). Exclusive with `delay`. */
  runAt?: Date;
  /** Refuse to enqueue while another job of this name with the same args is unfinished. */
  unique?: boolean;
  /** Refuse to enqueue while another job of this name with this key is unfinished. Implies `unique`. */
  uniqueKey?: string;
  /** Failed attempts allowed before the job goes dead (default: the handler's, else 5). */
  maxFails?: number;
  /** Retry delay policy (default: the handler's, else exponential from 1 s). */
  backoff?: BackoffSpec;
  /** Fail an attempt that runs longer than this (default: the handler's, else none). */
  timeout?: Duration;
  /** How long the finished record (result or error) is kept (default: the pool's, else 24 h). `0` deletes it at once. */
  retention?: Duration;
  /** Integer ≥ 1; prioritised jobs run before plain ones of the same name, higher first. */
  priority?: number;
}

/**
 * Default job map: every job name allowed, args of every type (validated as JSON when enqueued). Declare your own map, e.g.
 * `type Jobs = { food: FoodArgs; analyze: AnalyzeArgs }`, and use `Enqueuer<Jobs>` and `Job<Jobs['food']>` to have
 * job names and args checked at compile time. Types only: nothing changes at runtime.
 */
export type JobMap = Record<string, unknown>;

/** The job names of a job map: every string for the default (untyped) map, else its keys. */
export type JobNameOf<Jobs> = {} extends Jobs ? string : keyof Jobs & string;

/** The args type of job `N` in a job map (`unknown` for a name the map does not list). */
export type JobArgsOf<Jobs, N extends string> = N extends keyof Jobs ? Jobs[N] : unknown;

/** One job of a job map, for `enqueueMany`: its name and matching args. */
export type JobSpecOf<Jobs> = { [N in JobNameOf<Jobs>]: JobSpec<JobArgsOf<Jobs, N>> & { name: N } }[JobNameOf<Jobs>];

/** One job for `enqueueMany`. */
export interface JobSpec<A = JsonValue> {
  /** The job name (the handler it runs). */
  name: string;
  /** The job's arguments. */
  args?: A;
  /** The job's options. */
  options?: EnqueueOptions;
}

/** What `enqueue` returns: the job as written. */
export interface EnqueuedJob<A = JsonValue> {
  /** The job id. */
  id: string;
  /** The job name. */
  name: string;
  /** The job's arguments. */
  args: A;
  /** When it was enqueued (ms since epoch). */
  enqueuedAt: number;
  /** When it is due, for delayed jobs (ms since epoch, Redis clock; approximate for `delay`). */
  runAt?: number;
}

/** A job's record as read back by `getJob` / `waitFor`. */
export interface JobInfo<A = JsonValue, R = JsonValue> {
  /** The job id. */
  id: string;
  /** The job name. */
  name: string;
  /** The job's arguments. */
  args: A;
  /** Where the job is in its life. */
  state: JobState;
  /** Attempts started so far (failed ones plus the current or final one). */
  attempts: number;
  /** Last progress the handler reported. */
  progress?: JsonValue;
  /** What the handler returned (completed jobs). */
  result?: R;
  /** The last error (retrying and dead jobs, or a completed job that failed before). */
  error?: JobError;
  /** When it was enqueued (ms since epoch). */
  enqueuedAt: number;
  /** When its latest attempt started. */
  startedAt?: number;
  /** When it completed, died or was cancelled. */
  finishedAt?: number;
  /** For a periodic entry's job: the tick that created it. */
  tick?: TickInfo;
}

/** The tick that created a periodic entry's job. */
export interface TickInfo {
  /** The periodic entry. */
  entry: string;
  /** The tick's time (Redis clock). */
  at: Date;
  /** The instance that fired it (`manual` for `triggerPeriodic`). */
  firedBy: string;
}

/** The job as a handler sees it. */
export interface Job<A = JsonValue> {
  /** The job id. */
  readonly id: string;
  /** The job name. */
  readonly name: string;
  /** The job's arguments. */
  readonly args: A;
  /** This attempt's number, 1-based. */
  readonly attempt: number;
  /** When the job was enqueued (ms since epoch). */
  readonly enqueuedAt: number;
  /** For a periodic entry's job: the tick that created it. */
  readonly tick?: TickInfo;
  /**
   * Aborted when the attempt times out, the job is cancelled (reason: a `JobCancelledError`), the lease is lost,
   * or the pool shuts down past its drain timeout.
   */
  readonly signal: AbortSignal;
  /**
   * Stores a progress value, readable with `getJob`.
   * @param value - any JSON value (e.g. a percentage)
   */
  progress(value: JsonValue): Promise<void>;
}

/** A job handler: what it returns (JSON) is stored as the job's result. */
export type Handler<A = JsonValue> = (job: Job<A>) => unknown;

/** Calls the rest of the middleware chain and the handler; resolves with the handler's result. */
export type Next = () => Promise<unknown>;

/** Middleware around every job of a pool, run in the order added. Must call `next()` and return its result. */
export type Middleware = (job: Job, next: Next) => unknown;

/** Options for one handler (`pool.handle`). */
export interface HandleOptions {
  /** Failed attempts allowed before a job goes dead (default 5). A job's own `maxFails` wins. */
  maxFails?: number;
  /** Cluster-wide cap on jobs of this name running at once, across all pools. Default: none. */
  concurrency?: number;
  /** Fail an attempt that runs longer than this. A job's own `timeout` wins. Default: none. */
  timeout?: Duration;
  /** Retry delay policy. A job's own `backoff` wins. */
  backoff?: BackoffSpec | BackoffFunction;
  /** Retention of finished records for this name. A job's own `retention` wins. */
  retention?: Duration;
}
