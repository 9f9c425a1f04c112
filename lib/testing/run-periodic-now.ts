import { InvalidOptionsError } from '../core/errors.js';
import type { JobRuntime } from '../core/runtime.js';
import type { Duration } from '../core/spec/duration.js';
import type { JobInfo } from '../core/types.js';
import { duration, flag, identifier, object } from '../core/validation.js';
import { resolveRuntime, type NestAppLike } from './target.js';

/** Options of `runPeriodicNow`. */
export interface RunPeriodicOptions {
  /** Wait for the job to finish and resolve with its record, instead of its id (default false). */
  wait?: boolean;
  /** With `wait`: how long to wait (default 10 s), then `WaitTimeoutError`. */
  timeout?: Duration;
}

/**
 * Runs a periodic entry's job now, once, without waiting for its next tick: the job goes through the same queue,
 * handler and middleware as a tick's job, and its handler sees `job.tick.firedBy === 'manual'`. The schedule is
 * unchanged (this is `Inspector.triggerPeriodic`). The entry must be registered: an app's scheduler registers its
 * `@Periodic` entries during `app.init()` (with `scheduler: false`, another instance must have).
 *
 * @example
 * ```ts
 * const id = await runPeriodicNow(app, 'Reports.nightly');                          // the job's id
 * const info = await runPeriodicNow(app, 'Reports.nightly', { wait: true });        // its finished record
 * expect(info.state).toBe('completed');
 * ```
 * @param app - a Nest app (or `TestingModule`) importing `QueueModule.forRoot`/`forRootAsync`, or a core `JobRuntime`
 * @param entry - the entry's name: `Class.method` for `@Periodic`, unless it set `name`
 * @param options - `wait`, `timeout`
 * @returns the job's id, or with `wait: true` its finished record
 * @throws `InvalidOptionsError` if no such entry is registered (naming the app's entries), or for a bad option
 * @throws `WaitTimeoutError` with `wait: true`, if the job has not finished within the timeout
 */
export function runPeriodicNow(app: NestAppLike | JobRuntime, entry: string, options?: RunPeriodicOptions & { wait?: false }): Promise<string>;
/**
 * Runs a periodic entry's job now, once, and waits for it to finish (see the other overload).
 * @param app - a Nest app (or `TestingModule`) importing `QueueModule.forRoot`/`forRootAsync`, or a core `JobRuntime`
 * @param entry - the entry's name
 * @param options - `wait: true`, `timeout` (default 10 s)
 * @returns the finished job's record (completed or dead)
 */
export function runPeriodicNow(app: NestAppLike | JobRuntime, entry: string, options: RunPeriodicOptions & { wait: true }): Promise<JobInfo>;
export async function runPeriodicNow(app: NestAppLike | JobRuntime, entry: string, options: RunPeriodicOptions = {}): Promise<string | JobInfo> {
  const E = InvalidOptionsError;
  const o = object(options, 'runPeriodicNow', E, ['wait', 'timeout']);
  const wait = flag(o.wait, 'runPeriodicNow.wait', E, false);
  const timeoutMs = duration(o.timeout, 'runPeriodicNow.timeout', E, { allowZero: false, fallback: 10_000 });
  identifier(entry, 'runPeriodicNow: entry', E);
  const runtime = resolveRuntime(app, 'runPeriodicNow');
  let id: string;
  try {
    id = await runtime.inspector.triggerPeriodic(entry);
  } catch (err) {
    if (!(err instanceof InvalidOptionsError)) throw err;
    const local = (await runtime.scheduler.entries().catch(() => [])).map((e) => e.name);
    throw new InvalidOptionsError(
      `runPeriodicNow: no periodic entry "${entry}" is registered in namespace "${runtime.inspector.namespace}" ` +
        `(this app declares: ${local.join(', ') || 'none'}). An app's scheduler registers its entries during app.init(), ` +
        `unless the app set scheduler: false`,
    );
  }
  if (!wait) return id;
  return runtime.enqueuer.waitFor(id, { timeout: timeoutMs });
}
