import type { Redis } from 'ioredis';
import { QueueClosedError, RedisScriptError, RedisUnavailableError } from '../errors.js';
import type { ResolvedConnectionOptions } from '../options.js';
import { createConnection } from './connection.js';
import { systemClock, type Clock } from '../clock.js';
import { ConnectionGuard } from './connection-guard.js';
import { RedisClock } from './redis-clock.js';
import type { JobRecord } from './codec.js';
import { Keys } from './keys.js';
import { scripts, type LuaScript } from './lua.generated.js';

type Arg = string | number;
type ScriptCall = (...args: Arg[]) => Promise<unknown>;

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

/** A finished job to record. @internal */
export interface CompleteItem {
  member: string;
  result: string;
  retentionMs: number;
  uniqueKey?: string;
}

/** A failed attempt to retry later. @internal */
export interface RetryItem {
  member: string;
  error: string;
  fails: number;
  delayMs: number;
}

/** A job to move to the dead set. @internal */
export interface BuryItem {
  member: string;
  id: string;
  error: string;
  fails: number;
  retentionMs: number;
  uniqueKey?: string;
}

/** A tick to fire. @internal */
export interface TickClaim {
  entry: string;
  tick: number;
  jobId: string;
  jobName: string;
  args: string;
  extra: string[];
  instanceId: string;
  overlap: 'allow' | 'skip';
  previousJob: string;
  notBefore: number;
  uniqueWindowMs: number;
}

/** What claiming a tick did. @internal */
export type TickReply =
  | { status: 'FIRED'; jobId: string; now: number }
  | { status: 'TAKEN'; lastJob: string; lastTick: number }
  | { status: 'SKIPPED'; previousJob: string; now: number }
  | { status: 'EARLY'; now: number }
  | { status: 'STALE'; lastJob: string };

/** A periodic entry's shared state. @internal */
export interface EntryState {
  lastTick?: number;
  lastJob?: string;
  lastBy?: string;
  lastFiredAt?: number;
  lastSkipped?: number;
}

/** Per-call outcome of a lease-guarded transition. @internal */
export type LeaseOutcome = 'OK' | 'LOST';

function isConnectionError(err: unknown): boolean {
  return !(err instanceof Error && err.name === 'ReplyError');
}

/**
 * The only code that talks to Redis: one small method per transition, each one Lua script (or one read),
 * mapping replies to typed results and client failures to typed errors in one place.
 * Owns its connections: one for commands and scripts, and lazily a blocking one and a subscriber.
 * @internal
 */
export class Broker {
  readonly keys: Keys;
  private client: Redis;
  private blocker?: Redis;
  private subscriber?: Redis;
  private closed = false;
  private readonly guard: ConnectionGuard;
  private readonly clock: RedisClock;
  private subscribing?: Promise<void>;
  private subscribed = false;

  /**
   * @param options - validated connection options
   * @param localClock - this process's clock for Redis-clock estimates (injectable in tests)
   */
  constructor(
    private readonly options: ResolvedConnectionOptions,
    localClock: Clock = systemClock,
  ) {
    this.clock = new RedisClock(localClock);
    this.keys = new Keys(options.namespace);
    this.guard = new ConnectionGuard(options.commandTimeoutMs, () => this.closed);
    this.client = this.openCommandConnection();
  }

  /**
   * The connection for commands and scripts. When it drops after having been ready, it is replaced rather than
   * left to ioredis's reconnect: ioredis drops (never settles) the commands in flight at the drop, and its
   * auto-pipelining then waits on that dropped pipeline forever, queueing every later command behind it.
   */
  private openCommandConnection(): Redis {
    const c = createConnection(this.options.redis, 'command');
    let wasReady = false;
    c.on('ready', () => {
      wasReady = true;
    });
    c.on('close', () => {
      if (!wasReady || this.closed || this.client !== c) return;
      this.client = this.openCommandConnection(); // connects on first use, with ioredis's retries from there on
      this.guard.abandon(c);
    });
    return c;
  }

  /** Resolves once the command connection is ready, or rejects with RedisUnavailableError after commandTimeout. */
  async ready(): Promise<void> {
    await this.guard.waitReady(this.client, 'connect');
  }

  private async script(script: LuaScript, keys: string[], argv: Arg[]): Promise<unknown> {
    if (this.client.status !== 'ready') await this.guard.waitReady(this.client, script.command);
    const fn = (this.client as unknown as Record<string, ScriptCall>)[script.command]!;
    try {
      const pending = (script.numberOfKeys === undefined ? fn.call(this.client, keys.length, ...keys, ...argv) : fn.call(this.client, ...keys, ...argv)) as Promise<unknown>;
      return await this.guard.call(this.client, pending);
    } catch (err) {
      if (isConnectionError(err)) throw new RedisUnavailableError(script.command, err);
      throw new RedisScriptError(script.command, err instanceof Error ? err.message : String(err), err);
    }
  }

  private async read<T>(operation: string, run: (client: Redis) => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') await this.guard.waitReady(this.client, operation);
    try {
      return await this.guard.call(this.client, run(this.client));
    } catch (err) {
      if (isConnectionError(err)) throw new RedisUnavailableError(operation, err);
      throw err;
    }
  }

  /** Learns the Redis clock's offset with one TIME round trip (a read); at most about once a minute per broker. */
  private async syncClock(): Promise<void> {
    await this.redisNow();
  }

  /** Writes a batch of jobs; each is accepted or refused on its own. */
  async enqueueJobs(jobs: readonly EncodedJob[]): Promise<EnqueueReply[]> {
    const groups = new Map<string, number>();
    const nameKeys: string[] = [];
    const jobKeys: string[] = [];
    const uniqueKeys: string[] = [];
    const argv: Arg[] = [0, this.keys.job('').length];
    if (this.clock.offset() === undefined && jobs.some((j) => j.mode === 'd')) await this.syncClock();
    const sentAt = this.clock.local.now();
    const offset = this.clock.offset();
    const relative: (number | undefined)[] = [];
    for (const j of jobs) {
      let g = groups.get(j.name);
      if (g === undefined) {
        groups.set(j.name, (g = groups.size));
        nameKeys.push(this.keys.ready(j.name), this.keys.schedule(j.name), this.keys.marker(j.name));
      }
      jobKeys.push(this.keys.job(j.id));
      const u = j.uniqueKey ? jobs.length + uniqueKeys.push(j.uniqueKey) : '';
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
          relative[jobKeys.length - 1] = modeValue;
        }
      }
      argv.push(`${g},${j.enqueuedAt},${mode},${modeValue},${j.checkId ? 'i' : '-'},${u},${j.extra.length / 2}`, j.name, j.args, ...j.extra);
    }
    argv[0] = groups.size;
    const keys = [...nameKeys, ...jobKeys, ...uniqueKeys];
    const reply = (await this.script(scripts.enqueueJobs, keys, argv)) as Arg[];
    const replyAt = this.clock.local.now();
    const out: EnqueueReply[] = [];
    for (let i = 0; i < jobs.length; i++) {
      const status = String(reply[i * 2]);
      const detail = reply[i * 2 + 1];
      if (status === 'OK') {
        if (detail === '' || detail === undefined) out.push({ status });
        else {
          out.push({ status, due: Number(detail) });
          const rel = relative[i];
          if (rel !== undefined) this.clock.observe(Number(detail) - rel, sentAt, replyAt);
        }
      } else if (status === 'DUPLICATE_ID' || status === 'DUPLICATE_UNIQUE') out.push({ status, holder: String(detail) });
      else throw new RedisScriptError(scripts.enqueueJobs.command, `unexpected status ${status}`);
    }
    return out;
  }

  /** Leases runnable jobs of several names for one worker. */
  async claimJobs(token: string, leaseMs: number, totalRoom: number, requests: readonly ClaimRequest[]): Promise<ClaimReply> {
    const keys: string[] = [];
    const argv: Arg[] = [token, leaseMs, totalRoom];
    for (const r of requests) {
      keys.push(this.keys.ready(r.name), this.keys.schedule(r.name), this.keys.lease(r.name), this.keys.marker(r.name));
      argv.push(r.room, r.cap);
    }
    const sentAt = this.clock.local.now();
    const reply = (await this.script(scripts.claimJobs, keys, argv)) as unknown[];
    this.clock.observe(Number(reply[0]), sentAt, this.clock.local.now());
    return {
      now: Number(reply[0]),
      names: requests.map((r, i) => {
        const ids = (reply[1 + i * 2] as string[] | null) ?? [];
        const due = reply[2 + i * 2];
        return due === '' || due == null ? { name: r.name, ids } : { name: r.name, ids, nextDue: Number(due) };
      }),
    };
  }

  /** Reads just-claimed records and marks them active. `'WRONGTYPE'` = not a hash, `null` = gone. */
  async startJobs(ids: readonly string[], now: number): Promise<(JobRecord | 'WRONGTYPE' | null)[]> {
    const reply = (await this.script(scripts.startJobs, ids.map((id) => this.keys.job(id)), [now])) as string[];
    return reply.map((r) => {
      if (r === 'WRONGTYPE') return 'WRONGTYPE';
      if (!r) return null;
      const parts = r.split('\0');
      const rec: JobRecord = {};
      for (let i = 0; i + 1 < parts.length; i += 2) rec[parts[i]!] = parts[i + 1]!;
      if (parts.length % 2 === 1) rec[''] = ''; // odd count: a value held a NUL; decoding will report the record as corrupt
      return rec;
    });
  }

  /** Records results of finished jobs of one name whose leases are still held. */
  async completeJobs(name: string, wake: boolean, defaultRetentionMs: number, items: readonly CompleteItem[]): Promise<LeaseOutcome[]> {
    const keys = [this.keys.lease(name), this.keys.marker(name)];
    const uniqueKeys: string[] = [];
    const tokens = new Map<string, number>();
    const perJob: Arg[] = [];
    for (const it of items) {
      const bar = it.member.lastIndexOf('|');
      const token = it.member.slice(bar + 1);
      let t = tokens.get(token);
      if (t === undefined) tokens.set(token, (t = tokens.size));
      keys.push(this.keys.job(it.member.slice(0, bar)));
      let u = '';
      if (it.uniqueKey) u = String(uniqueKeys.push(it.uniqueKey));
      perJob.push(`${t},${it.retentionMs === defaultRetentionMs ? '' : it.retentionMs},${u}`, it.result);
    }
    keys.push(...uniqueKeys);
    const argv: Arg[] = [this.keys.finishedChannel(), wake ? '1' : '0', defaultRetentionMs, this.keys.job('').length, tokens.size, ...tokens.keys(), ...perJob];
    return (await this.script(scripts.completeJobs, keys, argv)) as LeaseOutcome[];
  }

  /** Sends failed attempts of one name back to the schedule, due after their backoff. */
  async retryJobs(name: string, items: readonly RetryItem[]): Promise<LeaseOutcome[]> {
    const keys = [this.keys.lease(name), this.keys.schedule(name), this.keys.marker(name)];
    const argv: Arg[] = [];
    for (const it of items) {
      keys.push(this.keys.job(idOf(it.member)));
      argv.push(it.member, it.error, it.fails, it.delayMs);
    }
    return (await this.script(scripts.retryJobs, keys, argv)) as LeaseOutcome[];
  }

  /** Moves jobs of one name to the dead set. */
  async buryJobs(name: string, items: readonly BuryItem[]): Promise<LeaseOutcome[]> {
    const keys = [this.keys.lease(name), this.keys.dead()];
    const argv: Arg[] = [this.keys.finishedChannel()];
    for (const it of items) {
      const jobKey = this.keys.job(it.id);
      keys.push(jobKey, it.uniqueKey ?? jobKey);
      argv.push(it.member, it.error, it.fails, it.retentionMs, it.uniqueKey ? '1' : '0');
    }
    return (await this.script(scripts.buryJobs, keys, argv)) as LeaseOutcome[];
  }

  /** Hands running jobs of one name back to the front of its ready list. */
  async releaseJobs(name: string, members: readonly string[]): Promise<LeaseOutcome[]> {
    const keys = [this.keys.lease(name), this.keys.ready(name), this.keys.marker(name), ...members.map((m) => this.keys.job(idOf(m)))];
    return (await this.script(scripts.releaseJobs, keys, [...members])) as LeaseOutcome[];
  }

  /** Renews leases; returns per member whether it is still held. */
  async extendLeases(name: string, leaseMs: number, members: readonly string[]): Promise<boolean[]> {
    const reply = (await this.script(scripts.extendLeases, [this.keys.lease(name)], [leaseMs, ...members])) as number[];
    return reply.map((v) => v === 1);
  }

  /** Lists expired leases and the earliest live deadline per name. */
  async findExpired(names: readonly string[], limit: number): Promise<{ now: number; names: { name: string; expired: string[]; earliest?: number }[] }> {
    const reply = (await this.script(scripts.findExpired, names.map((n) => this.keys.lease(n)), [limit])) as unknown[];
    return {
      now: Number(reply[0]),
      names: names.map((name, i) => {
        const earliest = reply[2 + i * 2];
        const expired = (reply[1 + i * 2] as string[]) ?? [];
        return earliest === '' || earliest == null ? { name, expired } : { name, expired, earliest: Number(earliest) };
      }),
    };
  }

  /** Reads the unique keys of jobs about to be recovered (a read; the script re-checks everything). */
  async readUniqueKeys(ids: readonly string[]): Promise<(string | undefined)[]> {
    return this.read('read unique keys', async (c) => {
      const p = c.pipeline();
      for (const id of ids) p.hget(this.keys.job(id), 'u');
      const res = (await p.exec()) ?? [];
      return res.map(([err, v]) => (err || typeof v !== 'string' ? undefined : v));
    });
  }

  /** Requeues (or buries, on their last attempt) jobs whose leases expired. */
  async recoverJobs(
    name: string,
    defaults: { maxFails: number; retentionMs: number },
    items: readonly { member: string; uniqueKey?: string }[],
  ): Promise<string[]> {
    const keys = [this.keys.lease(name), this.keys.ready(name), this.keys.marker(name), this.keys.dead()];
    for (const it of items) {
      const jobKey = this.keys.job(idOf(it.member));
      keys.push(jobKey, it.uniqueKey ?? jobKey);
    }
    const argv: Arg[] = [this.keys.finishedChannel(), defaults.maxFails, defaults.retentionMs, ...items.map((i) => i.member)];
    return (await this.script(scripts.recoverJobs, keys, argv)) as string[];
  }

  /** Stores a running job's progress if its lease is still held. */
  async setProgress(name: string, member: string, json: string): Promise<LeaseOutcome> {
    return (await this.script(scripts.setProgress, [this.keys.lease(name), this.keys.job(idOf(member))], [member, json])) as LeaseOutcome;
  }

  /** Fires one tick of a periodic entry, once across all instances. */
  async claimTick(c: TickClaim): Promise<TickReply> {
    const jobKey = this.keys.job(c.jobId);
    const keys = [
      this.keys.entry(c.entry), jobKey, this.keys.ready(c.jobName), this.keys.marker(c.jobName),
      c.previousJob ? this.keys.job(c.previousJob) : jobKey, this.keys.schedule(c.jobName),
    ];
    const argv: Arg[] = [c.tick, c.jobId, c.jobName, c.args, c.instanceId, c.overlap, c.previousJob, c.notBefore, c.uniqueWindowMs, ...c.extra];
    const r = (await this.script(scripts.claimTick, keys, argv)) as string[];
    switch (r[0]) {
      case 'FIRED': return { status: 'FIRED', jobId: r[1]!, now: Number(r[2]) };
      case 'TAKEN': return { status: 'TAKEN', lastJob: r[1] ?? '', lastTick: Number(r[2]) };
      case 'SKIPPED': return { status: 'SKIPPED', previousJob: r[1] ?? '', now: Number(r[2]) };
      case 'EARLY': return { status: 'EARLY', now: Number(r[1]) };
      case 'STALE': return { status: 'STALE', lastJob: r[1] ?? '' };
      default: throw new RedisScriptError(scripts.claimTick.command, `unexpected reply ${String(r[0])}`);
    }
  }

  /** Reads a periodic entry's shared state. */
  async readEntry(name: string): Promise<EntryState> {
    const rec = await this.read('read entry', (c) => c.hgetall(this.keys.entry(name)));
    const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
    return { lastTick: num(rec.lastTick), lastJob: rec.lastJob || undefined, lastBy: rec.lastBy, lastFiredAt: num(rec.lastFiredAt), lastSkipped: num(rec.lastSkipped) };
  }

  /** Records that this instance runs these entries (one MULTI): their specs, and when they were last registered. */
  async registerEntries(entries: readonly { name: string; spec: string }[]): Promise<void> {
    if (entries.length === 0) return;
    await this.read('register entries', (c) => {
      const m = c.multi();
      const now = Date.now();
      for (const e of entries) {
        m.zadd(this.keys.entries(), now, e.name);
        m.hset(this.keys.entry(e.name), 'spec', e.spec);
      }
      return m.exec();
    });
  }

  /** Forgets entries no instance has registered since `cutoffMs` (at most 100 per call). */
  async forgetEntries(cutoffMs: number): Promise<string[]> {
    const stale = await this.read('list stale entries', (c) => c.zrangebyscore(this.keys.entries(), '-inf', `(${cutoffMs}`, 'LIMIT', 0, 100));
    if (stale.length === 0) return [];
    return (await this.script(scripts.forgetEntries, [this.keys.entries(), ...stale.map((n) => this.keys.entry(n))], [cutoffMs, ...stale])) as string[];
  }

  /** The Redis clock now (ms), from one TIME read; also refines the clock offset. */
  async redisNow(): Promise<number> {
    const sentAt = this.clock.local.now();
    const [sec, usec] = await this.read('TIME', (c) => c.time());
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    this.clock.observe(now, sentAt, this.clock.local.now());
    return now;
  }

  /** Redis clock − local clock (ms), if known to within a few ms. */
  clockOffset(): number | undefined {
    return this.clock.offset();
  }

  /** Reads a job record; null if it does not exist. */
  async getJob(id: string): Promise<JobRecord | 'WRONGTYPE' | null> {
    return this.read('getJob', async (c) => {
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
   * Blocks on the marker zsets of `names` for up to `timeoutMs` (on its own connection).
   * @returns the name whose marker woke us, or null on timeout
   */
  async waitForWake(names: readonly string[], timeoutMs: number): Promise<string | null> {
    if (this.closed) throw new QueueClosedError('Redis connection for wait for jobs');
    this.blocker ??= createConnection(this.options.redis, 'blocking');
    if (this.blocker.status !== 'ready') await this.guard.waitReady(this.blocker, 'wait for jobs');
    const markers = names.map((n) => this.keys.marker(n));
    try {
      // the call's own guard: its blocking timeout plus commandTimeout, for a half-open socket
      const res = await this.guard.call(this.blocker, this.blocker.bzpopmin(...markers, (timeoutMs / 1000).toFixed(3)), timeoutMs + this.options.commandTimeoutMs);
      if (!res) return null;
      const key = res[0];
      return names[markers.indexOf(key)] ?? null;
    } catch (err) {
      throw new RedisUnavailableError('wait for jobs', err);
    }
  }

  /** Passes a wake-up on (a popped marker this worker could not use). One atomic command. */
  async wake(name: string): Promise<void> {
    await this.read('wake', (c) => c.zadd(this.keys.marker(name), 0, '0'));
  }

  /**
   * Subscribes to finished-job announcements (sharded pub/sub) on a connection of its own. ioredis
   * re-subscribes by itself after a reconnect. A failed first subscription is not cached: the next call retries.
   * @param listener - called with the ids in each announcement
   */
  onFinished(listener: (ids: string[]) => void): Promise<void> {
    if (this.closed) return Promise.reject(new QueueClosedError('Redis connection for subscribe'));
    this.subscribing ??= (async () => {
      const channel = this.keys.finishedChannel();
      let sub = this.subscriber;
      if (!sub) {
        sub = this.subscriber = createConnection(this.options.redis, 'subscriber');
        sub.on('smessage', (_channel: string, message: string) => listener(message.split(' ')));
        // after a reconnect, subscribe again (announcements made meanwhile are covered by waitFor's re-reads)
        sub.on('ready', () => {
          if (this.subscribed) sub!.ssubscribe(channel).catch(() => {});
        });
      }
      await this.guard.waitReady(sub, 'subscribe');
      await this.guard.call(sub, sub.ssubscribe(channel));
      this.subscribed = true;
    })().catch((err: unknown) => {
      this.subscribing = undefined;
      throw err instanceof Error && err.name === 'RedisUnavailableError' ? err : new RedisUnavailableError('subscribe', err);
    });
    return this.subscribing;
  }

  /** Closes every connection this broker owns. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      [this.client, this.blocker, this.subscriber].map(async (c) => {
        if (!c) return;
        if (c.status === 'ready') await c.quit().catch(() => this.guard.abandon(c));
        else this.guard.abandon(c);
      }),
    );
  }

  /** Disconnects the blocking connection at once (interrupts a pending wait). */
  interruptWait(): void {
    const blocker = this.blocker;
    this.blocker = undefined;
    if (blocker) this.guard.abandon(blocker);
  }

  /** The local time at which the Redis clock reads `redisMs`, if the clock offset is known. */
  localTime(redisMs: number): number | undefined {
    return this.clock.localTime(redisMs);
  }
}

/** The job id of a lease member `<id>|<token>`. @internal */
export function idOf(member: string): string {
  return member.slice(0, member.lastIndexOf('|'));
}
