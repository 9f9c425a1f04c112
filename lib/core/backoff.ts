import { toMs } from './spec/duration.js';
import type { BackoffFunction, BackoffSpec } from './types.js';

const DEFAULT_DELAY_MS = 1000;
const DEFAULT_MAX_DELAY_MS = 3_600_000;

/**
 * The delay before retrying after a failed attempt.
 * Default: exponential from 1 s (1, 2, 4, 8 s, …, capped at 1 h), each randomised within ±25% so
 * jobs that failed together do not retry in lockstep.
 * @param policy - a stored spec, a function, or undefined for the default
 * @param attempt - the attempt that failed, 1-based
 * @param error - what it threw
 * @param random - random source in [0, 1) (injectable for tests)
 * @returns the delay in ms (≥ 0)
 * @internal
 */
export function backoffDelay(
  policy: BackoffSpec | BackoffFunction | undefined,
  attempt: number,
  error: unknown,
  random: () => number = Math.random,
): number {
  if (typeof policy === 'function') {
    const ms = Number(policy(attempt, error));
    return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
  }
  const base = policy?.delay === undefined ? DEFAULT_DELAY_MS : toMs(policy.delay, 'backoff.delay');
  if (policy?.type === 'fixed') return base;
  const max = policy?.maxDelay === undefined ? DEFAULT_MAX_DELAY_MS : toMs(policy.maxDelay, 'backoff.maxDelay');
  const exp = Math.min(max, base * 2 ** Math.min(attempt - 1, 40));
  return Math.min(max, Math.round(exp * (0.75 + random() * 0.5)));
}
