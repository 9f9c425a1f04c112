import { SetMetadata } from '@nestjs/common';
import { InvalidOptionsError, InvalidScheduleError } from '../../core/errors.js';
import { resolveHandleOptions } from '../../core/handler-registry.js';
import { resolvePeriodicEntry, type PeriodicOptions } from '../../core/periodic-entry.js';
import type { Duration } from '../../core/spec/duration.js';
import type { HandleOptions } from '../../core/types.js';
import { describe } from '../../core/validation.js';
import { PERIODIC_METADATA } from '../tokens.js';
import { decoratedMethod } from './decorated-method.js';

/** Options of `@Periodic`: the entry's (name, args, misfire, overlap, time zone…) and its handler's. */
export interface PeriodicDecoratorOptions extends Omit<PeriodicOptions, 'job'>, Pick<HandleOptions, 'timeout' | 'backoff'> {
  /**
   * The entry's name, which is also its job name: its identity across instances (default `Class.method`).
   * Keep it stable: renaming it makes a new entry.
   */
  name?: string;
}

/** What `@Periodic` stores on the method. @internal */
export interface PeriodicMetadata {
  name: string;
  spec: string;
  entry: Omit<PeriodicOptions, 'job'>;
  handler: HandleOptions;
}

/**
 * Runs a provider method on a schedule, once per tick across every instance of the app (distributed cron): the
 * tick's job is created by exactly one instance and run by one worker, with retries and crash recovery like any
 * job. `@every` ticks lie on an epoch-aligned grid of the Redis clock.
 *
 * @example
 * ```ts
 * @Periodic('@every 1.5s', 1500)          // no second job within 1.5 s
 * async logTick(job: Job) { ... }
 * @Periodic('0 3 * * *', { timeZone: 'Asia/Seoul', misfire: 'skip' })
 * async nightly(job: Job) { ... }
 * ```
 * @param spec - `@every <duration>`, a 5- or 6-field cron, or `@hourly`/`@daily`/`@weekly`/`@monthly`/`@yearly`
 * @param uniqueOrOptions - a unique window (ms or `'1.5s'`: no second job of this entry within it), or options
 * @returns the method decorator
 * @throws {@link InvalidScheduleError} naming the spec and `Class.method`, if the spec cannot be parsed (when the class is declared)
 * @throws {@link InvalidOptionsError} naming the class and method, if an option is invalid
 */
export function Periodic(spec: string, uniqueOrOptions?: Duration | PeriodicDecoratorOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = decoratedMethod('@Periodic', target, key, descriptor);
    let options: PeriodicDecoratorOptions;
    if (uniqueOrOptions === undefined) options = {};
    else if (typeof uniqueOrOptions === 'number' || typeof uniqueOrOptions === 'string') options = { unique: uniqueOrOptions };
    else if (typeof uniqueOrOptions === 'object' && uniqueOrOptions !== null && !Array.isArray(uniqueOrOptions)) options = uniqueOrOptions;
    else {
      throw new InvalidOptionsError(`@Periodic on ${where}: the second argument must be a unique window (ms or '1.5s') or an options object, got ${describe(uniqueOrOptions)}`);
    }
    const { name = where, timeout, backoff, ...entry } = options;
    if ('job' in entry) throw new InvalidOptionsError(`@Periodic on ${where}: unknown option "job" (the decorated method is the job's handler)`);
    try {
      resolvePeriodicEntry(name, spec, entry, `@Periodic on ${where}`);
    } catch (err) {
      // the spec error names the entry; name the method too when the entry has its own name
      if (err instanceof InvalidScheduleError && name !== where) throw new InvalidScheduleError(`@Periodic on ${where}: ${err.message}`, { cause: err });
      throw err;
    }
    const handler: HandleOptions = {};
    if (timeout !== undefined) handler.timeout = timeout;
    if (backoff !== undefined) handler.backoff = backoff;
    resolveHandleOptions(handler, `@Periodic on ${where}`);
    SetMetadata<string, PeriodicMetadata>(PERIODIC_METADATA, { name, spec, entry, handler })(target, key, descriptor);
  };
}
