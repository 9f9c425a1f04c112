import type { JobRecord } from './codec.js';

// The items the job transitions take and the replies they give (see job-broker.ts).

/** One job for the enqueue-jobs script, already validated and encoded. @internal */
export interface EncodedJob {
  id: string;
  name: string;
  args: string;
  enqueuedAt: number;
  mode: 'n' | 'd' | 'a' | 'p';
  modeValue: number;
  checkId: boolean;
  uniqueKey?: string;
  extra: string[];
}

/** Outcome of one enqueue. @internal */
export type EnqueueReply =
  | { status: 'OK'; due?: number }
  | { status: 'DUPLICATE_ID' | 'DUPLICATE_UNIQUE'; holder: string };

/** What a claim asks for, per job name. @internal */
export interface ClaimRequest {
  name: string;
  room: number;
  cap: number;
}

/** What a claim got, per job name. @internal */
export interface ClaimReply {
  now: number;
  names: { name: string; ids: string[]; nextDue?: number }[];
}

/** How long an attempt ran and how long its job waited to start, for the stats buckets (ms). @internal */
export interface AttemptTimes {
  runMs?: number;
  waitMs?: number;
}

/** A finished job to record. @internal */
export interface CompleteItem extends AttemptTimes {
  member: string;
  result: string;
  retentionMs: number;
  uniqueKey?: string;
}

/** A failed attempt to retry later. @internal */
export interface RetryItem extends AttemptTimes {
  member: string;
  error: string;
  fails: number;
  delayMs: number;
}

/** A job to move to the dead set. @internal */
export interface BuryItem extends AttemptTimes {
  member: string;
  error: string;
  fails: number;
  retentionMs: number;
  uniqueKey?: string;
}

/** What a worker pool reports about itself (see `Inspector.workers`). @internal */
export interface WorkerReport {
  id: string;
  host: string;
  pid: number;
  names: string[];
  concurrency: number;
  active: { id: string; name: string; startedAt: number }[];
  startedAt: number;
}


/** Per-call outcome of a lease-guarded transition: recorded, or the lease was gone (nothing written). @internal */
export type LeaseOutcome = 'OK' | 'LOST';

/** Per-job outcome of recovering an expired lease. @internal */
export type RecoverOutcome = 'REQUEUED' | 'DEAD' | 'GONE' | 'SKIPPED';

/** A started job's record: the record, `'WRONGTYPE'` (not a hash), or null (gone). @internal */
export type StartedRecord = JobRecord | 'WRONGTYPE' | null;

