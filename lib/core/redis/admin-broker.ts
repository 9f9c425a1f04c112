import { RedisScriptError } from '../errors.js';
import type { JobState } from '../types.js';
import { STATE_CODES, type JobRecord } from './codec.js';
import type { Arg } from './connections.js';
import { JobBroker } from './job-broker.js';
import { scripts } from './lua.generated.js';
import type { RedisContext } from './redis-context.js';

/** Per-job answer of an operator's bulk action. @internal */
export type AdminOutcome = 'OK' | 'NOOP' | 'ACTIVE' | 'NOT_FOUND';

/** A periodic entry's registration and state, as stored. @internal */
export interface StoredEntry {
  name: string;
  fields: Record<string, string>;
  /** Its recent ticks, newest first, as "tick|jobId|instance|lateMs|reason". */
  history: string[];
}

/**
 * The operator's transitions and reads (Inspector): bounded reads of the per-state indexes and records, and one
 * script per change (cancel, requeue, remove), each re-checking the job's state so concurrent operators agree.
 * @internal
 */
export class AdminBroker {
  private readonly jobs: JobBroker;

  /** @param ctx - the connections, keys and Redis clock to use */
  constructor(private readonly ctx: RedisContext) {
    this.jobs = new JobBroker(ctx);
  }

  private get keys() {
    return this.ctx.keys;
  }

  /** The job names seen in this namespace, and the paused ones. */
  async names(): Promise<{ names: string[]; paused: string[] }> {
    const [names, paused] = await this.ctx.conn.command('list names', (c) =>
      Promise.all([c.smembers(this.keys.names()), c.smembers(this.keys.paused())]),
    );
    return { names: names.sort(), paused };
  }

  /** Sizes of a name's queues and indexes (one pipeline), and the id of its oldest queued job. */
  async sizes(name: string): Promise<{ ready: number; schedule: number; lease: number; completed: number; dead: number; cancelled: number; oldestQueued?: string }> {
    const now = Date.now();
    return this.ctx.conn.command('count jobs', async (c) => {
      const k = this.keys;
      const res = (await c.multi()
        .llen(k.ready(name)).zcard(k.schedule(name)).zcard(k.lease(name))
        .zcount(k.finished(name, 'c'), now, '+inf').zcount(k.finished(name, 'd'), now, '+inf').zcount(k.finished(name, 'x'), now, '+inf')
        .lindex(k.ready(name), -1)
        .exec()) ?? [];
      const v = res.map(([err, value]) => (err ? null : value));
      const n = (i: number) => Number(v[i] ?? 0);
      const oldest = typeof v[6] === 'string' ? v[6] : undefined;
      return { ready: n(0), schedule: n(1), lease: n(2), completed: n(3), dead: n(4), cancelled: n(5), oldestQueued: oldest };
    });
  }

  /**
   * A slice of a name's ids in one state's index, newest first: `count` from `offset`. Scheduled and retrying jobs
   * share the schedule zset (filter by record), as queued jobs may be prioritised there too.
   */
  async ids(name: string, state: JobState, offset: number, count: number): Promise<string[]> {
    const k = this.keys;
    const stop = offset + count - 1;
    return this.ctx.conn.command('list ids', async (c) => {
      switch (state) {
        case 'queued': return c.lrange(k.ready(name), offset, stop);
        case 'scheduled':
        case 'retrying': return c.zrevrange(k.schedule(name), offset, stop);
        case 'active': return (await c.zrevrange(k.lease(name), offset, stop)).map((m) => m.slice(0, m.lastIndexOf('|')));
        default: return c.zrevrangebyscore(k.finished(name, STATE_CODES[state] as 'c' | 'd' | 'x'), '+inf', Date.now(), 'LIMIT', offset, count);
      }
    });
  }

  /** Reads records (one pipeline); with `args: false`, without the args fields. Missing records are null. */
  async records(ids: readonly string[], options: { args?: boolean } = {}): Promise<(JobRecord | null)[]> {
    if (ids.length === 0) return [];
    const fields = ['n', 's', 'f', 't', 'st', 'ft', 'p', 'r', 'e', 'te', 'tt', 'tb', 'u'];
    return this.ctx.conn.command('read jobs', async (c) => {
      const p = c.pipeline();
      for (const id of ids) {
        if (options.args === false) p.hmget(this.keys.job(id), ...fields);
        else p.hgetall(this.keys.job(id));
      }
      const res = (await p.exec()) ?? [];
      return res.map(([err, value]) => {
        if (err || value === null) return null;
        if (Array.isArray(value)) {
          const rec: JobRecord = {};
          (value as (string | null)[]).forEach((v, i) => {
            if (v !== null) rec[fields[i]!] = v;
          });
          return rec.s === undefined ? null : rec;
        }
        const rec = value as JobRecord;
        return Object.keys(rec).length === 0 ? null : rec;
      });
    });
  }

  /** Cancels a job (see cancel-job.lua). */
  async cancelJob(id: string, defaultRetentionMs: number, errorJson: string): Promise<'CANCELLED' | 'FINISHED' | 'NOT_FOUND'> {
    const [rec] = await this.records([id], { args: false });
    if (!rec?.n) return 'NOT_FOUND';
    const name = rec.n;
    const u = this.jobs.ownUniqueKey(rec.u); // the script re-checks that the record still names it
    const k = this.keys;
    const jobKey = k.job(id);
    const keys = [jobKey, k.ready(name), k.schedule(name), k.lease(name), k.finished(name, 'x'), u ?? jobKey];
    const argv: Arg[] = [id, name, defaultRetentionMs, k.finishedChannel(), k.cancelChannel(), errorJson];
    const reply = String(await this.ctx.conn.script(scripts.cancelJob, keys, argv));
    if (reply !== 'CANCELLED' && reply !== 'FINISHED' && reply !== 'NOT_FOUND') throw new RedisScriptError(scripts.cancelJob.command, `unexpected reply ${reply}`);
    return reply;
  }

  /** Runs jobs of one name again now (see requeue-jobs.lua). */
  async requeueJobs(name: string, ids: readonly string[]): Promise<AdminOutcome[]> {
    if (ids.length === 0) return [];
    const k = this.keys;
    const keys = [k.ready(name), k.schedule(name), k.marker(name), k.finished(name, 'd'), k.finished(name, 'x'), ...ids.map((id) => k.job(id))];
    return (await this.ctx.conn.script(scripts.requeueJobs, keys, [k.job('').length, name])) as AdminOutcome[];
  }

  /** Deletes jobs of one name that are not running (see remove-jobs.lua). */
  async removeJobs(name: string, ids: readonly string[]): Promise<AdminOutcome[]> {
    if (ids.length === 0) return [];
    const k = this.keys;
    const uniques = await this.jobs.readUniqueKeys(ids);
    const keys = [k.ready(name), k.schedule(name), k.finished(name, 'c'), k.finished(name, 'd'), k.finished(name, 'x')];
    ids.forEach((id, i) => keys.push(k.job(id), uniques[i] ?? k.job(id)));
    return (await this.ctx.conn.script(scripts.removeJobs, keys, [k.job('').length, name])) as AdminOutcome[];
  }

  /** Pauses or resumes a name (one MULTI); resuming wakes an idle worker of it. */
  async setPaused(name: string, paused: boolean): Promise<void> {
    await this.ctx.conn.command(paused ? 'pause' : 'resume', (c) => {
      const m = c.multi().sadd(this.keys.names(), name);
      if (paused) m.sadd(this.keys.paused(), name);
      else m.srem(this.keys.paused(), name).zadd(this.keys.marker(name), 0, '0');
      return m.exec();
    });
  }

  /** Live worker reports (JSON) and when each last reported (a report expires two leases after it was made). */
  async workers(): Promise<{ report: string; lastSeenAt: number }[]> {
    return this.ctx.conn.command('list workers', async (c) => {
      const flat = await c.zrevrange(this.keys.workers(), 0, 999, 'WITHSCORES');
      if (flat.length === 0) return [];
      const ids = flat.filter((_, i) => i % 2 === 0);
      const reports = await c.mget(...ids.map((id) => this.keys.worker(id)));
      return reports.flatMap((report, i) => (typeof report === 'string' ? [{ report, lastSeenAt: Number(flat[i * 2 + 1]) }] : []));
    });
  }

  /** Periodic entries with their state and recent ticks. */
  async entries(): Promise<StoredEntry[]> {
    return this.ctx.conn.command('list entries', async (c) => {
      const names = await c.zrange(this.keys.entries(), '0', '-1');
      const p = c.pipeline();
      for (const n of names) p.hgetall(this.keys.entry(n)).lrange(this.keys.tickHistory(n), 0, -1);
      const res = (await p.exec()) ?? [];
      return names.map((name, i) => ({
        name,
        fields: (res[i * 2]?.[1] ?? {}) as Record<string, string>,
        history: (res[i * 2 + 1]?.[1] ?? []) as string[],
      }));
    });
  }

  /** One periodic entry's registration and state, or null if no instance ever registered it. */
  async entry(name: string): Promise<Record<string, string> | null> {
    return this.ctx.conn.command('read entry', async (c) => {
      if ((await c.zscore(this.keys.entries(), name)) === null) return null;
      return c.hgetall(this.keys.entry(name));
    });
  }

  /** Pauses or resumes a periodic entry; false if no instance ever registered it. */
  async setEntryPaused(entry: string, paused: boolean): Promise<boolean> {
    return this.ctx.conn.command('pause entry', async (c) => {
      if ((await c.zscore(this.keys.entries(), entry)) === null) return false;
      await c.hset(this.keys.entry(entry), 'paused', paused ? '1' : '0');
      return true;
    });
  }

  /** One PING on the command connection. */
  async ping(): Promise<void> {
    await this.ctx.conn.command('ping', (c) => c.ping());
  }

  /**
   * The oldest job of each name's ready list, with its enqueue and due times (two pipelines, whatever the number of
   * names); names with none queued (or whose record is gone) are left out.
   */
  async oldestQueued(names: readonly string[]): Promise<{ name: string; id: string; enqueuedAt: number; dueAt?: number }[]> {
    if (names.length === 0) return [];
    return this.ctx.conn.command('read oldest queued', async (c) => {
      const heads = c.pipeline();
      for (const name of names) heads.lindex(this.keys.ready(name), -1);
      const found = ((await heads.exec()) ?? []).flatMap(([err, id], i) => (!err && typeof id === 'string' ? [{ name: names[i]!, id }] : []));
      if (found.length === 0) return [];
      const times = c.pipeline();
      for (const { id } of found) times.hmget(this.keys.job(id), 't', 'du');
      const res = (await times.exec()) ?? [];
      return found.flatMap(({ name, id }, i) => {
        const [err, value] = res[i] ?? [null, null];
        const [t, du] = (err ? [] : (value as (string | null)[] | null) ?? []) as (string | null | undefined)[];
        const enqueuedAt = Number(t);
        if (t == null || !Number.isFinite(enqueuedAt)) return [];
        const dueAt = du == null ? NaN : Number(du);
        return [{ name, id, enqueuedAt, ...(Number.isFinite(dueAt) ? { dueAt } : {}) }];
      });
    });
  }

  /** The server's version and memory figures (one INFO of the server and memory sections). */
  async serverInfo(): Promise<Map<string, string>> {
    const text = await this.ctx.conn.command('read server info', (c) => c.info('server', 'memory'));
    const fields = new Map<string, string>();
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
    }
    return fields;
  }

  /** Stats buckets (strings "processed,failed,runSum,runMax,waitSum,waitMax"), null where none was written. */
  async stats(name: string, unit: 'm' | 'h', starts: readonly number[]): Promise<(string | null)[]> {
    if (starts.length === 0) return [];
    return this.ctx.conn.command('read stats', (c) => c.mget(...starts.map((at) => this.keys.stats(name, unit, at))));
  }
}
