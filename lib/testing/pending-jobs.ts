import { AdminBroker } from '../core/redis/admin-broker.js';
import { decodeInfo } from '../core/redis/codec.js';
import type { RedisContext } from '../core/redis/redis-context.js';
import type { JobState } from '../core/types.js';

/** What is left to run of one job name. @internal */
export interface PendingName {
  name: string;
  /** Jobs in the ready list (none counted for a paused name). */
  ready: number;
  /** Scheduled, retrying and prioritised jobs due by the bound (none counted for a paused name). */
  due: number;
  /** Jobs running now (held leases), paused or not. */
  active: number;
}

/** A job `drain` is still waiting for. */
export interface StuckJob {
  /** The job id. */
  id: string;
  /** The job name. */
  name: string;
  /** Its state when the drain gave up. */
  state: JobState;
}

/** Jobs named per kind (ready, due, active) and name in a drain's error. */
const SAMPLE = 5;

/**
 * Reads, in two round trips, which job names of a namespace still have jobs that can run now or are running: the
 * ready list, schedule members due by `now + dueWithinMs` on the Redis clock (prioritised jobs are always due), and
 * leases. Jobs of a paused name cannot start, so only its running ones count.
 * @param ctx - the namespace's connections and keys
 * @param dueWithinMs - also count scheduled and retrying jobs due within this many ms
 * @returns the names with something left, and the Redis time of the read
 * @internal
 */
export async function pendingNames(ctx: RedisContext, dueWithinMs: number): Promise<{ pending: PendingName[]; bound: number }> {
  const k = ctx.keys;
  const [names, paused, now] = await ctx.conn.command('drain: list names', async (c) => {
    const res = (await c.multi().smembers(k.names()).smembers(k.paused()).time().exec()) ?? [];
    const [n, p, t] = res.map(([err, value]) => {
      if (err) throw err;
      return value;
    }) as [string[], string[], [string, string]];
    return [n, new Set(p), Number(t[0]) * 1000 + Math.floor(Number(t[1]) / 1000)] as const;
  });
  const bound = now + dueWithinMs;
  if (names.length === 0) return { pending: [], bound };
  const counts = await ctx.conn.command('drain: count jobs', async (c) => {
    const m = c.multi();
    for (const name of names) m.llen(k.ready(name)).zcount(k.schedule(name), '-inf', bound).zcard(k.lease(name));
    return ((await m.exec()) ?? []).map(([err, value]) => {
      if (err) throw err;
      return Number(value);
    });
  });
  const pending = names.flatMap((name, i) => {
    const held = paused.has(name);
    const row = { name, ready: held ? 0 : counts[3 * i]!, due: held ? 0 : counts[3 * i + 1]!, active: counts[3 * i + 2]! };
    return row.ready + row.due + row.active > 0 ? [row] : [];
  });
  return { pending, bound };
}

/**
 * Names some of the jobs behind `pendingNames`' counts, with their states, for an error message.
 * @param ctx - the namespace's connections and keys
 * @param pending - what `pendingNames` found
 * @param bound - the due bound it used
 * @returns up to 5 jobs per name and kind
 * @internal
 */
export async function sampleStuck(ctx: RedisContext, pending: readonly PendingName[], bound: number): Promise<StuckJob[]> {
  const k = ctx.keys;
  const ids = await ctx.conn.command('drain: name stuck jobs', async (c) => {
    const m = c.multi();
    for (const p of pending) {
      m.lrange(k.ready(p.name), -SAMPLE, -1); // the oldest (jobs are pushed on the left)
      m.zrangebyscore(k.schedule(p.name), '-inf', bound, 'LIMIT', 0, SAMPLE);
      m.zrange(k.lease(p.name), '0', String(SAMPLE - 1));
    }
    const res = (await m.exec()) ?? [];
    return pending.map((p, i) => {
      const list = (j: number) => {
        const [err, value] = res[3 * i + j] ?? [];
        return err || !Array.isArray(value) ? [] : (value as string[]);
      };
      return [
        ...(p.ready ? list(0).reverse() : []),
        ...(p.due ? list(1) : []),
        ...list(2).map((member) => member.slice(0, member.lastIndexOf('|'))),
      ];
    });
  });
  const flat = ids.flatMap((list, i) => list.map((id) => ({ id, name: pending[i]!.name })));
  const records = await new AdminBroker(ctx).records(flat.map((j) => j.id), { args: false });
  return flat.map((j, i) => {
    const rec = records[i];
    return { ...j, state: rec ? decodeInfo(j.id, rec).state : 'queued' };
  });
}
