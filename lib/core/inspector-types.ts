import type { JobState } from './types.js';

/** Job counts of one name, by state. */
export type StateCounts = Record<JobState, number>;

/** Jobs finished in recent windows (from the stats buckets). */
export interface RecentCounts {
  /** In the last 60 seconds. */
  lastMinute: number;
  /** In the last 60 minutes. */
  lastHour: number;
  /** In the last 24 hours. */
  lastDay: number;
}

/** One job name as {@link Inspector.names} reports it. */
export interface NameInfo {
  /** The job name. */
  name: string;
  /** Jobs by state (`completed`, `dead` and `cancelled` while their records are retained). */
  counts: StateCounts;
  /** Whether pickup of this name is paused cluster-wide. */
  paused: boolean;
  /** Age of the oldest queued job (ms), if any is queued. */
  oldestQueuedAgeMs?: number;
  /** Attempts that completed a job. */
  processed: RecentCounts;
  /** Attempts that failed (retried or dead). */
  failed: RecentCounts;
}

/** A job name's oldest queued job, as {@link Inspector.oldestQueued} reports it. */
export interface OldestQueuedJob {
  /** The job name. */
  name: string;
  /** The job's id. */
  id: string;
  /** How long it has waited (ms): since it became due (its delay or retry backoff ended), else since it was enqueued. */
  ageMs: number;
}

/** What {@link Inspector.jobs} lists. */
export interface JobListQuery {
  /** The job name. */
  name: string;
  /** The state to list. */
  state: JobState;
  /** Most jobs per page (1-1000, default 50). */
  limit?: number;
  /** Where the previous page stopped (its `cursor`). */
  cursor?: string;
  /** Keep only jobs whose id, args JSON or error message contains this text (case-insensitive). */
  search?: string;
}

/** One page of a listing. */
export interface JobPage<J> {
  /** The jobs, newest first. */
  jobs: J[];
  /** Pass it back for the next page; absent when the listing is complete. */
  cursor?: string;
}

/** Which jobs a bulk action applies to. */
export interface JobSelector {
  /** The job name. */
  name: string;
  /** The state (default `dead`). */
  state?: JobState;
}

/** A job a worker runs now. */
export interface ActiveJobInfo {
  /** The job id. */
  id: string;
  /** The job name. */
  name: string;
  /** When this attempt started (ms). */
  startedAt: number;
}

/** A live worker pool, as it last reported itself. */
export interface WorkerInfo {
  /** The pool's id. */
  id: string;
  /** Its host name. */
  host: string;
  /** Its process id. */
  pid: number;
  /** The job names it handles. */
  names: string[];
  /** Its concurrency. */
  concurrency: number;
  /** The jobs it runs now. */
  active: ActiveJobInfo[];
  /** When it started (ms). */
  startedAt: number;
  /** When it last reported (ms). */
  lastSeenAt: number;
}

/** One tick of a periodic entry, as recorded when it was fired or skipped. */
export interface TickRecord {
  /** The tick time (ms, Redis clock). */
  tick: number;
  /** The job it created (absent when skipped). */
  jobId?: string;
  /** The instance that fired (or skipped) it; empty for a missed tick. */
  firedBy: string;
  /** Claim time minus tick (ms); negative when claimed ahead (instances claim a tick up to 200 ms early). Absent for a missed tick. */
  lateMs?: number;
  /**
   * The job's state now, `'skipped'`, `'expired'` when its record is gone, or `'missed'`: the schedule had this tick
   * but no instance recorded it (none was running, or none could reach Redis).
   */
  state: JobState | 'skipped' | 'expired' | 'missed';
  /** Why it was skipped. */
  reason?: 'overlap' | 'unique' | 'paused';
}

/** A periodic entry, as {@link Inspector.periodic} reports it. */
export interface PeriodicInfo {
  /** The entry's name. */
  name: string;
  /** Its spec. */
  spec: string;
  /** The time zone of a cron spec. */
  timeZone?: string;
  /** The next tick (ms), when the spec can be read. */
  nextTick?: number;
  /** Whether the entry is paused (its ticks are recorded as skipped). */
  paused: boolean;
  /** The most recent ticks, newest first. */
  recent: TickRecord[];
}

/** The Redis server a namespace lives on, as {@link Inspector.server} reads it. */
export interface ServerInfo {
  /** `redis_version`. */
  version: string;
  /** `used_memory`: bytes the server's allocator holds. */
  usedMemoryBytes: number;
  /** `maxmemory`, when a limit is set. */
  maxMemoryBytes?: number;
}

/** A window of {@link Inspector.history}. */
export type HistoryRange = '1h' | '24h' | '7d' | '30d';

/** One time bucket of a job name's history. */
export interface HistoryBucket {
  /** The bucket's start (ms). */
  at: number;
  /** Attempts that completed a job. */
  processed: number;
  /** Attempts that failed. */
  failed: number;
  /** Run time of those attempts (ms). */
  runMs: { sum: number; max: number };
  /** Time those jobs waited between being due and starting (ms). */
  waitMs: { sum: number; max: number };
}
