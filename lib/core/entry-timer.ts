import { systemClock, type Clock } from './clock.js';
import { LongTimer, nodeTimers, type TimerSource } from './long-timer.js';

/** This process's estimate of the Redis clock, which ticks follow. @internal */
export interface RedisTimeEstimate {
  /** Redis time now (ms), estimated. */
  now(): number;
  /**
   * The local time (ms) at which the Redis clock is estimated to read `redisMs`.
   * @param redisMs - a time on the Redis clock
   */
  toLocal(redisMs: number): number;
}

/**
 * The one timer of a periodic entry: waits until the Redis clock (as estimated when it wakes) reads a given
 * time, for any length of wait. It waits in chunks Node's timers accept (through {@link LongTimer}) and, on
 * waking, re-checks the estimate: a wake-up before the time (an early timer, or an estimate refined meanwhile)
 * waits again instead of firing. Arming again replaces the previous wait.
 * @internal
 */
export class EntryTimer {
  private readonly timer: LongTimer;

  /**
   * @param redis - the Redis clock estimate the target times are on
   * @param clock - this process's clock (the estimate's local side)
   * @param timers - the single-shot timers to chain (Node's by default)
   */
  constructor(
    private readonly redis: RedisTimeEstimate,
    private readonly clock: Clock = systemClock,
    timers: TimerSource = nodeTimers(),
  ) {
    this.timer = new LongTimer(clock, timers);
  }

  /**
   * Calls `fn` once the estimated Redis clock reads `redisAt` or later.
   * @param redisAt - the target time on the Redis clock (ms)
   * @param fn - what to call
   */
  armAt(redisAt: number, fn: () => void): void {
    this.arm(redisAt, this.redis.toLocal(redisAt), fn);
  }

  private arm(redisAt: number, localAt: number, fn: () => void): void {
    this.timer.armAt(localAt, () => {
      if (this.redis.now() >= redisAt) return fn();
      // not yet on the Redis clock as estimated now: wait again (at least 1 ms, so a wobbling estimate cannot spin)
      this.arm(redisAt, Math.max(this.redis.toLocal(redisAt), this.clock.now() + 1), fn);
    });
  }

  /**
   * Calls `fn` after `ms` on this process's clock (any length): for a retry, or a wait Redis itself asked for.
   * @param ms - the delay
   * @param fn - what to call
   */
  armIn(ms: number, fn: () => void): void {
    this.timer.armIn(ms, fn);
  }

  /** Disarms; a cancelled timer never calls its function. */
  cancel(): void {
    this.timer.cancel();
  }
}
