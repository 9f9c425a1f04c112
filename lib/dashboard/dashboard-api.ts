import type { HistoryBucket, HistoryRange } from '../core/inspector-types.js';
import { InvalidOptionsError } from '../core/errors.js';
import type { Inspector } from '../core/inspector.js';
import { parseBuckets, planBuckets } from '../core/stats-buckets.js';
import { JOB_STATES, type JobState } from '../core/types.js';
import type {
  ActionResponse, BulkRequest, CountResponse, HistoryResponse, JobAction, JobResponse, JobsResponse, OverviewResponse, PeriodicResponse,
  RunNowResponse, WorkersResponse,
} from './api-types.js';
import { DashboardError, errorResponse } from './dashboard-error.js';
import type { ApiRouteId } from './dashboard-routes.js';

/** A request as the dashboard's handlers see it, whatever the HTTP server. @internal */
export interface DashboardRequest {
  /** Route params, decoded. */
  params: Readonly<Record<string, string>>;
  /** Query string values (a repeated key may arrive as an array: refused). */
  query: Readonly<Record<string, unknown>>;
  /** The parsed JSON body of a POST (undefined when none). */
  body: unknown;
  /** The request's `Content-Type` header. */
  contentType?: string;
}

/** An HTTP answer: status and JSON body. @internal */
export interface DashboardReply {
  status: number;
  body: unknown;
}

const RANGES: readonly HistoryRange[] = ['1h', '24h', '7d', '30d'];
const JOB_ACTIONS: readonly JobAction[] = ['retry', 'cancel', 'remove'];
const MAX_TEXT = 200;
const MAX_BULK = 1000;

/**
 * The dashboard's JSON API over an {@link Inspector}: validates every parameter (400 naming it), refuses writes in
 * read-only mode (403), answers unknown jobs, names and entries with 404 and Redis outages with 503. It adds no
 * Redis logic of its own. One per mounted dashboard; framework-free, so the Nest controller and the standalone
 * server share it.
 * @internal
 */
export class DashboardApi {
  /**
   * @param inspector - the namespace's Inspector (not closed by this class)
   * @param readOnly - refuse every write
   */
  constructor(private readonly inspector: Inspector, readonly readOnly: boolean) {}

  /**
   * Runs one API route.
   * @param id - the route (see `API_ROUTES`)
   * @param write - whether the route changes something
   * @param req - params, query and body
   * @returns the status and JSON body to send; never throws
   */
  async handle(id: ApiRouteId, write: boolean, req: DashboardRequest): Promise<DashboardReply> {
    try {
      if (write && this.readOnly) throw new DashboardError(403, 'READ_ONLY', 'the dashboard is read-only');
      // a cross-site form can post only form or text bodies without a CORS preflight: writes must say JSON, so a
      // page elsewhere cannot act with the operator's cookies
      if (write && !/^application\/json\b/i.test(req.contentType ?? '')) {
        throw new DashboardError(415, 'UNSUPPORTED_MEDIA_TYPE', 'actions must be sent as application/json', 'content-type');
      }
      return { status: 200, body: await this.route(id, req) };
    } catch (err) {
      return errorResponse(err);
    }
  }

  private route(id: ApiRouteId, req: DashboardRequest): Promise<unknown> {
    switch (id) {
      case 'overview': return this.overview();
      case 'history': return this.history(req);
      case 'jobs': return this.jobs(req);
      case 'job': return this.job(req);
      case 'jobAction': return this.jobAction(req);
      case 'bulk': return this.bulk(req);
      case 'nameAction': return this.nameAction(req);
      case 'workers': return this.inspector.workers() satisfies Promise<WorkersResponse>;
      case 'periodic': return this.inspector.periodic() satisfies Promise<PeriodicResponse>;
      case 'periodicAction': return this.periodicAction(req);
    }
  }

  private async overview(): Promise<OverviewResponse> {
    const [names, workers, redis] = await Promise.all([this.inspector.names(), this.inspector.workers(), this.inspector.server()]);
    return { names, workers, redis, readOnly: this.readOnly, now: Date.now() };
  }

  /** One name's buckets, or every name's summed. */
  private async history(req: DashboardRequest): Promise<HistoryResponse> {
    const range = choice(req.query.range, 'range', RANGES, '1h');
    const name = optionalText(req.query.name, 'name');
    if (name !== undefined) {
      await this.knownName(name);
      return this.inspector.history({ name, range });
    }
    const names = (await this.inspector.names()).map((n) => n.name);
    const all = await Promise.all(names.map((n) => this.inspector.history({ name: n, range })));
    return sumBuckets(all, range);
  }

  private async jobs(req: DashboardRequest): Promise<JobsResponse> {
    const name = requiredText(req.query.name, 'name');
    const state = choice(req.query.state, 'state', JOB_STATES, undefined);
    const limit = optionalInt(req.query.limit, 'limit', 1, 1000);
    const cursor = optionalText(req.query.cursor, 'cursor');
    const search = optionalText(req.query.search, 'search');
    const page = await this.inspector.jobs({ name, state, limit, cursor, search: search === '' ? undefined : search });
    if (page.jobs.length === 0 && cursor === undefined) await this.knownName(name);
    return page;
  }

  private async job(req: DashboardRequest): Promise<JobResponse> {
    const id = requiredText(req.params.id, 'id');
    const job = await this.inspector.getJob(id);
    if (!job) throw new DashboardError(404, 'NOT_FOUND', `no job "${id}"`);
    return job;
  }

  private async jobAction(req: DashboardRequest): Promise<ActionResponse> {
    const id = requiredText(req.params.id, 'id');
    const action = choice(req.params.action, 'action', JOB_ACTIONS, undefined);
    return { done: await this.act(action, id) };
  }

  private async bulk(req: DashboardRequest): Promise<CountResponse> {
    const body = objectBody(req.body);
    const action = choice(body.action, 'action', JOB_ACTIONS, undefined);
    const ids = body.ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_BULK || !ids.every((i) => typeof i === 'string' && i.length > 0 && i.length <= MAX_TEXT)) {
      throw badParameter('ids', `ids must be a list of 1 to ${MAX_BULK} job ids`);
    }
    let count = 0;
    for (const id of ids as string[]) {
      try {
        if (await this.act(action, id)) count++;
      } catch (err) {
        // a job gone meanwhile, or refused (a running job cannot be removed): the others still go
        if (errorResponse(err).status >= 500) throw err;
      }
    }
    return { count };
  }

  private act(action: JobAction, id: string): Promise<boolean> {
    if (action === 'retry') return this.inspector.retry(id);
    if (action === 'cancel') return this.inspector.cancel(id);
    return this.inspector.remove(id);
  }

  private async nameAction(req: DashboardRequest): Promise<CountResponse | ActionResponse> {
    const name = requiredText(req.params.name, 'name');
    const action = choice(req.params.action, 'action', ['retry-all', 'remove-all', 'pause', 'resume'] as const, undefined);
    await this.knownName(name);
    if (action === 'pause' || action === 'resume') {
      await (action === 'pause' ? this.inspector.pause(name) : this.inspector.resume(name));
      return { done: true };
    }
    const state = choice(req.body === undefined ? undefined : objectBody(req.body).state, 'state', JOB_STATES, 'dead');
    const selector = { name, state } satisfies { name: string; state: JobState };
    return { count: await (action === 'retry-all' ? this.inspector.retryAll(selector) : this.inspector.removeAll(selector)) };
  }

  private async periodicAction(req: DashboardRequest): Promise<RunNowResponse | ActionResponse> {
    const entry = requiredText(req.params.entry, 'entry');
    const action = choice(req.params.action, 'action', ['run', 'pause', 'resume'] as const, undefined);
    try {
      if (action === 'run') return { jobId: await this.inspector.triggerPeriodic(entry) };
      await (action === 'pause' ? this.inspector.pausePeriodic(entry) : this.inspector.resumePeriodic(entry));
      return { done: true };
    } catch (err) {
      // the entry is a checked text already: the Inspector refuses it only when no instance registered it
      if (err instanceof InvalidOptionsError) throw new DashboardError(404, 'NOT_FOUND', `no periodic entry "${entry}"`);
      throw err;
    }
  }

  /** 404 unless some job of `name` was ever enqueued or handled here. */
  private async knownName(name: string): Promise<void> {
    if (!(await this.inspector.names()).some((n) => n.name === name)) throw new DashboardError(404, 'NOT_FOUND', `no job name "${name}"`);
  }
}

function badParameter(param: string, message: string): DashboardError {
  return new DashboardError(400, 'BAD_PARAMETER', message, param);
}

function optionalText(value: unknown, param: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > MAX_TEXT) throw badParameter(param, `${param} must be a text of at most ${MAX_TEXT} characters`);
  return value;
}

function requiredText(value: unknown, param: string): string {
  const text = optionalText(value, param);
  if (!text) throw badParameter(param, `${param} is required`);
  return text;
}

function optionalInt(value: unknown, param: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max)) throw badParameter(param, `${param} must be an integer from ${min} to ${max}, got "${String(value)}"`);
  return n;
}

function choice<const T extends string>(value: unknown, param: string, allowed: readonly T[], fallback: T | undefined): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw badParameter(param, `${param} must be one of ${allowed.join(', ')}, got ${value === undefined ? 'nothing' : `"${String(value)}"`}`);
  }
  return value as T;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badParameter('body', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Sums several names' buckets into one series of the range, matched by bucket start. */
function sumBuckets(all: HistoryBucket[][], range: HistoryRange): HistoryBucket[] {
  const sums = parseBuckets(planBuckets(range, Date.now()).starts, []);
  const byStart = new Map(sums.map((b) => [b.at, b]));
  for (const b of all.flat()) {
    const sum = byStart.get(b.at);
    if (!sum) continue; // a bucket that slid out of the window between the calls
    sum.processed += b.processed;
    sum.failed += b.failed;
    sum.runMs.sum += b.runMs.sum;
    sum.runMs.max = Math.max(sum.runMs.max, b.runMs.max);
    sum.waitMs.sum += b.waitMs.sum;
    sum.waitMs.max = Math.max(sum.waitMs.max, b.waitMs.max);
  }
  return sums;
}
