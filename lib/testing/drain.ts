import { InvalidOptionsError, JobcraftError } from '../core/errors.js';
import type { Duration } from '../core/spec/duration.js';
import { duration, object } from '../core/validation.js';
import { pendingNames, sampleStuck, type StuckJob } from './pending-jobs.js';
import { resolveContext, type DrainTarget } from './target.js';

/** Options of {@link drain}. */
export interface DrainOptions {
  /** How long to wait (default 10 s); then the drain fails with {@link DrainTimeoutError}. */
  timeout?: Duration;
  /**
   * Also wait for scheduled and retrying jobs due within this long from now (default 0: only those due already).
   * E.g. `'5s'` covers a job enqueued with `delay: '2s'`, or a retry with a 1 s backoff.
   */
  dueWithin?: Duration;
}

/** {@link drain} timed out: jobs were still runnable or running. Its `stuck` list names some of them. */
export class DrainTimeoutError extends JobcraftError {
  /** Some of the jobs still waiting to run or running (up to 5 per job name and kind), with their states. */
  readonly stuck: readonly StuckJob[];
  /** How many jobs were left, in all. */
  readonly remaining: number;

  /**
   * @param namespace - the namespace drained
   * @param timeoutMs - the timeout that elapsed
   * @param remaining - how many jobs were left
   * @param stuck - some of them
   */
  constructor(namespace: string, timeoutMs: number, remaining: number, stuck: readonly StuckJob[]) {
    const listed = stuck.map((j) => `${j.id} (${j.name}, ${j.state})`).join(', ');
    const more = remaining > stuck.length ? ` and ${remaining - stuck.length} more` : '';
    super(
      'WAIT_TIMEOUT',
      `drain: ${remaining} job(s) of namespace "${namespace}" still runnable or running after ${timeoutMs} ms: ${listed}${more}. ` +
        `Is a handler registered for them (workers not disabled), and the name not paused?`,
    );
    this.stuck = stuck;
    this.remaining = remaining;
  }
}

/** First and longest pause between two reads of the queues. */
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 50;

/**
 * Waits until no job of the namespace can run now or is running: nothing queued, nothing active, and no scheduled or
 * retrying job due (within `dueWithin`). Jobs of a paused name count only while they run. Use it after enqueuing,
 * before asserting on what the handlers did. It reads Redis, so jobs run by other processes count too.
 *
 * @example
 * ```ts
 * await app.get(Enqueuer).enqueue('food', { task: 1 });
 * await drain(app, { timeout: '10s' });
 * expect(app.get(Kitchen).served).toEqual([1]);
 * ```
 * @param target - a Nest app (or `TestingModule`) importing `QueueModule.forRoot`/`forRootAsync`, a core
 *   `JobRuntime`, or a `WorkerPool`
 * @param options - `timeout` (default 10 s), `dueWithin` (default 0)
 * @throws {@link DrainTimeoutError} naming jobs still left (id, name, state) when the timeout elapses
 * @throws `InvalidOptionsError` for a target without a jobcraft runtime, or a bad option
 * @throws `RedisUnavailableError` if Redis does not answer
 */
export async function drain(target: DrainTarget, options: DrainOptions = {}): Promise<void> {
  const E = InvalidOptionsError;
  const o = object(options, 'drain', E, ['timeout', 'dueWithin']);
  const timeoutMs = duration(o.timeout, 'drain.timeout', E, { fallback: 10_000 });
  const dueWithinMs = duration(o.dueWithin, 'drain.dueWithin', E, { fallback: 0 });
  const ctx = resolveContext(target, 'drain');
  const deadline = Date.now() + timeoutMs;
  let pause = FIRST_POLL_MS;
  for (;;) {
    const { pending, bound } = await pendingNames(ctx, dueWithinMs);
    if (pending.length === 0) return;
    if (Date.now() >= deadline) {
      const remaining = pending.reduce((n, p) => n + p.ready + p.due + p.active, 0);
      throw new DrainTimeoutError(ctx.keys.namespace, timeoutMs, remaining, await sampleStuck(ctx, pending, bound));
    }
    await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(1, deadline - Date.now()))));
    pause = Math.min(MAX_POLL_MS, pause * 2);
  }
}
