import { DEFAULT_RETENTION_MS, resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from './options.js';
import { InvalidOptionsError, JobNotFoundError } from './errors.js';
import type {
  HistoryBucket, HistoryRange, JobListQuery, JobPage, JobSelector, NameInfo, OldestQueuedJob, PeriodicInfo, ServerInfo, StateCounts,
  WorkerInfo,
} from './inspector-types.js';
import { AdminBroker, type AdminOutcome } from './redis/admin-broker.js';
import { decodeInfo } from './redis/codec.js';
import { JobBroker } from './redis/job-broker.js';
import { sharedContext, type RedisContext } from './redis/redis-context.js';
import { periodicInfo, tickJobIds } from './periodic-view.js';
import { parseBuckets, planBuckets, recentCounts, recentStarts } from './stats-buckets.js';
import { JOB_STATES, type JobInfo, type JobState, type JsonValue } from './types.js';
import { identifier, int, oneOf, text } from './validation.js';

/** Records a listing call reads at most (a search scans this many, whatever it finds). */
const SCAN_BUDGET = 1000;
/** Ids read per round trip while listing. */
const CHUNK = 200;
/** Schedule members whose state is read to split scheduled from retrying (beyond it, the split is prorated). */
const STATE_SAMPLE = 500;

/** Options of an {@link Inspector}. */
export type InspectorOptions = ConnectionOptions;

/**
 * Sees and steers a namespace from any process: job names with their counts and rates, listings and search by
 * state, retry, remove and cancel, cluster-wide pause, live workers, periodic entries with their recent ticks, and
 * stats history. Every change is one script, so two operators acting on the same job at once leave it in one
 * consistent state.
 *
 * @example
 * ```ts
 * const inspector = new Inspector({ redis: 'redis://127.0.0.1:6379', namespace: 'bowl' });
 * const { jobs } = await inspector.jobs({ name: 'food', state: 'dead', search: 'GalbiTang' });
 * for (const job of jobs) await inspector.retry(job.id);
 * await inspector.close();
 * ```
 */
export class Inspector {
  private readonly options: ResolvedConnectionOptions;
  private readonly redis: RedisContext;
  private readonly ownsConnections: boolean;
  private readonly admin: AdminBroker;
  private readonly jobsBroker: JobBroker;

  /**
   * @param options - Redis connection and namespace
   * @throws {@link InvalidOptionsError} if an option is invalid
   */
  constructor(options: InspectorOptions = {}) {
    this.options = resolveConnectionOptions(options, 'Inspector');
    ({ redis: this.redis, owned: this.ownsConnections } = sharedContext(options, this.options));
    this.admin = new AdminBroker(this.redis);
    this.jobsBroker = new JobBroker(this.redis);
  }

  /** The namespace inspected. */
  get namespace(): string {
    return this.options.namespace;
  }

  /** Every job name seen in this namespace, with counts by state, pause state and recent rates. */
  async names(): Promise<NameInfo[]> {
    const { names, paused } = await this.admin.names();
    const now = Date.now();
    const starts = recentStarts(now);
    return Promise.all(
      names.map(async (name): Promise<NameInfo> => {
        const sizes = await this.admin.sizes(name);
        const [split, minutes, hours] = await Promise.all([
          this.scheduleSplit(name, sizes.schedule),
          this.admin.stats(name, 'm', starts.minutes).then((v) => parseBuckets(starts.minutes, v)),
          this.admin.stats(name, 'h', starts.hours).then((v) => parseBuckets(starts.hours, v)),
        ]);
        const counts: StateCounts = {
          scheduled: split.scheduled, queued: sizes.ready + split.queued, active: sizes.lease, retrying: split.retrying,
          completed: sizes.completed, dead: sizes.dead, cancelled: sizes.cancelled,
        };
        const info: NameInfo = {
          name, counts, paused: paused.includes(name),
          processed: recentCounts(minutes, hours, now, (b) => b.processed),
          failed: recentCounts(minutes, hours, now, (b) => b.failed),
        };
        if (sizes.oldestQueued) {
          const [rec] = await this.admin.records([sizes.oldestQueued], { args: false });
          const t = Number(rec?.t);
          if (Number.isFinite(t)) info.oldestQueuedAgeMs = Math.max(0, now - t);
        }
        return info;
      }),
    );
  }

  /** Splits a schedule zset into scheduled, retrying and prioritised-queued jobs, from (a sample of) their records. */
  private async scheduleSplit(name: string, total: number): Promise<{ scheduled: number; retrying: number; queued: number }> {
    if (total === 0) return { scheduled: 0, retrying: 0, queued: 0 };
    const ids = await this.admin.ids(name, 'scheduled', 0, STATE_SAMPLE);
    const recs = await this.admin.records(ids, { args: false });
    const seen = { scheduled: 0, retrying: 0, queued: 0 };
    for (const r of recs) {
      if (r?.s === 's') seen.scheduled++;
      else if (r?.s === 'r') seen.retrying++;
      else if (r?.s === 'q') seen.queued++;
    }
    const scale = total / Math.max(1, recs.length);
    return { scheduled: Math.round(seen.scheduled * scale), retrying: Math.round(seen.retrying * scale), queued: Math.round(seen.queued * scale) };
  }

  /**
   * One page of the jobs of a name in a state, newest first; with `search`, a bounded scan (at most 1,000 records
   * per call, in round trips of 200) that returns what it found and a cursor to go on.
   * @param query - name, state, limit (1-1000, default 50), cursor, search
   * @returns the page, with a cursor when there may be more
   * @throws {@link InvalidOptionsError} for a bad name, state, limit or cursor
   */
  async jobs(query: JobListQuery): Promise<JobPage<JobInfo>> {
    const E = InvalidOptionsError;
    const name = identifier(query?.name, 'jobs: name', E);
    const state = oneOf(query.state, 'jobs: state', E, JOB_STATES);
    const limit = int(query.limit, 'jobs: limit', E, { min: 1, max: 1000, fallback: 50 });
    const cursor = text(query.cursor, 'jobs: cursor', E, { pattern: /^\d{1,9}$/, expected: 'a cursor from a previous page', fallback: '0' });
    const needle = text(query.search, 'jobs: search', E, { pattern: /^[^]{1,200}$/, expected: '1-200 characters' })?.toLowerCase();
    let offset = Number(cursor);
    const jobs: JobInfo[] = [];
    let scanned = 0;
    let more = true;
    while (jobs.length < limit && scanned < SCAN_BUDGET) {
      const ids = await this.admin.ids(name, state, offset, CHUNK);
      const recs = await this.admin.records(ids);
      let consumed = 0;
      for (let i = 0; i < ids.length && jobs.length < limit; i++, consumed++) {
        const rec = recs[i];
        if (!rec) continue;
        const info = decodeInfo(ids[i]!, rec);
        if (info.state !== state || info.name !== name) continue;
        if (needle !== undefined && !matches(info, needle)) continue;
        jobs.push(info);
      }
      offset += consumed;
      scanned += consumed;
      if (ids.length < CHUNK && consumed === ids.length) {
        more = false;
        break;
      }
    }
    return more ? { jobs, cursor: String(offset) } : { jobs };
  }

  /**
   * Reads a job.
   * @param id - the job id
   * @param options - `args: false` leaves the args out (state, progress and result only)
   * @returns the job, or null
   */
  async getJob<A = JsonValue, R = JsonValue>(id: string, options: { args?: boolean } = {}): Promise<JobInfo<A, R> | null> {
    const [rec] = await this.admin.records([identifier(id, 'getJob: id', InvalidOptionsError, 200)], options);
    if (!rec) return null;
    const info = decodeInfo(id, rec) as JobInfo<A, R>;
    if (options.args === false) delete (info as Partial<JobInfo<A, R>>).args;
    return info;
  }

  /**
   * Runs a dead, cancelled, retrying or scheduled job again now (queued, its failed attempts kept).
   * @param id - the job id
   * @returns true if it was moved; false (a no-op) if it is already queued, active or completed
   * @throws {@link JobNotFoundError} if there is no such job
   */
  async retry(id: string): Promise<boolean> {
    return this.one(id, (name) => this.admin.requeueJobs(name, [id]));
  }

  /**
   * Retries every job of a name in a state: `dead` (default), `cancelled`, `retrying` or `scheduled`.
   * @param selector - the name and state
   * @returns how many jobs were moved
   * @throws {@link InvalidOptionsError} for a bad name or state
   */
  async retryAll(selector: JobSelector): Promise<number> {
    const states = ['dead', 'cancelled', 'retrying', 'scheduled'] as const;
    const { name, state } = this.selector(selector, 'retryAll', states);
    return this.bulk(name, state, (ids) => this.admin.requeueJobs(name, ids));
  }

  /**
   * Deletes a job that is not running (cancel an active job first).
   * @param id - the job id
   * @returns true if it was deleted; false (a no-op) if it is active
   * @throws {@link JobNotFoundError} if there is no such job
   */
  async remove(id: string): Promise<boolean> {
    return this.one(id, (name) => this.admin.removeJobs(name, [id]));
  }

  /**
   * Deletes every job of a name in a state (default `dead`; not `active`).
   * @param selector - the name and state
   * @returns how many were deleted
   * @throws {@link InvalidOptionsError} for a bad name or state
   */
  async removeAll(selector: JobSelector): Promise<number> {
    const { name, state } = this.selector(selector, 'removeAll', JOB_STATES.filter((s) => s !== 'active'));
    return this.bulk(name, state, (ids) => this.admin.removeJobs(name, ids));
  }

  /**
   * Cancels a job from any process: a waiting one leaves its queue; a running one's `signal` aborts with
   * {@link JobCancelledError} on whichever worker runs it, and nothing it returns is recorded. It ends `cancelled`.
   * @param id - the job id
   * @returns true if it was cancelled; false (a no-op) if it had already finished
   * @throws {@link JobNotFoundError} if there is no such job
   */
  async cancel(id: string): Promise<boolean> {
    identifier(id, 'cancel: id', InvalidOptionsError, 200);
    const error = JSON.stringify({ name: 'JobCancelledError', message: `Job "${id}" was cancelled`, attempt: 0 });
    const reply = await this.admin.cancelJob(id, DEFAULT_RETENTION_MS, error);
    if (reply === 'NOT_FOUND') throw new JobNotFoundError(id);
    return reply === 'CANCELLED';
  }

  /**
   * Stops every worker from starting jobs of this name (running ones finish); enqueue still works. Persisted.
   * @param name - the job name
   */
  async pause(name: string): Promise<void> {
    await this.admin.setPaused(identifier(name, 'pause: name', InvalidOptionsError), true);
  }

  /**
   * Lets workers start jobs of this name again (idle ones wake at once).
   * @param name - the job name
   */
  async resume(name: string): Promise<void> {
    await this.admin.setPaused(identifier(name, 'resume: name', InvalidOptionsError), false);
  }

  /** The live worker pools of this namespace (one that stopped reporting disappears within two leases). */
  async workers(): Promise<WorkerInfo[]> {
    const rows = await this.admin.workers();
    return rows.flatMap(({ report, lastSeenAt }) => {
      try {
        return [{ ...(JSON.parse(report) as Omit<WorkerInfo, 'lastSeenAt'>), lastSeenAt }];
      } catch {
        return []; // a corrupt report is not a worker
      }
    });
  }

  /** The periodic entries of this namespace with their recent ticks (newest first). */
  async periodic(): Promise<PeriodicInfo[]> {
    const entries = await this.admin.entries();
    const now = Date.now();
    return Promise.all(entries.map(async (e) => periodicInfo(e, await this.admin.records(tickJobIds(e), { args: false }), now)));
  }

  /**
   * Pauses a periodic entry: its ticks fire nothing and are recorded as skipped.
   * @param entry - the entry's name
   * @throws {@link InvalidOptionsError} if no instance ever registered it
   */
  async pausePeriodic(entry: string): Promise<void> {
    await this.entryPaused(entry, true);
  }

  /**
   * Resumes a periodic entry.
   * @param entry - the entry's name
   * @throws {@link InvalidOptionsError} if no instance ever registered it
   */
  async resumePeriodic(entry: string): Promise<void> {
    await this.entryPaused(entry, false);
  }

  /**
   * Runs a periodic entry's job now, once (not a tick: the schedule is unchanged). Its handler sees
   * `job.tick.firedBy === 'manual'`.
   * @param entry - the entry's name
   * @returns the job's id
   * @throws {@link InvalidOptionsError} if no instance ever registered it
   */
  async triggerPeriodic(entry: string): Promise<string> {
    const stored = await this.admin.entry(identifier(entry, 'triggerPeriodic: entry', InvalidOptionsError));
    if (!stored?.job) throw new InvalidOptionsError(`triggerPeriodic: no periodic entry "${entry}" is registered`);
    const now = Date.now();
    const id = `tick:${entry}:manual:${now}`;
    const extra = [...(JSON.parse(stored.extra ?? '[]') as string[]), 'te', entry, 'tt', String(now), 'tb', 'manual'];
    await this.jobsBroker.enqueueJobs([{ id, name: stored.job, args: stored.args ?? 'null', enqueuedAt: now, mode: 'n', modeValue: 0, checkId: true, extra }]);
    return id;
  }

  /**
   * A job name's stats in time buckets, oldest first: minutes for `1h` and `24h`, hours for `7d` and `30d`.
   * @param query - the job name and the range
   * @throws {@link InvalidOptionsError} for a bad name or range
   */
  async history(query: { name: string; range: HistoryRange }): Promise<HistoryBucket[]> {
    const name = identifier(query?.name, 'history: name', InvalidOptionsError);
    const range = oneOf(query.range, 'history: range', InvalidOptionsError, ['1h', '24h', '7d', '30d']);
    const plan = planBuckets(range, Date.now());
    return parseBuckets(plan.starts, await this.admin.stats(name, plan.unit, plan.starts));
  }

  /**
   * Sends one PING on the connection this Inspector uses (in a runtime or a Nest app: the one the pool and the
   * scheduler share).
   * @returns the round trip (ms)
   * @throws {@link RedisUnavailableError} if Redis does not answer within `commandTimeout`
   */
  async ping(): Promise<number> {
    const start = performance.now();
    await this.admin.ping();
    return Math.round((performance.now() - start) * 10) / 10;
  }

  /**
   * The oldest queued job of each job name that has one, oldest first: a cheap read for health checks and alerts
   * (three round trips whatever the number of names, where {@link Inspector.names} counts every state).
   * Prioritised jobs are not looked at.
   * @returns one entry per job name with a job queued
   */
  async oldestQueued(): Promise<OldestQueuedJob[]> {
    const { names } = await this.admin.names();
    const found = await this.admin.oldestQueued(names);
    const now = Date.now();
    return found
      .map(({ name, id, enqueuedAt, dueAt }) => ({ name, id, ageMs: Math.max(0, now - Math.max(enqueuedAt, dueAt ?? 0)) }))
      .sort((a, b) => b.ageMs - a.ageMs);
  }

  /** The Redis server's version and memory use (on Redis Cluster: of the node the command went to). */
  async server(): Promise<ServerInfo> {
    const info = await this.admin.serverInfo();
    const maxMemory = Number(info.get('maxmemory'));
    return {
      version: info.get('redis_version') ?? 'unknown',
      usedMemoryBytes: Number(info.get('used_memory')) || 0,
      ...(maxMemory > 0 ? { maxMemoryBytes: maxMemory } : {}),
    };
  }

  /** Closes the connections it owns. Idempotent. */
  async close(): Promise<void> {
    if (this.ownsConnections) await this.redis.conn.close();
  }

  private async one(id: string, act: (name: string) => Promise<AdminOutcome[]>): Promise<boolean> {
    const [rec] = await this.admin.records([identifier(id, 'id', InvalidOptionsError, 200)], { args: false });
    if (!rec?.n) throw new JobNotFoundError(id);
    const [outcome] = await act(rec.n);
    if (outcome === 'NOT_FOUND') throw new JobNotFoundError(id);
    return outcome === 'OK';
  }

  private selector<S extends JobState>(selector: JobSelector, where: string, states: readonly S[]): { name: string; state: S } {
    const name = identifier(selector?.name, `${where}: name`, InvalidOptionsError);
    return { name, state: oneOf(selector.state, `${where}: state`, InvalidOptionsError, states, states.includes('dead' as S) ? ('dead' as S) : undefined) };
  }

  /** Applies a bulk action chunk by chunk to the ids of a name in a state; bounded work per round trip. */
  private async bulk(name: string, state: JobState, act: (ids: string[]) => Promise<AdminOutcome[]>): Promise<number> {
    let done = 0;
    let offset = 0;
    for (;;) {
      const ids = await this.admin.ids(name, state, offset, CHUNK);
      if (ids.length === 0) return done;
      const recs = await this.admin.records(ids, { args: false });
      const mine = ids.filter((id, i) => recs[i] && decodeInfo(id, recs[i]!).state === state);
      const outcomes = await act(mine);
      const moved = outcomes.filter((o) => o === 'OK').length;
      done += moved;
      offset += ids.length - moved; // what stayed (other states, refusals) is skipped next time
    }
  }

  private async entryPaused(entry: string, paused: boolean): Promise<void> {
    const name = identifier(entry, paused ? 'pausePeriodic: entry' : 'resumePeriodic: entry', InvalidOptionsError);
    if (!(await this.admin.setEntryPaused(name, paused))) throw new InvalidOptionsError(`no periodic entry "${name}" is registered`);
  }
}

/** Whether a job's id, args JSON or error message contains `needle` (lower case). */
function matches(info: JobInfo, needle: string): boolean {
  return (
    info.id.toLowerCase().includes(needle) ||
    JSON.stringify(info.args).toLowerCase().includes(needle) ||
    (info.error?.message.toLowerCase().includes(needle) ?? false)
  );
}
