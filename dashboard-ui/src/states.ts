import type { JobState } from '../../lib/core/types.js';

/** Every job state, in life order (the tabs of a name's page, the columns of the overview). */
export const JOB_STATES = ['scheduled', 'queued', 'active', 'retrying', 'completed', 'dead', 'cancelled'] as const satisfies readonly JobState[];

// Fails to compile if the core gains a state this list lacks.
const everyState: Exclude<JobState, (typeof JOB_STATES)[number]> extends never ? true : never = true;
void everyState;

/**
 * Whether `text` names a job state.
 * @param text - any text, e.g. a URL segment
 */
export function isJobState(text: string): text is JobState {
  return (JOB_STATES as readonly string[]).includes(text);
}

/** Retry (and Retry all) moves these states back to queued (Inspector.retry). */
export function canRetry(state: JobState): boolean {
  return state === 'dead' || state === 'cancelled' || state === 'retrying' || state === 'scheduled';
}

/** Cancel applies to jobs that have not finished. */
export function canCancel(state: JobState): boolean {
  return state === 'scheduled' || state === 'queued' || state === 'active' || state === 'retrying';
}

/** Delete applies to every job that is not running (cancel a running one first). */
export function canDelete(state: JobState): boolean {
  return state !== 'active';
}

/** Whether a job in this state has reached its end. */
export function isFinal(state: JobState): boolean {
  return state === 'completed' || state === 'dead' || state === 'cancelled';
}
