// The dashboard's JSON API: what each endpoint answers. The server (lib/dashboard/dashboard-api.ts) and the page
// (dashboard-ui/) both import these types, so the two cannot drift apart. Every endpoint is relative to the mount
// path (e.g. `/jobs`): `GET /jobs/api/overview`. Times are ms since the epoch; job records are the Inspector's.
import type { HistoryBucket, JobPage, NameInfo, PeriodicInfo, ServerInfo, WorkerInfo } from '../core/inspector-types.js';
import type { JobInfo, JobState } from '../core/types.js';

/**
 * `GET api/overview`: every job name with counts, rates and paused flag; the live workers; Redis; and whether the
 * dashboard is read-only (then the page shows no action, and every `POST` answers 403).
 */
export interface OverviewResponse {
  names: NameInfo[];
  workers: WorkerInfo[];
  redis: ServerInfo;
  readOnly: boolean;
  /** The server's clock when it answered, for relative times. */
  now: number;
}

/** `GET api/history?range=1h|24h|7d|30d[&name=<name>]`: buckets oldest first; without `name`, summed over all names. */
export type HistoryResponse = HistoryBucket[];

/** `GET api/jobs?name=&state=&limit=&cursor=&search=`: one page of a listing, newest first (Inspector.jobs). */
export type JobsResponse = JobPage<JobInfo>;

/** `GET api/jobs/:id`: one job, args included; 404 when unknown. */
export type JobResponse = JobInfo;

/** The verbs of single-job actions: `POST api/jobs/:id/retry|cancel|remove`. */
export type JobAction = 'retry' | 'cancel' | 'remove';

/** Answer of a single-job action: `done` false when it was a no-op (e.g. retry of a queued job). */
export interface ActionResponse {
  done: boolean;
}

/** `POST api/jobs/bulk` with body {@link BulkRequest}. */
export interface BulkRequest {
  action: JobAction;
  /** 1-1000 job ids. */
  ids: string[];
}

/** Answer of a bulk or all-of-a-state action: how many jobs it changed. */
export interface CountResponse {
  count: number;
}

/** `POST api/names/:name/retry-all|remove-all` with body {@link StateRequest} (state defaults to `dead`). */
export interface StateRequest {
  state?: JobState;
}

/** `POST api/names/:name/pause|resume`, `POST api/periodic/:entry/pause|resume`: answer `{ done: true }`. */

/** `GET api/workers`. */
export type WorkersResponse = WorkerInfo[];

/** `GET api/periodic`. */
export type PeriodicResponse = PeriodicInfo[];

/** `POST api/periodic/:entry/run`: the job the tick created. */
export interface RunNowResponse {
  jobId: string;
}

/**
 * Any failure: 400 bad parameter (`param` names it), 403 read-only or refused by a guard, 404 unknown job, name or
 * entry, 503 Redis unavailable (the page shows a banner and keeps polling), 500 anything else.
 */
export interface ErrorResponse {
  error: { status: number; code: string; message: string; param?: string };
}
