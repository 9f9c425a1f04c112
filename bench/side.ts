// What both queue libraries implement for the benchmark (bench/jobcraft.ts, bench/bullmq.ts), plus the small
// helpers the scenarios share. Every scenario talks to a library only through `QueueSide`, so both run the
// exact same measurement code.

/** The job name (jobcraft) / job name inside the queue (BullMQ) every benchmark job uses. */
export const JOB_NAME = 'noop';

/** The ~100-byte JSON payload every job carries (a type alias, so it is assignable to jobcraft's JsonValue). */
export type Payload = {
  user: string;
  action: string;
  path: string;
  size: number;
  tags: string[];
};

/** Payload number `i`: 108 bytes of JSON for any i < 1,000,000. */
export function makePayload(i: number): Payload {
  return {
    user: `u-${String(i % 1000).padStart(3, '0')}`,
    action: 'resize',
    path: `/images/2026/11/photo-${String(i).padStart(6, '0')}.jpg`,
    size: 1_048_576,
    tags: ['a', 'b'],
  };
}

/** How a benchmark worker behaves. */
export interface WorkerSpec {
  /** Jobs run at once by this worker / pool. */
  concurrency: number;
  /**
   * Called first thing in the handler, with the job id and payload; the handler awaits what it returns, then
   * returns null. Omitted: the handler is a bare `async () => null`.
   */
  onStart?: (id: string, data: Payload) => void | Promise<void>;
  /** Called once the library has recorded a job's completion (its completed event). */
  onCompleted?: (id: string) => void;
}

/** A running worker (a jobcraft WorkerPool or a BullMQ Worker). */
export interface BenchWorker {
  /** Stops taking jobs and closes its connections. */
  stop(): Promise<void>;
}

/** One library under test, bound to one key namespace (jobcraft) / prefix (BullMQ) on one Redis. */
export interface QueueSide {
  /** 'jobcraft' or 'BullMQ'. */
  readonly label: string;
  /** Redis key glob covering everything this side writes (to clean up on a shared Redis). */
  readonly keyPattern: string;
  /** Opens the producer connection, so connecting is never part of a timed section. */
  ready(): Promise<void>;
  /** Enqueues one job to run now, deleted once completed; resolves with its id. */
  add(data: Payload): Promise<string>;
  /** Enqueues one job to run after `delayMs`; resolves with its id. */
  addDelayed(data: Payload, delayMs: number): Promise<string>;
  /** Enqueues a batch of jobs in one library call (addBulk / enqueueMany). */
  addBulk(batch: readonly Payload[]): Promise<void>;
  /** Starts a worker in this process; resolves once it is connected and taking jobs. */
  startWorker(spec: WorkerSpec): Promise<BenchWorker>;
  /** Closes the producer connection (workers are stopped on their own). */
  close(): Promise<void>;
}

/** Creates a side on Redis `url`, with all its keys under `space`. */
export type SideFactory = (url: string, space: string) => QueueSide;

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with a clear message if `work` takes longer than `ms`; `what` may be a function, read at timeout. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const fail = () => new Error(`${typeof what === 'function' ? what() : what}: timed out after ${ms} ms`);
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(fail()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn(0..n-1)` keeping `window` calls in flight at all times (a sliding window, not waves). */
export async function slidingWindow(n: number, window: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, n) }, lane));
}

/**
 * Values announced by key (e.g. "job X started at t"), awaitable by key. An announcement that comes before
 * anyone waits for it is kept, so there is no race between `add()` resolving and the handler starting.
 */
export class Arrivals<T> {
  private readonly early = new Map<string, T>();
  private readonly waiting = new Map<string, (value: T) => void>();

  arrive(key: string, value: T): void {
    const waiter = this.waiting.get(key);
    if (waiter) {
      this.waiting.delete(key);
      waiter(value);
    } else if (!this.early.has(key)) {
      this.early.set(key, value);
    }
  }

  wait(key: string): Promise<T> {
    if (this.early.has(key)) {
      const value = this.early.get(key)!;
      this.early.delete(key);
      return Promise.resolve(value);
    }
    return new Promise((resolve) => this.waiting.set(key, resolve));
  }
}

/** A promise that resolves once `tick()` was called `target` times. */
export class Countdown {
  private count = 0;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly target: number) {
    if (target <= 0) this.resolveDone();
  }

  get value(): number {
    return this.count;
  }

  tick(): void {
    if (++this.count === this.target) this.resolveDone();
  }
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Which library a crash-worker child runs (its first argument). */
export type SideKind = 'jobcraft' | 'bullmq';

/** What bench/crash-worker.ts reports to its parent over IPC. */
export type CrashWorkerMessage =
  | { type: 'ready' } // its worker is connected and waiting for jobs
  | { type: 'started'; id: string }; // its handler started job `id` (and now hangs forever)
