/**
 * Grid math for `@every <duration>` schedules: ticks sit on an epoch-anchored grid, so every instance
 * computes the same tick times and a schedule never drifts, whenever a process starts.
 * @packageDocumentation
 */

/**
 * Distance from the grid tick at or before `t` to `t`, computed with `%` (exact in IEEE arithmetic,
 * unlike a floor of a quotient) and normalised to `[0, everyMs)` for instants before the anchor.
 * This is `t - offsetMs - Math.floor((t - offsetMs) / everyMs) * everyMs`, without its rounding risk.
 */
function sinceTick(everyMs: number, offsetMs: number, t: number): number {
  const r = (t - offsetMs) % everyMs;
  return r < 0 ? r + everyMs : r;
}

/**
 * The first grid tick strictly after `after`. Ticks fall on `offsetMs + k * everyMs` (k an integer)
 * ms since the Unix epoch; an `after` exactly on the grid yields the following tick.
 * @param everyMs - the period, a positive whole number of ms (validated by `parseSchedule`)
 * @param offsetMs - the grid's offset, `0 <= offsetMs < everyMs` (validated by `parseSchedule`)
 * @param after - ms since the epoch
 * @returns the first tick `> after`
 */
export function everyNext(everyMs: number, offsetMs: number, after: number): number {
  return after - sinceTick(everyMs, offsetMs, after) + everyMs;
}

/**
 * The latest grid tick at or before `at`; an `at` exactly on the grid yields `at` itself.
 * @param everyMs - the period, a positive whole number of ms (validated by `parseSchedule`)
 * @param offsetMs - the grid's offset, `0 <= offsetMs < everyMs` (validated by `parseSchedule`)
 * @param at - ms since the epoch
 * @returns the last tick `<= at` (a grid always has one)
 */
export function everyPrevious(everyMs: number, offsetMs: number, at: number): number {
  return at - sinceTick(everyMs, offsetMs, at);
}
