import { RedisScriptError } from '../errors.js';
import type { Arg } from './connections.js';
import { readRedisTime, type RedisContext } from './redis-context.js';
import { scripts } from './lua.generated.js';
import { parseOptional } from './wire.js';

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
  /** How many recent ticks the entry's history keeps. */
  historySize: number;
}

/** What claiming a tick did. @internal */
export type TickReply =
  | { status: 'FIRED'; jobId: string; now: number }
  | { status: 'TAKEN'; lastJob: string; lastTick: number }
  | { status: 'SKIPPED'; previousJob: string; now: number; reason: 'overlap' | 'unique' | 'paused' }
  | { status: 'EARLY'; now: number }
  | { status: 'STALE'; lastJob: string };

/** What an instance registers about an entry: enough for an operator to list it and run its job by hand. @internal */
export interface EntryRegistration {
  name: string;
  spec: string;
  timeZone?: string;
  offsetMs?: number;
  job: string;
  args: string;
  extra: string[];
}

/** A periodic entry's shared state. @internal */
export interface EntryState {
  lastTick?: number;
  lastJob?: string;
  lastBy?: string;
  lastFiredAt?: number;
  lastSkipped?: number;
}

/**
 * The periodic-entry transitions: fire a tick once across instances, read and register entries, forget old ones.
 * @internal
 */
export class ScheduleBroker {
  /**
   * @param ctx - the connections, keys and Redis clock to use
   * @param ownsConnections - whether `close()` closes the connections (false when a runtime shares them)
   */
  constructor(
    private readonly ctx: RedisContext,
    private readonly ownsConnections = true,
  ) {}

  private get keys() {
    return this.ctx.keys;
  }

  /** Fires one tick of a periodic entry, once across all instances. */
  async claimTick(c: TickClaim): Promise<TickReply> {
    const jobKey = this.keys.job(c.jobId);
    const keys = [
      this.keys.entry(c.entry), jobKey, this.keys.ready(c.jobName), this.keys.marker(c.jobName),
      c.previousJob ? this.keys.job(c.previousJob) : jobKey, this.keys.schedule(c.jobName), this.keys.names(), this.keys.tickHistory(c.entry),
    ];
    const argv: Arg[] = [
      c.tick, c.jobId, c.jobName, c.args, c.instanceId, c.overlap, c.previousJob, c.notBefore, c.uniqueWindowMs, c.historySize, c.entry, ...c.extra,
    ];
    const r = (await this.ctx.conn.script(scripts.claimTick, keys, argv)) as string[];
    switch (r[0]) {
      case 'FIRED': return { status: 'FIRED', jobId: r[1]!, now: Number(r[2]) };
      case 'TAKEN': return { status: 'TAKEN', lastJob: r[1] ?? '', lastTick: Number(r[2]) };
      case 'SKIPPED': return { status: 'SKIPPED', previousJob: r[1] ?? '', now: Number(r[2]), reason: r[3] as 'overlap' | 'unique' | 'paused' };
      case 'EARLY': return { status: 'EARLY', now: Number(r[1]) };
      case 'STALE': return { status: 'STALE', lastJob: r[1] ?? '' };
      default: throw new RedisScriptError(scripts.claimTick.command, `unexpected reply ${String(r[0])}`);
    }
  }

  /** Reads a periodic entry's shared state. */
  async readEntry(name: string): Promise<EntryState> {
    const rec = await this.ctx.conn.command('read entry', (c) => c.hgetall(this.keys.entry(name)));
    return {
      lastTick: parseOptional(rec.lastTick), lastJob: rec.lastJob || undefined, lastBy: rec.lastBy,
      lastFiredAt: parseOptional(rec.lastFiredAt), lastSkipped: parseOptional(rec.lastSkipped),
    };
  }

  /**
   * Records that this instance runs these entries (one MULTI): their specs and jobs (for operators to list and run
   * them), and when they were last registered.
   */
  async registerEntries(entries: readonly EntryRegistration[]): Promise<void> {
    if (entries.length === 0) return;
    await this.ctx.conn.command('register entries', (c) => {
      const m = c.multi();
      const now = Date.now();
      for (const e of entries) {
        m.zadd(this.keys.entries(), now, e.name);
        m.hset(this.keys.entry(e.name), 'spec', e.spec, 'tz', e.timeZone ?? '', 'off', e.offsetMs ?? 0, 'job', e.job, 'args', e.args, 'extra', JSON.stringify(e.extra));
        m.sadd(this.keys.names(), e.job);
      }
      return m.exec();
    });
  }

  /** Forgets entries no instance has registered since `cutoffMs` (at most 100 per call). */
  async forgetEntries(cutoffMs: number): Promise<string[]> {
    const stale = await this.ctx.conn.command('list stale entries', (c) => c.zrangebyscore(this.keys.entries(), '-inf', `(${cutoffMs}`, 'LIMIT', 0, 100));
    if (stale.length === 0) return [];
    return (await this.ctx.conn.script(scripts.forgetEntries, [this.keys.entries(), ...stale.map((n) => this.keys.entry(n))], [cutoffMs, ...stale])) as string[];
  }

  /** The Redis clock now (ms), from one TIME read; also refines the clock offset. */
  redisNow(): Promise<number> {
    return readRedisTime(this.ctx);
  }

  /** Redis clock − local clock (ms), if known to within a few ms. */
  clockOffset(): number | undefined {
    return this.ctx.clock.offset();
  }

  /** The local time at which the Redis clock reads `redisMs`, if the clock offset is known. */
  localTime(redisMs: number): number | undefined {
    return this.ctx.clock.localTime(redisMs);
  }

  /** Closes the connections if this broker owns them. */
  async close(): Promise<void> {
    if (this.ownsConnections) await this.ctx.conn.close();
  }
}
