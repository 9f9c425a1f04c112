import { RedisScriptError } from '../errors.js';
import { UNIQUE_KEY_FIELD, type JobRecord } from './codec.js';
import type { Arg } from './connections.js';
import { readRedisTime, type RedisContext } from './redis-context.js';
import { scripts } from './lua.generated.js';
import { jobIdOf, parseOptional, tokenOf, unpackRecord } from './wire.js';
import type {
  BuryItem, ClaimReply, ClaimRequest, CompleteItem, EncodedJob, EnqueueReply, LeaseOutcome, RecoverOutcome, RetryItem, StartedRecord, WorkerReport,
} from './job-items.js';

export type {
  AttemptTimes, BuryItem, ClaimReply, ClaimRequest, CompleteItem, EncodedJob, EnqueueReply, LeaseOutcome, RecoverOutcome, RetryItem, StartedRecord, WorkerReport,
} from './job-items.js';

const ms = (v: number | undefined) => Math.max(0, Math.round(v ?? 0));

/**
 * The job transitions, one method per Lua script (or one read), mapping replies to typed results. Every method
 * that records an outcome answers per job `OK` or `LOST`, and writes nothing for a lost one.
 * @internal
 */
export class JobBroker {
  /** @param ctx - the connections, keys and Redis clock to use */
  constructor(private readonly ctx: RedisContext) {}

  private get keys() {
    return this.ctx.keys;
  }

  /** The minute and hour stats buckets of a name, now (on the estimated Redis clock). */
  private statsKeys(name: string): [string, string] {
    const now = this.ctx.clock.now();
    return [this.keys.stats(name, 'm', now - (now % 60_000)), this.keys.stats(name, 'h', now - (now % 3_600_000))];
  }

  /** A unique key a record names, if it is one of ours (a corrupt record could name any key, even another slot's). */
  ownUniqueKey(key: string | undefined): string | undefined {
    return key !== undefined && key.startsWith(this.keys.uniquePrefix()) ? key : undefined;
  }

  /**
   * Writes a batch of jobs; each is accepted or refused on its own. A unique key whose holder no longer exists or
   * has finished does not hold it: a refused job is tried once more with that holder's record declared, and the
   * script takes the key over if the holder is still that stale job (one more round trip, on refusals only).
   */
  async enqueueJobs(jobs: readonly EncodedJob[]): Promise<EnqueueReply[]> {
    const { clock } = this.ctx;
    if (clock.offset() === undefined && jobs.some((j) => j.mode === 'd')) await this.redisNow();
    const out = await this.enqueueOnce(jobs, []);
    const stale = out.flatMap((r, i) => (r.status === 'DUPLICATE_UNIQUE' && r.holder !== jobs[i]!.id ? [i] : []));
    if (stale.length === 0) return out;
    const again = await this.enqueueOnce(stale.map((i) => jobs[i]!), stale.map((i) => (out[i] as { holder: string }).holder));
    stale.forEach((i, k) => (out[i] = again[k]!));
    return out;
  }

  private async enqueueOnce(jobs: readonly EncodedJob[], holders: readonly string[]): Promise<EnqueueReply[]> {
    const { clock } = this.ctx;
    const groups = new Map<string, number>();
    const nameKeys: string[] = [];
    const jobKeys: string[] = [];
    const extraKeys: string[] = [];
    const argv: Arg[] = [0, this.keys.job('').length];
    const sentAt = clock.local.now();
    const offset = clock.offset();
    const relative: (number | undefined)[] = [];
    jobs.forEach((j, i) => {
      let g = groups.get(j.name);
      if (g === undefined) {
        groups.set(j.name, (g = groups.size));
        nameKeys.push(this.keys.ready(j.name), this.keys.schedule(j.name), this.keys.marker(j.name));
      }
      jobKeys.push(this.keys.job(j.id));
      const u = j.uniqueKey ? jobs.length + extraKeys.push(j.uniqueKey) : '';
      const h = holders[i] ? jobs.length + extraKeys.push(this.keys.job(holders[i]!)) : '';
      let mode = j.mode;
      let modeValue: number | string = j.mode === 'n' ? '' : j.modeValue;
      if (j.mode === 'd') {
        // a delay counts from the enqueue call, on the Redis clock: absolute when the offset is known, else
        // relative to the script's Redis time, less the time this job waited for its batch
        if (offset !== undefined) {
          mode = 'a';
          modeValue = Math.round(j.enqueuedAt + j.modeValue + offset);
        } else {
          modeValue = Math.max(0, j.modeValue - (sentAt - j.enqueuedAt));
          relative[i] = modeValue;
        }
      }
      argv.push(`${g},${j.enqueuedAt},${mode},${modeValue},${j.checkId ? 'i' : '-'},${u},${h},${j.extra.length / 2}`, j.name, j.args, ...j.extra);
    });
    argv[0] = groups.size;
    const reply = (await this.ctx.conn.script(scripts.enqueueJobs, [...nameKeys, ...jobKeys, ...extraKeys, this.keys.names()], argv)) as Arg[];
    const replyAt = clock.local.now();
    return jobs.map((_, i): EnqueueReply => {
      const status = String(reply[i * 2]);
      const detail = reply[i * 2 + 1];
      if (status === 'DUPLICATE_ID' || status === 'DUPLICATE_UNIQUE') return { status, holder: String(detail) };
      if (status !== 'OK') throw new RedisScriptError(scripts.enqueueJobs.command, `unexpected status ${status}`);
      const due = parseOptional(detail);
      if (due === undefined) return { status };
      const rel = relative[i];
      if (rel !== undefined) clock.observe(due - rel, sentAt, replyAt);
      return { status, due };
    });
  }

  /** Leases runnable jobs of several names for one worker. */
  async claimJobs(token: string, leaseMs: number, totalRoom: number, requests: readonly ClaimRequest[]): Promise<ClaimReply> {
    const keys: string[] = [];
    const argv: Arg[] = [token, leaseMs, totalRoom];
    for (const r of requests) {
      keys.push(this.keys.ready(r.name), this.keys.schedule(r.name), this.keys.lease(r.name), this.keys.marker(r.name));
      argv.push(r.room, r.cap, r.name);
    }
    keys.push(this.keys.paused());
    const sentAt = this.ctx.clock.local.now();
    const reply = (await this.ctx.conn.script(scripts.claimJobs, keys, argv)) as unknown[];
    this.ctx.clock.observe(Number(reply[0]), sentAt, this.ctx.clock.local.now());
    return {
      now: Number(reply[0]),
      names: requests.map((r, i) => {
        const ids = (reply[1 + i * 2] as string[] | null) ?? [];
        const nextDue = parseOptional(reply[2 + i * 2]);
        return nextDue === undefined ? { name: r.name, ids } : { name: r.name, ids, nextDue };
      }),
    };
  }

  /** Reads just-claimed records and marks the live ones active. */
  async startJobs(ids: readonly string[], now: number): Promise<StartedRecord[]> {
    const reply = (await this.ctx.conn.script(scripts.startJobs, ids.map((id) => this.keys.job(id)), [now])) as string[];
    return reply.map((r) => (r === 'WRONGTYPE' ? 'WRONGTYPE' : r ? unpackRecord(r) : null));
  }

  /** Records results of finished jobs of one name whose leases are still held. */
  async completeJobs(name: string, wake: boolean, defaultRetentionMs: number, items: readonly CompleteItem[]): Promise<LeaseOutcome[]> {
    const keys = [this.keys.lease(name), this.keys.marker(name), this.keys.finished(name, 'c'), ...this.statsKeys(name)];
    const uniqueKeys: string[] = [];
    const tokens = new Map<string, number>();
    const perJob: Arg[] = [];
    let runSum = 0, runMax = 0, waitSum = 0, waitMax = 0;
    for (const it of items) {
      const token = tokenOf(it.member);
      let t = tokens.get(token);
      if (t === undefined) tokens.set(token, (t = tokens.size));
      keys.push(this.keys.job(jobIdOf(it.member)));
      const uniqueKey = this.ownUniqueKey(it.uniqueKey);
      const u = uniqueKey ? String(uniqueKeys.push(uniqueKey)) : '';
      // the usual job (default retention, no unique key) is just its token's index: the script's fast path
      perJob.push(it.retentionMs === defaultRetentionMs && !u ? t : `${t},${it.retentionMs === defaultRetentionMs ? '' : it.retentionMs},${u}`, it.result);
      const run = ms(it.runMs), wait = ms(it.waitMs);
      runSum += run; waitSum += wait;
      if (run > runMax) runMax = run;
      if (wait > waitMax) waitMax = wait;
    }
    keys.push(...uniqueKeys);
    const argv: Arg[] = [
      this.keys.finishedChannel(), wake ? '1' : '0', defaultRetentionMs, this.keys.job('').length, `${runSum},${runMax},${waitSum},${waitMax}`,
      tokens.size, ...tokens.keys(), ...perJob,
    ];
    return (await this.ctx.conn.script(scripts.completeJobs, keys, argv)) as LeaseOutcome[];
  }

  /** Sends failed attempts of one name back to the schedule, due after their backoff. */
  async retryJobs(name: string, items: readonly RetryItem[]): Promise<LeaseOutcome[]> {
    const keys = [this.keys.lease(name), this.keys.schedule(name), this.keys.marker(name), ...this.statsKeys(name)];
    const argv: Arg[] = [];
    for (const it of items) {
      keys.push(this.keys.job(jobIdOf(it.member)));
      argv.push(it.member, it.error, it.fails, it.delayMs, ms(it.runMs), ms(it.waitMs));
    }
    return (await this.ctx.conn.script(scripts.retryJobs, keys, argv)) as LeaseOutcome[];
  }

  /** Moves jobs of one name to the dead set. */
  async buryJobs(name: string, items: readonly BuryItem[]): Promise<LeaseOutcome[]> {
    const keys = [this.keys.lease(name), this.keys.finished(name, 'd'), ...this.statsKeys(name)];
    const argv: Arg[] = [this.keys.finishedChannel()];
    for (const it of items) {
      const jobKey = this.keys.job(jobIdOf(it.member));
      const uniqueKey = this.ownUniqueKey(it.uniqueKey);
      keys.push(jobKey, uniqueKey ?? jobKey);
      argv.push(it.member, it.error, it.fails, it.retentionMs, uniqueKey ? '1' : '0', ms(it.runMs), ms(it.waitMs));
    }
    return (await this.ctx.conn.script(scripts.buryJobs, keys, argv)) as LeaseOutcome[];
  }

  /** Hands running jobs of one name back to the front of its ready list. */
  async releaseJobs(name: string, members: readonly string[]): Promise<LeaseOutcome[]> {
    const keys = [this.keys.lease(name), this.keys.ready(name), this.keys.marker(name), ...members.map((m) => this.keys.job(jobIdOf(m)))];
    return (await this.ctx.conn.script(scripts.releaseJobs, keys, [...members])) as LeaseOutcome[];
  }

  /** Renews leases; returns per member whether it is still held. */
  async extendLeases(name: string, leaseMs: number, members: readonly string[]): Promise<boolean[]> {
    const reply = (await this.ctx.conn.script(scripts.extendLeases, [this.keys.lease(name)], [leaseMs, ...members])) as number[];
    return reply.map((v) => v === 1);
  }

  /** Lists expired leases and the earliest live deadline per name. */
  async findExpired(names: readonly string[], limit: number): Promise<{ now: number; names: { name: string; expired: string[]; earliest?: number }[] }> {
    const reply = (await this.ctx.conn.script(scripts.findExpired, names.map((n) => this.keys.lease(n)), [limit])) as unknown[];
    return {
      now: Number(reply[0]),
      names: names.map((name, i) => {
        const earliest = parseOptional(reply[2 + i * 2]);
        const expired = (reply[1 + i * 2] as string[]) ?? [];
        return earliest === undefined ? { name, expired } : { name, expired, earliest };
      }),
    };
  }

  /** Reads the unique keys of jobs about to be recovered (a read; the script re-checks what it was given). */
  async readUniqueKeys(ids: readonly string[]): Promise<(string | undefined)[]> {
    return this.ctx.conn.command('read unique keys', async (c) => {
      const p = c.pipeline();
      for (const id of ids) p.hget(this.keys.job(id), UNIQUE_KEY_FIELD);
      const res = (await p.exec()) ?? [];
      return res.map(([err, v]) => (err || typeof v !== 'string' ? undefined : this.ownUniqueKey(v)));
    });
  }

  /** Requeues (or buries, on their last attempt) jobs whose leases expired. */
  async recoverJobs(
    name: string,
    defaults: { maxFails: number; retentionMs: number },
    items: readonly { member: string; uniqueKey?: string }[],
  ): Promise<RecoverOutcome[]> {
    const keys = [this.keys.lease(name), this.keys.ready(name), this.keys.marker(name), this.keys.finished(name, 'd')];
    for (const it of items) {
      const jobKey = this.keys.job(jobIdOf(it.member));
      keys.push(jobKey, this.ownUniqueKey(it.uniqueKey) ?? jobKey);
    }
    const argv: Arg[] = [this.keys.finishedChannel(), defaults.maxFails, defaults.retentionMs, ...items.map((i) => i.member)];
    return (await this.ctx.conn.script(scripts.recoverJobs, keys, argv)) as RecoverOutcome[];
  }

  /** Stores a running job's progress if its lease is still held. */
  async setProgress(name: string, member: string, json: string): Promise<LeaseOutcome> {
    return (await this.ctx.conn.script(scripts.setProgress, [this.keys.lease(name), this.keys.job(jobIdOf(member))], [member, json])) as LeaseOutcome;
  }

  /** Reads a job record; null if it does not exist. */
  async getJob(id: string): Promise<StartedRecord> {
    return this.ctx.conn.command('getJob', async (c) => {
      try {
        const rec = (await c.hgetall(this.keys.job(id))) as JobRecord;
        return Object.keys(rec).length === 0 ? null : rec;
      } catch (err) {
        if (err instanceof Error && /WRONGTYPE/.test(err.message)) return 'WRONGTYPE';
        throw err;
      }
    });
  }

  /**
   * Blocks on the marker zsets of `names` for up to `timeoutMs` (on the blocking connection).
   * @returns the name whose marker woke us, or null on timeout
   */
  async waitForWake(names: readonly string[], timeoutMs: number): Promise<string | null> {
    const markers = names.map((n) => this.keys.marker(n));
    const res = await this.ctx.conn.block('wait for jobs', timeoutMs, (c) => c.bzpopmin(...markers, (timeoutMs / 1000).toFixed(3)));
    return res ? (names[markers.indexOf(res[0])] ?? null) : null;
  }

  /** Interrupts a pending `waitForWake` at once (it rejects); the next wait opens a new blocking connection. */
  interruptWait(): void {
    this.ctx.conn.interruptBlock();
  }

  /** Passes a wake-up on (a popped marker this worker could not use). One atomic command. */
  async wake(name: string): Promise<void> {
    await this.ctx.conn.command('wake', (c) => c.zadd(this.keys.marker(name), 0, '0'));
  }

  /** Subscribes to cancellations of running jobs; the listener gets each cancelled job's id. */
  onCancelled(listener: (id: string) => void): Promise<void> {
    return this.ctx.conn.subscribe(this.keys.cancelChannel(), listener);
  }

  /**
   * Reports a worker pool (one MULTI): its record, kept for `ttlMs`, and its place in the workers zset, from which
   * pools gone for a day are trimmed.
   */
  async reportWorker(report: WorkerReport, ttlMs: number): Promise<void> {
    await this.ctx.conn.command('report worker', (c) => {
      const now = Date.now();
      return c.multi()
        .set(this.keys.worker(report.id), JSON.stringify(report), 'PX', ttlMs)
        .zadd(this.keys.workers(), now, report.id)
        .zremrangebyscore(this.keys.workers(), '-inf', now - 86_400_000)
        .sadd(this.keys.names(), ...report.names)
        .exec();
    });
  }

  /** Removes a stopped pool from the workers list (one MULTI). */
  async forgetWorker(id: string): Promise<void> {
    await this.ctx.conn.command('forget worker', (c) => c.multi().del(this.keys.worker(id)).zrem(this.keys.workers(), id).exec());
  }

  /** Subscribes to finished-job announcements; the listener gets the ids of each one. */
  onFinished(listener: (ids: string[]) => void): Promise<void> {
    return this.ctx.conn.subscribe(this.keys.finishedChannel(), (message) => listener(message.split(' ')));
  }

  /** The Redis clock now (ms), from one TIME read; also refines the clock offset. */
  redisNow(): Promise<number> {
    return readRedisTime(this.ctx);
  }

  /** The local time at which the Redis clock reads `redisMs`, if the clock offset is known. */
  localTime(redisMs: number): number | undefined {
    return this.ctx.clock.localTime(redisMs);
  }
}
