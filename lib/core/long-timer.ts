import { systemClock, type Clock } from './clock.js';

/**
 * Longest delay Node's `setTimeout` honours: 2³¹ − 1 ms (about 24.8 days). A longer one fires after 1 ms,
 * with a `TimeoutOverflowWarning`.
 * @internal
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Where a {@link LongTimer} gets its single-shot timers (Node's by default; a fake one in unit tests). @internal */
export interface TimerSource {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Node's timers. Every timer is unref'd when asked, so an idle timer never holds a process open. @internal */
export function nodeTimers(unref = false): TimerSource {
  return {
    set: (fn, ms) => {
      const t = setTimeout(fn, ms);
      if (unref) t.unref();
      return t;
    },
    clear: (h) => clearTimeout(h as NodeJS.Timeout),
  };
}

/**
 * A single-shot timer for any delay, the only way jobcraft arms a timer whose delay comes from data (schedules,
 * due times, handler timeouts): it waits in chunks of at most {@link MAX_TIMEOUT_MS} and, each time it wakes,
 * re-checks the clock, so a delay past Node's limit waits its full length and a timer that fires early (Node's
 * timers may wake a millisecond before `Date.now()` reaches the target) waits the rest instead of firing early.
 * Arming again replaces the previous target.
 * @internal
 */
export class LongTimer {
  private handle: unknown;
  private target = Infinity;
  private fn?: () => void;

  /**
   * @param clock - what "now" is (the target is on this clock)
   * @param timers - the single-shot timers to chain
   */
  constructor(
    private readonly clock: Clock = systemClock,
    private readonly timers: TimerSource = nodeTimers(),
  ) {}

  /** The time this timer fires at (on its clock), or undefined when it is not armed. */
  get at(): number | undefined {
    return this.fn ? this.target : undefined;
  }

  /**
   * Calls `fn` once the clock reads `at` or later (at once, on the next timer turn, if it already does).
   * @param at - the target time in ms on this timer's clock
   * @param fn - what to call
   */
  armAt(at: number, fn: () => void): void {
    this.cancel();
    this.target = at;
    this.fn = fn;
    this.wait();
  }

  /**
   * Calls `fn` after `ms` (any length).
   * @param ms - the delay
   * @param fn - what to call
   */
  armIn(ms: number, fn: () => void): void {
    this.armAt(this.clock.now() + Math.max(0, ms), fn);
  }

  /** Disarms; a cancelled timer never calls its function. */
  cancel(): void {
    if (this.handle !== undefined) this.timers.clear(this.handle);
    this.handle = undefined;
    this.fn = undefined;
    this.target = Infinity;
  }

  private wait(): void {
    const left = this.target - this.clock.now();
    const chunk = Math.min(MAX_TIMEOUT_MS, Math.max(0, Number.isFinite(left) ? left : MAX_TIMEOUT_MS));
    this.handle = this.timers.set(() => this.wake(), chunk);
  }

  private wake(): void {
    this.handle = undefined;
    const fn = this.fn;
    if (!fn) return;
    // a chunk of a long wait ended, or the timer woke early: wait for the rest (a wake less than 1 ms early is
    // on time: that is the clock's granularity, and waiting another timer turn for it would only add latency)
    if (this.target - this.clock.now() >= 1) {
      this.wait();
      return;
    }
    this.fn = undefined;
    this.target = Infinity;
    fn();
  }
}
