import type { Span } from '@opentelemetry/api';
import { DuplicateJobError, InvalidJobError, JobNotFoundError, QueueClosedError, WaitTimeoutError } from './errors.js';
import { argsFingerprint, newJobId } from './job-id.js';
import { resolveConnectionOptions, resolveTracing, type EnqueuerOptions, type ResolvedConnectionOptions } from './options.js';
import { decodeInfo, encodeRecord, TRACE_FIELD } from './redis/codec.js';
import { JobBroker, type EncodedJob, type EnqueueReply } from './redis/job-broker.js';
import { sharedContext, type RedisContext } from './redis/redis-context.js';
import { toMs, type Duration } from './spec/duration.js';
import { createJobTracer, type JobTracer } from './tracing/job-tracer.js';
import type { EnqueuedJob, EnqueueOptions, JobArgsOf, JobInfo, JobMap, JobNameOf, JobSpecOf, JsonValue } from './types.js';
import { validateJob, validateJobs, type ValidJob } from './validate.js';

/** Most jobs written by one script call (keeps each script short, so Redis never stalls on one). */
const MAX_BATCH = 500;
/** While waiting, the job is also re-read this often, in case a notification was missed (reconnect). */
const WAIT_RECHECK_MS = 5000;

interface Pending {
  job: EncodedJob;
  resolve: (reply: EnqueueReply) => void;
  reject: (err: unknown) => void;
}

/**
 * Adds jobs to Redis and reads them back by id, from any process. Calls made in the same tick are written
 * together in one script call (each job still accepted or refused on its own), so many concurrent
 * `enqueue` calls cost few round trips.
 *
 * @example
 * ```ts
 * const enqueuer = new Enqueuer({ redis: 'redis://127.0.0.1:6379', namespace: 'bowl' });
 * const job = await enqueuer.enqueue('food', { task: 1, food: 'GalbiTang' });
 * const done = await enqueuer.waitFor(job.id, { timeout: '30s' });
 * ```
 *
 * @typeParam Jobs - optional map of job name → args type, checked at compile time only (see {@link JobMap}):
 * with `Enqueuer<{ food: FoodArgs }>`, `enqueue('food', args)` requires `FoodArgs` and unknown names are refused.
 */
export class Enqueuer<Jobs extends object = JobMap> {
  private readonly options: ResolvedConnectionOptions;
  private readonly redis: RedisContext;
  private readonly ownsConnections: boolean;
  private readonly broker: JobBroker;
  /** `tracing: true`: the API is loaded on the first enqueue. */
  private readonly tracing: boolean;
  private tracer?: JobTracer;
  private queue: Pending[] = [];
  private flushScheduled = false;
  /** Writes in flight, which `close()` waits for. */
  private readonly writes = new Set<Promise<unknown>>();
  private subscribed?: Promise<void>;
  private closed = false;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly onFinished = (ids: string[]): void => {
    for (const done of ids) this.waiters.get(done)?.forEach((wake) => wake());
  };

  /**
   * @param options - Redis connection, namespace, logger, command timeout, tracing
   * @throws {@link InvalidOptionsError} if an option is invalid
   */
  constructor(options: EnqueuerOptions = {}) {
    this.options = resolveConnectionOptions(options, 'Enqueuer');
    this.tracing = resolveTracing(options, 'Enqueuer');
    ({ redis: this.redis, owned: this.ownsConnections } = sharedContext(options, this.options));
    this.broker = new JobBroker(this.redis);
  }

  /** The namespace this enqueuer writes to. */
  get namespace(): string {
    return this.options.namespace;
  }

  /**
   * Enqueues one job. Validates everything before touching Redis.
   * @param name - the job name (its handler)
   * @param args - JSON data for the handler (omitted = null)
   * @param options - id, delay/runAt, unique/uniqueKey, maxFails, backoff, timeout, retention, priority
   * @returns the job as written
   * @throws {@link InvalidJobError} if the name, args or options are invalid (nothing written)
   * @throws {@link DuplicateJobError} if a live job holds the custom id or the unique key (nothing written)
   * @throws {@link RedisUnavailableError} if Redis does not answer within `commandTimeout`
   * @throws {@link QueueClosedError} after `close()`
   * @throws {@link InvalidOptionsError} with `tracing: true`, if `@opentelemetry/api` cannot be loaded
   */
  async enqueue<N extends JobNameOf<Jobs>>(name: N, args?: JobArgsOf<Jobs, N>, options?: EnqueueOptions): Promise<EnqueuedJob<JobArgsOf<Jobs, N>>> {
    const tracer = this.tracing ? (this.tracer ?? (await this.loadTracer())) : undefined;
    const job = this.encode(name, args, options, 'enqueue');
    const span = tracer?.send(job.name, job.id); // undefined unless tracing with an SDK registered
    if (span) return this.enqueueTraced(tracer!, span, job, args) as Promise<EnqueuedJob<JobArgsOf<Jobs, N>>>;
    const reply = await new Promise<EnqueueReply>((resolve, reject) => this.push({ job, resolve, reject }));
    return this.settle(job, args, reply) as EnqueuedJob<JobArgsOf<Jobs, N>>;
  }

  /**
   * Enqueues many jobs in one round trip; each job is accepted or refused on its own (atomically).
   * All jobs are validated first: if any is invalid, none is written.
   * @param jobs - the jobs
   * @returns per job, in order, the job as written or the {@link DuplicateJobError} that refused it
   * @throws {@link InvalidJobError} naming the first invalid job (nothing written)
   * @throws {@link InvalidOptionsError} with `tracing: true`, if `@opentelemetry/api` cannot be loaded
   */
  async enqueueMany(jobs: readonly JobSpecOf<Jobs>[]): Promise<(EnqueuedJob<JobArgsOf<Jobs, JobNameOf<Jobs>>> | DuplicateJobError)[]> {
    const tracer = this.tracing ? (this.tracer ?? (await this.loadTracer())) : undefined;
    const encoded = validateJobs(jobs).map((j) => this.toEncoded(j));
    if (this.closed) throw new QueueClosedError('Enqueuer');
    // traced: one PRODUCER span for the call, whose context every job carries (see the README's Tracing section)
    const span = encoded.length > 0 ? tracer?.sendBatch(encoded.map((j) => j.name)) : undefined;
    const tp = span && tracer!.carrier(span);
    if (tp !== undefined) for (const job of encoded) job.extra.push(TRACE_FIELD, tp);
    const replies: EnqueueReply[] = [];
    const chunks: Promise<EnqueueReply[]>[] = [];
    for (let i = 0; i < encoded.length; i += MAX_BATCH) chunks.push(this.write(this.broker.enqueueJobs(encoded.slice(i, i + MAX_BATCH))));
    try {
      for (const c of await Promise.all(chunks)) replies.push(...c);
    } catch (err) {
      if (span) tracer!.endSend(span, err);
      throw err;
    }
    if (span) tracer!.endSend(span);
    return encoded.map((job, i) => {
      try {
        return this.settle(job, jobs[i]!.args, replies[i]!) as EnqueuedJob<JobArgsOf<Jobs, JobNameOf<Jobs>>>;
      } catch (err) {
        return err as DuplicateJobError;
      }
    });
  }

  /**
   * Reads a job by id.
   * @param id - the job id
   * @returns the job's record, or null if it does not exist or its retention expired
   * @throws {@link RedisUnavailableError} if Redis does not answer within `commandTimeout`
   */
  async getJob<A = JsonValue, R = JsonValue>(id: string): Promise<JobInfo<A, R> | null> {
    if (typeof id !== 'string' || id === '') throw new InvalidJobError(`getJob(id) needs a non-empty string, got ${String(id)}`);
    const rec = await this.broker.getJob(id);
    if (rec === null || rec === 'WRONGTYPE') return null;
    return decodeInfo(id, rec) as JobInfo<A, R>;
  }

  /**
   * Waits until a job is completed, dead or cancelled. Subscribes before reading the job, so a job that finishes in
   * between is never missed.
   * @param id - the job id
   * @param options - `timeout` (default: wait as long as it takes)
   * @returns the finished job's record
   * @throws {@link WaitTimeoutError} if the job has not finished within the timeout
   * @throws {@link JobNotFoundError} if the job does not exist, or finished with retention 0 so nothing is left to read
   */
  async waitFor<A = JsonValue, R = JsonValue>(
    id: string,
    options: { timeout?: Duration } = {},
  ): Promise<JobInfo<A, R>> {
    if (this.closed) throw new QueueClosedError('Enqueuer');
    const timeoutMs = options.timeout === undefined ? Infinity : toMs(options.timeout, 'waitFor.timeout');
    const deadline = Date.now() + timeoutMs;
    await this.subscribe();
    let wake!: () => void;
    let signal = new Promise<void>((r) => (wake = r));
    const listener = () => wake();
    let set = this.waiters.get(id);
    if (!set) this.waiters.set(id, (set = new Set()));
    set.add(listener);
    try {
      for (;;) {
        const info = await this.getJob<A, R>(id);
        if (info === null) throw new JobNotFoundError(id);
        if (info.state === 'completed' || info.state === 'dead' || info.state === 'cancelled') return info;
        const left = deadline - Date.now();
        if (left <= 0) throw new WaitTimeoutError(id, timeoutMs);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([signal, new Promise<void>((r) => (timer = setTimeout(r, Math.min(left, WAIT_RECHECK_MS))))]);
        clearTimeout(timer);
        signal = new Promise<void>((r) => (wake = r));
      }
    } finally {
      set.delete(listener);
      if (set.size === 0) this.waiters.delete(id);
    }
  }

  /**
   * Finishes pending and in-flight writes (each caller still gets its reply), then closes the connections it owns.
   * Idempotent; later calls to enqueue throw {@link QueueClosedError}.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.queue.length) this.flush();
    while (this.writes.size) await Promise.allSettled([...this.writes]);
    if (this.ownsConnections) await this.redis.conn.close();
  }

  /**
   * The write of a traced `enqueue`: the record carries the PRODUCER span's context in its `tp` field, written by the
   * same script call (no extra round trip); the span ends with the reply.
   */
  private async enqueueTraced(tracer: JobTracer, span: Span, job: EncodedJob, args: unknown): Promise<EnqueuedJob> {
    const tp = tracer.carrier(span);
    if (tp !== undefined) job.extra.push(TRACE_FIELD, tp);
    try {
      const reply = await new Promise<EnqueueReply>((resolve, reject) => this.push({ job, resolve, reject }));
      const out = this.settle(job, args, reply);
      tracer.endSend(span);
      return out;
    } catch (err) {
      tracer.endSend(span, err);
      throw err;
    }
  }

  /** Loads `@opentelemetry/api` (the first traced enqueue; later ones find it loaded). */
  private async loadTracer(): Promise<JobTracer> {
    return (this.tracer ??= await createJobTracer('Enqueuer.tracing'));
  }

  /** Subscribes once to finished-job announcements (a failed attempt is retried by the next waiter). */
  private subscribe(): Promise<void> {
    this.subscribed ??= this.broker.onFinished(this.onFinished).catch((err: unknown) => {
      this.subscribed = undefined;
      throw err;
    });
    return this.subscribed;
  }

  private write<T>(p: Promise<T>): Promise<T> {
    this.writes.add(p);
    const done = () => this.writes.delete(p);
    p.then(done, done);
    return p;
  }

  private encode(name: unknown, args: unknown, options: unknown, where: string): EncodedJob {
    return this.toEncoded(validateJob(name, args, options, where));
  }

  private toEncoded({ name, argsJson, options: o }: ValidJob): EncodedJob {
    const now = Date.now();
    const uniqueKey = o.unique ? this.redis.keys.unique(name, o.uniqueKey ?? `#${argsFingerprint(argsJson)}`) : undefined;
    const { args: firstArgs, extra } = encodeRecord(argsJson, { ...o, uniqueKey });
    let mode: EncodedJob['mode'] = 'n';
    let modeValue = 0;
    if (o.priority !== undefined) [mode, modeValue] = ['p', o.priority];
    else if (o.runAtMs !== undefined) [mode, modeValue] = ['a', o.runAtMs];
    else if (o.delayMs) [mode, modeValue] = ['d', o.delayMs];
    return { id: o.id ?? newJobId(now), name, args: firstArgs, enqueuedAt: now, mode, modeValue, checkId: o.id !== undefined, uniqueKey, extra };
  }

  private settle(job: EncodedJob, args: unknown, reply: EnqueueReply): EnqueuedJob {
    if (reply.status !== 'OK') throw new DuplicateJobError(reply.holder, reply.status === 'DUPLICATE_ID' ? 'id' : 'unique', job.name);
    const out: EnqueuedJob = { id: job.id, name: job.name, args: (args ?? null) as JsonValue, enqueuedAt: job.enqueuedAt };
    if (reply.due !== undefined) out.runAt = reply.due;
    return out;
  }

  private push(p: Pending): void {
    if (this.closed) {
      p.reject(new QueueClosedError('Enqueuer'));
      return;
    }
    this.queue.push(p);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (let i = 0; i < batch.length; i += MAX_BATCH) {
      const chunk = batch.slice(i, i + MAX_BATCH);
      void this.write(
        this.broker.enqueueJobs(chunk.map((p) => p.job)).then(
          (replies) => chunk.forEach((p, k) => p.resolve(replies[k]!)),
          (err) => chunk.forEach((p) => p.reject(err)),
        ),
      );
    }
  }
}
