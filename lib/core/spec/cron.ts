/**
 * Adapter over cron-parser: the next and previous tick of a 5- or 6-field cron expression (or a
 * predefined `@daily`-style macro) in an IANA time zone. All cron parsing is cron-parser's; this file
 * only fixes the boundary semantics and makes the answers independent of where a search starts.
 *
 * **Daylight saving time** (measured with cron-parser 5.10.5, e.g. `'30 2 * * *'` in `Europe/Berlin`):
 * - *Spring forward* (2026-03-29, 02:00 → 03:00 local; 02:30 does not exist): the tick still fires
 *   once that day, at the first instant after the gap with the same minute and second, 03:30 CEST
 *   (01:30Z).
 * - *Fall back* (2026-10-25, 03:00 → 02:00 local; 02:30 happens twice): the tick fires once, at the
 *   first 02:30 (CEST, 00:30Z); the repeated 02:30 CET (01:30Z) is not a tick.
 * - Expressions whose hour field matches every hour (`'30 * * * *'`, `'*\/10 * * * * *'`) follow
 *   elapsed time: they fire in both copies of the repeated hour and skip nothing in the gap.
 *
 * cron-parser gives these answers only when its search *crosses* the transition: started inside the
 * affected window it returns the repeated 02:30 (from 01:00Z on 2026-10-25) or skips the day's 03:30
 * substitute (from 01:00Z on 2026-03-29). A scheduler that restarts there would then fire twice, or
 * not at all. {@link cronNext} therefore restarts the search from before a transition that lies just
 * behind `after`, and {@link cronPrevious} accepts only ticks that {@link cronNext} produces, so both
 * functions describe one sequence of ticks whatever instant they are asked about.
 * @packageDocumentation
 */
import { CronExpressionParser } from 'cron-parser';

/** How far behind `after` a zone transition can still change the answer: covers shifts up to 3 h. */
const DST_WINDOW_MS = 3 * 3_600_000;
/** Cap on ticks walked from before a transition (reached only by per-second expressions). */
const MAX_WALK = 50_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formatter giving the wall clock of `timeZone`; cached per zone. */
function wallClock(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The UTC offset of `timeZone` at instant `t`, in ms (local wall clock minus UTC).
 * @internal
 */
export function zoneOffsetMs(timeZone: string, t: number): number {
  const p: Record<string, number> = {};
  for (const part of wallClock(timeZone).formatToParts(t)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const local = Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!);
  return local - (t - (((t % 1000) + 1000) % 1000));
}

/**
 * Checks a time zone name against the runtime's IANA database.
 * @param timeZone - a name such as `'Europe/Berlin'` or `'UTC'`
 * @returns true if the zone is known
 */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    wallClock(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a cron expression with cron-parser, positioned at `currentDate`, so that a syntax error
 * surfaces with cron-parser's own message.
 * @param expression - 5 fields, 6 fields (leading seconds) or a predefined macro such as `'@daily'`
 * @param timeZone - IANA zone the fields are read in; UTC when undefined
 * @param currentDate - ms since the epoch the search starts from
 * @returns cron-parser's expression object
 * @throws {@link Error} cron-parser's error when the expression or the zone is invalid
 */
export function parseCronExpression(expression: string, timeZone: string | undefined, currentDate = 0) {
  return CronExpressionParser.parse(expression, { currentDate, tz: timeZone ?? 'UTC' });
}

/** cron-parser's own next: the first match strictly after `after` (checked for whole and fractional ms). */
function rawNext(expression: string, timeZone: string | undefined, after: number): number {
  return parseCronExpression(expression, timeZone, Math.floor(after)).next().getTime();
}

/** cron-parser's own prev: the last match strictly before `before`, or undefined if it finds none. */
function rawPrevious(expression: string, timeZone: string | undefined, before: number): number | undefined {
  try {
    return parseCronExpression(expression, timeZone, Math.ceil(before)).prev().getTime();
  } catch {
    return undefined;
  }
}

/**
 * The first tick of a cron expression strictly after `after`. Ticks are whole seconds; see the
 * module notes for daylight saving time: a fixed-time daily tick fires exactly once on both transition
 * days, whichever instant the search starts from.
 * @param expression - an expression already accepted by `parseSchedule`
 * @param timeZone - IANA zone the fields are read in; UTC when undefined
 * @param after - ms since the epoch
 * @returns the first tick `> after`, in ms since the epoch
 * @throws {@link Error} cron-parser's error if the expression never matches (e.g. `'0 0 30 2 *'`)
 */
export function cronNext(expression: string, timeZone: string | undefined, after: number): number {
  const direct = rawNext(expression, timeZone, after);
  const zone = timeZone ?? 'UTC';
  const from = after - DST_WINDOW_MS;
  if (zoneOffsetMs(zone, from) === zoneOffsetMs(zone, after)) return direct;
  // A transition lies just behind `after`: cron-parser's DST handling needs a search that crosses it.
  const walk = parseCronExpression(expression, timeZone, Math.floor(from));
  for (let i = 0; i < MAX_WALK; i++) {
    const t = walk.next().getTime();
    if (t > after) return t;
  }
  return direct;
}

/**
 * The latest tick of a cron expression at or before `at`: the same tick sequence as {@link cronNext},
 * so a tick this returns is one `cronNext` yields from any earlier instant.
 * @param expression - an expression already accepted by `parseSchedule`
 * @param timeZone - IANA zone the fields are read in; UTC when undefined
 * @param at - ms since the epoch
 * @returns the last tick `<= at`, or undefined if cron-parser finds none
 */
export function cronPrevious(expression: string, timeZone: string | undefined, at: number): number | undefined {
  // cron-parser's prev is strictly before its start, so start 1 ms after `at` to include `at`.
  let tick = rawPrevious(expression, timeZone, Math.floor(at) + 1);
  // Step back over a match cronNext never yields (the repeated wall clock after a fall-back).
  for (let i = 0; tick !== undefined && i < 4 && cronNext(expression, timeZone, tick - 1) !== tick; i++) {
    tick = rawPrevious(expression, timeZone, tick);
  }
  if (tick === undefined) return undefined;
  // Step forward over ticks cron-parser's backward search skips (the substitute after a spring-forward gap).
  for (let next = cronNext(expression, timeZone, tick); next <= at; next = cronNext(expression, timeZone, tick)) {
    tick = next;
  }
  return tick;
}
