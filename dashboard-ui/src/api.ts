import type {
  ActionResponse, CountResponse, ErrorResponse, HistoryResponse, JobAction, JobResponse, JobsResponse, OverviewResponse,
  PeriodicResponse, RunNowResponse, StateRequest, WorkersResponse,
} from '../../lib/dashboard/api-types.js';
import type { HistoryRange } from '../../lib/core/inspector-types.js';
import type { JobState } from '../../lib/core/types.js';
import { learnServerTime } from './clock.js';
import { BASE, readOnly } from './config.js';
import { markOffline, markOnline, markRedisDown } from './connection.js';

/** A failed API request: the server's status, code and message; status 0 when the server did not answer. */
export class ApiError extends Error {
  /**
   * @param status - the HTTP status, or 0 for a network error
   * @param code - the server's error code (`NOT_FOUND`, `READ_ONLY`, …), or `NETWORK`
   * @param message - the server's message, for the page
   */
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }

  /** Redis or the server is away: the banner says so and polling goes on. */
  get transient(): boolean {
    return this.status === 0 || this.status === 503;
  }
}

/** The message to show for any error an action raised. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.status === 0 ? 'Server unreachable: the action was not confirmed.' : err.message;
  return err instanceof Error ? err.message : String(err);
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${BASE}/api/${path}`, {
      method,
      headers: method === 'POST' ? { accept: 'application/json', 'content-type': 'application/json' } : { accept: 'application/json' },
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
      cache: 'no-store',
      credentials: 'same-origin',
      signal,
    });
  } catch (err) {
    if (isAbort(err)) throw err;
    markOffline();
    throw new ApiError(0, 'NETWORK', 'Server unreachable');
  }
  let payload: unknown;
  try {
    payload = await res.json();
  } catch (err) {
    if (isAbort(err)) throw err;
    payload = undefined;
  }
  if (res.ok) {
    markOnline();
    return payload as T;
  }
  const error = (payload as Partial<ErrorResponse> | undefined)?.error;
  if (!error && (res.status === 502 || res.status === 504)) {
    markOffline(); // a proxy in front of a server that is away
    throw new ApiError(0, 'NETWORK', 'Server unreachable');
  }
  const message = error?.message ?? `${res.status} ${res.statusText || 'error'}`.trim();
  if (res.status === 503) markRedisDown(message);
  else markOnline();
  throw new ApiError(res.status, error?.code ?? 'HTTP_ERROR', message);
}

const enc = encodeURIComponent;

/** What the jobs listing asks for. */
export interface JobsQuery {
  name: string;
  state: JobState;
  cursor?: string;
  search?: string;
  limit?: number;
}

/** The dashboard's JSON API (see lib/dashboard/api-types.ts). Every call rejects with an {@link ApiError}. */
export const api = {
  async overview(signal?: AbortSignal): Promise<OverviewResponse> {
    const sentAt = Date.now();
    const res = await request<OverviewResponse>('GET', 'overview', undefined, signal);
    learnServerTime(res.now, sentAt, Date.now());
    if (res.readOnly) readOnly.set(true);
    return res;
  },
  history: (range: HistoryRange, signal?: AbortSignal) => request<HistoryResponse>('GET', `history?range=${range}`, undefined, signal),
  jobs(query: JobsQuery, signal?: AbortSignal): Promise<JobsResponse> {
    const params = new URLSearchParams({ name: query.name, state: query.state });
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    if (query.search) params.set('search', query.search);
    return request('GET', `jobs?${params}`, undefined, signal);
  },
  job: (id: string, signal?: AbortSignal) => request<JobResponse>('GET', `jobs/${enc(id)}`, undefined, signal),
  workers: (signal?: AbortSignal) => request<WorkersResponse>('GET', 'workers', undefined, signal),
  periodic: (signal?: AbortSignal) => request<PeriodicResponse>('GET', 'periodic', undefined, signal),
  jobAction: (id: string, action: JobAction) => request<ActionResponse>('POST', `jobs/${enc(id)}/${action}`),
  bulk: (action: JobAction, ids: string[]) => request<CountResponse>('POST', 'jobs/bulk', { action, ids }),
  stateAction: (name: string, action: 'retry-all' | 'remove-all', state: JobState) =>
    request<CountResponse>('POST', `names/${enc(name)}/${action}`, { state } satisfies StateRequest),
  nameAction: (name: string, action: 'pause' | 'resume') => request<ActionResponse>('POST', `names/${enc(name)}/${action}`),
  periodicAction: (entry: string, action: 'pause' | 'resume') => request<ActionResponse>('POST', `periodic/${enc(entry)}/${action}`),
  runPeriodic: (entry: string) => request<RunNowResponse>('POST', `periodic/${enc(entry)}/run`),
};
