// Misfire decisions of periodic entries, as pure functions of a schedule and explicit times (Redis clock): which
// ticks to fire now, which ticks nobody fired are left out, and when a tick may be claimed ahead of its time.
import type { MisfirePolicy } from './periodic-entry.js';
import { nextTick, previousTick, type Schedule } from './spec/parse-schedule.js';

/** Most missed ticks a plan lists (the most recent ones). @internal */
export const MISSED_REPORTED = 100;
/** Longest a tick is claimed ahead of its time (a quarter of the period at most). @internal */
export const MAX_LEAD_MS = 200;

/** What {@link planTicks} decided. @internal */
export interface TickPlan {
  /** Ticks to fire, oldest first. */
  fire: number[];
  /** Ticks left out by the misfire policy, oldest first: the most recent {@link MISSED_REPORTED} at most. */
  missed: number[];
  /** How many ticks were left out; a lower bound when `moreMissed`. */
  missedCount: number;
  /** True when the walk back stopped at its cap, so more ticks than `missedCount` may have been left out. */
  moreMissed: boolean;
}

/**
 * Decides which ticks of an entry to fire, given the last tick that counts as done (fired, skipped or taken by
 * any instance) and the time now. Ticks due are those in `(lastTick, previousTick(now)]`. A single due tick that
 * is on time (less than half a period late, and less than 1 s) fires whatever the policy; otherwise the policy
 * decides: `'all'` fires the most recent `limit` ticks, `'once'` fires the latest, `'skip'` fires none. The
 * rest are reported missed. At most `max(limit, 100)` ticks are walked back (the most recent ones), so an
 * outage of any length costs bounded work.
 * @param schedule - the entry's schedule
 * @param policy - the entry's misfire policy
 * @param limit - most missed ticks `'all'` fires (`misfireLimit`)
 * @param lastTick - the last tick that counts as done (ms, Redis clock)
 * @param now - the time to plan for (ms, Redis clock); a tick being claimed ahead of its time is planned as of
 *   the tick itself
 * @returns the ticks to fire and the ticks missed
 * @internal
 */
export function planTicks(schedule: Schedule, policy: MisfirePolicy, limit: number, lastTick: number, now: number): TickPlan {
  const cap = Math.max(limit, MISSED_REPORTED);
  const due: number[] = []; // the most recent ticks in (lastTick, latest], oldest first
  const latest = previousTick(schedule, now);
  for (let t = latest; t !== undefined && t > lastTick && due.length < cap; t = previousTick(schedule, t - 1)) due.unshift(t);
  if (latest === undefined || due.length === 0) return { fire: [], missed: [], missedCount: 0, moreMissed: false };
  const period = nextTick(schedule, latest) - latest;
  const onTime = now - latest < Math.min(1000, Math.max(1, period / 2));
  let fire: number[];
  if (due.length === 1 && onTime) fire = due;
  else if (policy === 'all') fire = due.slice(-limit);
  else if (policy === 'once') fire = [latest];
  else fire = onTime ? [latest] : [];
  const left = due.filter((t) => !fire.includes(t));
  return { fire, missed: left.slice(-MISSED_REPORTED), missedCount: left.length, moreMissed: due.length === cap && left.length > 0 };
}

/**
 * When a tick is claimed (Redis time): up to {@link MAX_LEAD_MS} (a quarter of the period at most) before it. Its
 * job is then created scheduled at the tick, and the workers' due timers start it within a few ms of the tick,
 * instead of after the claim's and the claim-and-start round trips. At the tick itself with overlap `'skip'`,
 * whose check must see the previous job as it is at the tick.
 * @param schedule - the entry's schedule
 * @param overlap - the entry's overlap policy
 * @param tick - the tick (ms, Redis clock)
 * @returns the earliest Redis time the tick may be claimed
 * @internal
 */
export function claimAt(schedule: Schedule, overlap: 'allow' | 'skip', tick: number): number {
  if (overlap === 'skip') return tick;
  return tick - Math.min(MAX_LEAD_MS, Math.floor((nextTick(schedule, tick) - tick) / 4));
}
