import { InvalidOptionsError } from './errors.js';
import { positiveInt } from './options.js';
import { argsFields } from './redis/codec.js';
import { parseSchedule, type Schedule } from './spec/parse-schedule.js';
import { describe, toMs, type Duration } from './spec/duration.js';
import type { JsonValue } from './types.js';
import { encodeArgs, validateJobName } from './validate.js';

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

const ENTRY_NAME = /^[^\s\p{Cc}{}|]{1,128}$/u;
const KNOWN = new Set(['job', 'args', 'timeZone', 'offset', 'misfire', 'misfireLimit', 'overlap', 'unique', 'maxFails', 'retention']);

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
 * @internal
 */
export function resolvePeriodicEntry(name: unknown, spec: unknown, options: unknown, where: string): PeriodicEntry {
  if (typeof name !== 'string' || !ENTRY_NAME.test(name)) {
    throw new InvalidOptionsError(`${where}: the entry name must be 1-128 characters without whitespace, control characters, "{", "}" or "|", got ${describe(name)}`);
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionsError(`${where}: options must be an object, got ${describe(options)}`);
  }
  const o = options as PeriodicOptions;
  for (const k of Object.keys(o)) {
    if (!KNOWN.has(k)) throw new InvalidOptionsError(`${where}: unknown option "${k}"`);
  }
  const schedule = parseSchedule(spec as string, name, { timeZone: o.timeZone, offset: o.offset });
  const job = o.job ?? name;
  validateJobName(job, `${where}.job`, InvalidOptionsError);
  const misfire = o.misfire ?? 'once';
  if (!['once', 'skip', 'all'].includes(misfire)) throw new InvalidOptionsError(`${where}.misfire must be 'once', 'skip' or 'all', got ${describe(misfire)}`);
  const overlap = o.overlap ?? 'allow';
  if (overlap !== 'allow' && overlap !== 'skip') throw new InvalidOptionsError(`${where}.overlap must be 'allow' or 'skip', got ${describe(overlap)}`);
  const [, args = 'null', ...extra] = argsFields(encodeArgs(o.args, `${where}.args`));
  if (o.maxFails !== undefined) extra.push('mf', String(positiveInt(o.maxFails, `${where}.maxFails`, 1)));
  if (o.retention !== undefined) extra.push('rt', String(toMs(o.retention, `${where}.retention`)));
  return {
    name,
    spec: spec as string,
    schedule,
    job,
    args,
    extra,
    misfire,
    misfireLimit: positiveInt(o.misfireLimit, `${where}.misfireLimit`, 10, 100_000),
    overlap,
    uniqueWindowMs: o.unique === undefined ? 0 : toMs(o.unique, `${where}.unique`),
  };
}
