/**
 * Schedule specs of periodic entries: `'@every <duration>'`, 5- or 6-field cron, and the
 * `@hourly`-style macros, parsed once into a {@link Schedule} whose ticks every instance agrees on.
 * @packageDocumentation
 */
import { InvalidScheduleError } from '../errors.js';
import { cronNext, cronPrevious, isValidTimeZone, parseCronExpression } from './cron.js';
import { describe, parseDurationText, toMs, type Duration } from './duration.js';
import { everyNext, everyPrevious } from './every.js';

/** A parsed schedule: an epoch-anchored `@every` grid, or a cron expression read in a time zone. */
export type Schedule =
  | { kind: 'every'; spec: string; everyMs: number; offsetMs: number }
  | { kind: 'cron'; spec: string; expression: string; timeZone?: string };

/** Smallest `@every` period accepted, in ms. */
const MIN_EVERY_MS = 10;
/** Macros accepted (cron-parser expands them; it does not know `@midnight`, so neither do we). */
const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly']);
const EVERY = /^@every(?:\s+(.*))?$/s;

/**
 * Parses a schedule spec. Accepted forms:
 * - `'@every <duration>'` with a duration such as `'1.5s'`, `'250ms'`, `'1h30m'`, at least 10 ms; ticks fall
 *   on `offset + k * period` ms since the Unix epoch (UTC, unaffected by `timeZone`);
 * - a cron expression of 5 fields (minute first) or 6 fields (second first), parsed by cron-parser;
 * - `'@hourly'`, `'@daily'`, `'@weekly'`, `'@monthly'`, `'@yearly'`, `'@annually'` (`'@midnight'` is
 *   rejected: cron-parser 5 does not accept it).
 *
 * The spec is trimmed first. Cron fields are read in `options.timeZone` (UTC by default); see
 * `cron.ts` for daylight saving time: a fixed-time daily tick fires exactly once on both transition days.
 * @param spec - the schedule text
 * @param entry - the periodic entry's name, used only in error messages
 * @param options - `timeZone` (IANA name, for cron), `offset` (shift of an `@every` grid, `0 <= offset < period`)
 * @returns the parsed schedule
 * @throws {@link InvalidScheduleError} if the spec, the zone or the offset is invalid; the message names the spec
 *   and the entry, e.g. `Invalid schedule "61 * * * *" for entry "nightly-report": Constraint error, …`
 */
export function parseSchedule(
  spec: string,
  entry: string,
  options: { timeZone?: string; offset?: Duration } = {},
): Schedule {
  const fail = (reason: string, cause?: unknown): never => {
    throw new InvalidScheduleError(`Invalid schedule ${describe(spec)} for entry "${entry}": ${reason}`, { cause });
  };
  if (typeof spec !== 'string') return fail('a schedule must be a string');
  const text = spec.trim();
  if (text === '') return fail('a schedule must not be empty');
  const { timeZone, offset } = options;
  if (timeZone !== undefined && (typeof timeZone !== 'string' || !isValidTimeZone(timeZone))) {
    return fail(`unknown time zone ${describe(timeZone)}`);
  }

  const every = EVERY.exec(text);
  if (every) {
    const everyMs = parseDurationText(every[1] ?? '');
    if (everyMs === undefined) return fail(`'@every' needs a duration such as '1.5s', '250ms' or '1h30m'`);
    if (everyMs < MIN_EVERY_MS) return fail(`the period must be at least ${MIN_EVERY_MS} ms, got ${everyMs} ms`);
    let offsetMs = 0;
    if (offset !== undefined) {
      try {
        offsetMs = toMs(offset, 'offset');
      } catch (err) {
        return fail((err as Error).message, err);
      }
    }
    if (offsetMs >= everyMs) return fail(`offset (${offsetMs} ms) must be smaller than the period (${everyMs} ms)`);
    return { kind: 'every', spec: text, everyMs, offsetMs };
  }

  if (offset !== undefined) return fail(`'offset' applies only to '@every' schedules`);
  if (text.startsWith('@')) {
    if (!MACROS.has(text)) return fail(`unknown macro; use '@every <duration>' or one of ${[...MACROS].join(', ')}`);
  } else {
    const fields = text.split(/\s+/).length;
    if (fields !== 5 && fields !== 6) return fail(`a cron expression needs 5 or 6 fields, got ${fields}`);
  }
  try {
    parseCronExpression(text, timeZone);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err), err);
  }
  return timeZone === undefined
    ? { kind: 'cron', spec: text, expression: text }
    : { kind: 'cron', spec: text, expression: text, timeZone };
}

/**
 * The first tick strictly after `after`; an `after` exactly on a tick yields the following one.
 * @param schedule - a schedule from {@link parseSchedule}
 * @param after - ms since the epoch
 * @returns the first tick `> after`, in ms since the epoch
 */
export function nextTick(schedule: Schedule, after: number): number {
  return schedule.kind === 'every'
    ? everyNext(schedule.everyMs, schedule.offsetMs, after)
    : cronNext(schedule.expression, schedule.timeZone, after);
}

/**
 * The latest tick at or before `at`; an `at` exactly on a tick yields `at`.
 * @param schedule - a schedule from {@link parseSchedule}
 * @param at - ms since the epoch
 * @returns the last tick `<= at` in ms since the epoch, or undefined if there is none
 */
export function previousTick(schedule: Schedule, at: number): number | undefined {
  return schedule.kind === 'every'
    ? everyPrevious(schedule.everyMs, schedule.offsetMs, at)
    : cronPrevious(schedule.expression, schedule.timeZone, at);
}
