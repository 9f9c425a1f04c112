import { backoffDelay } from './backoff.js';
import { NonRetryableError } from './errors.js';
import type { HandlerEntry } from './handler-registry.js';
import { encodeError, type RunnableJob } from './redis/codec.js';
import type { BackoffFunction, BackoffSpec, JobError, JsonValue } from './types.js';

/** The pool-wide defaults a job falls back to. @internal */
export interface PoolDefaults {
  maxFails: number;
  retentionMs: number;
}

/** The settings one job runs with. @internal */
export interface JobSettings {
  maxFails: number;
  retentionMs: number;
  timeoutMs?: number;
  backoff?: BackoffSpec | BackoffFunction;
}

/**
 * The settings a job runs with: its own (from enqueue), else its handler's, else the pool's. The one place this
 * precedence lives.
 * @internal
 */
export function settingsOf(job: Pick<RunnableJob, 'maxFails' | 'retentionMs' | 'timeoutMs' | 'backoff'>, handler: HandlerEntry | undefined, pool: PoolDefaults): JobSettings {
  return {
    maxFails: job.maxFails ?? handler?.maxFails ?? pool.maxFails,
    retentionMs: job.retentionMs ?? handler?.retentionMs ?? pool.retentionMs,
    timeoutMs: job.timeoutMs ?? handler?.timeoutMs,
    backoff: job.backoff ?? handler?.backoff,
  };
}

/** How an attempt ended, as its chain reported it. @internal */
export type AttemptResult = { ok: true; value: unknown } | { ok: false; error: unknown };

/** What to record for a finished attempt. @internal */
export type Outcome =
  | { kind: 'complete'; result: JsonValue; resultJson: string; retentionMs: number }
  | { kind: 'retry'; error: JobError; errorJson: string; fails: number; delayMs: number; backoffFailed?: Error }
  | { kind: 'bury'; error: JobError; errorJson: string; fails: number; retentionMs: number };

/**
 * Decides what a finished attempt means: complete (the result must be JSON), bury (non-retryable, or out of
 * attempts), or retry after the backoff delay (1 s if the backoff function throws). Pure: no I/O.
 * @param job - the job as it ran (`fails` = failed attempts before this one)
 * @param settings - its effective settings (see {@link settingsOf})
 * @param result - what the chain returned or threw
 * @param random - random source for backoff jitter (injectable for tests)
 * @returns the outcome to record
 * @internal
 */
export function decideOutcome(job: Pick<RunnableJob, 'fails'>, settings: JobSettings, result: AttemptResult, random: () => number = Math.random): Outcome {
  const attempt = job.fails + 1;
  let error: unknown;
  if (result.ok) {
    const value = (result.value === undefined ? null : result.value) as JsonValue;
    let resultJson: string | undefined;
    try {
      resultJson = JSON.stringify(value);
    } catch {
      resultJson = undefined;
    }
    if (resultJson !== undefined) return { kind: 'complete', result: value, resultJson, retentionMs: settings.retentionMs };
    error = new NonRetryableError('The handler returned a value that is not JSON-serializable');
  } else {
    error = result.error;
  }
  const errorJson = encodeError(error, attempt);
  const info = JSON.parse(errorJson) as JobError;
  if (error instanceof NonRetryableError || attempt >= settings.maxFails) {
    return { kind: 'bury', error: info, errorJson, fails: attempt, retentionMs: settings.retentionMs };
  }
  try {
    return { kind: 'retry', error: info, errorJson, fails: attempt, delayMs: backoffDelay(settings.backoff, attempt, error, random) };
  } catch (err) {
    return { kind: 'retry', error: info, errorJson, fails: attempt, delayMs: 1000, backoffFailed: err as Error };
  }
}
