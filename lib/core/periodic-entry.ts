import { InvalidOptionsError } from './errors.js';
import { encodeRecord } from './redis/codec.js';
import type { Duration } from './spec/duration.js';
import { parseSchedule, type Schedule } from './spec/parse-schedule.js';
import type { JsonValue } from './types.js';
import { encodeArgs } from './validate.js';
import { duration, identifier, int, object, oneOf } from './validation.js';

/** What to do with ticks that nobody fired (all instances down, or the process paused). */
export type MisfirePolicy = 'once' | 'skip' | 'all';

/** Options of one periodic entry (`scheduler.register`). */
export interface PeriodicOptions {
  /** Job name each tick enqueues (default: the entry's name). */
  job?: string;
  /** The job's args (default null). */
  args?: JsonValue;
  /** Time zone of a cron spec (IANA, e.g. 'Asia/Seoul'; default UTC). */
  timeZone?: string;
  /** For `@every`: shift of the grid from the Unix epoch (default 0). */
  offset?: Duration;
  /** Missed ticks: `'once'` (default: one late job, then back on the grid), `'skip'`, or `'all'` (up to `misfireLimit`). */
  misfire?: MisfirePolicy;
  /** Most missed ticks fired by `misfire: 'all'` (default 10; the most recent ones). */
  misfireLimit?: number;
  /** `'allow'` (default): a tick fires while the previous tick's job runs; `'skip'`: it does not, while that job is unfinished. */
  overlap?: 'allow' | 'skip';
  /** No second job of this entry within this window after a fired tick (ms or '1.5s'). */
  unique?: Duration;
  /** Failed attempts allowed for the tick's job. */
  maxFails?: number;
  /** Retention of the tick's finished job record. */
  retention?: Duration;
}

/** A validated periodic entry, ready for the Scheduler. @internal */
export interface PeriodicEntry {
  name: string;
  spec: string;
  schedule: Schedule;
  job: string;
  /** The first encoded args piece of the tick's job. */
  args: string;
  /** The job's other fields: more args pieces, max fails, retention. */
  extra: string[];
  misfire: MisfirePolicy;
  misfireLimit: number;
  overlap: 'allow' | 'skip';
  uniqueWindowMs: number;
}

/**
 * Validates a periodic entry: its name, spec and options. Used by `Scheduler.register` and by the `@Periodic`
 * decorator, which validates when the class is declared.
 * @param name - the entry's name
 * @param spec - the schedule spec
 * @param options - the entry's options
 * @param where - how error messages name the call (e.g. `register("beat")`)
 * @returns the validated entry
 * @throws {@link InvalidScheduleError} naming the spec and the entry, if the spec cannot be parsed
 * @throws {@link InvalidOptionsError} naming the field, if the name or an option is invalid
 * @throws {@link InvalidJobError} naming the path, if `args` is not JSON data
 * @internal
 */
export function resolvePeriodicEntry(name: unknown, spec: unknown, options: unknown, where: string): PeriodicEntry {
  const E = InvalidOptionsError;
  const entryName = identifier(name, `${where}: the entry name`, E);
  const o = object(options, where, E, ['job', 'args', 'timeZone', 'offset', 'misfire', 'misfireLimit', 'overlap', 'unique', 'maxFails', 'retention']);
  const schedule = parseSchedule(spec as string, entryName, { timeZone: o.timeZone as string | undefined, offset: o.offset as Duration | undefined });
  const { args, extra } = encodeRecord(encodeArgs(o.args, `${where}.args`), {
    maxFails: int(o.maxFails, `${where}.maxFails`, E, { min: 1, max: 1_000_000 }),
    retentionMs: duration(o.retention, `${where}.retention`, E),
  });
  return {
    name: entryName,
    spec: spec as string,
    schedule,
    job: identifier(o.job ?? entryName, `${where}.job`, E),
    args,
    extra,
    misfire: oneOf(o.misfire, `${where}.misfire`, E, ['once', 'skip', 'all'], 'once'),
    misfireLimit: int(o.misfireLimit, `${where}.misfireLimit`, E, { min: 1, max: 100_000, fallback: 10 }),
    overlap: oneOf(o.overlap, `${where}.overlap`, E, ['allow', 'skip'], 'allow'),
    uniqueWindowMs: duration(o.unique, `${where}.unique`, E, { fallback: 0 }),
  };
}
