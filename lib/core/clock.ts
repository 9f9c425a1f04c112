/** A source of wall-clock time in ms; injectable so time math can be tested without fake timers. */
export interface Clock {
  /** Current time in ms since the Unix epoch. */
  now(): number;
}

/** The process clock (`Date.now`). */
export const systemClock: Clock = { now: () => Date.now() };
