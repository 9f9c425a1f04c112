import { systemClock, type Clock } from '../clock.js';

/**
 * Keeps bounds on the offset between the Redis server's clock and this process's clock, from observations of
 * Redis time (a script's TIME, read between a call's send and its reply). Due times live on the Redis clock, so
 * instances with skewed clocks agree; this lets a client express "now + delay" and set local timers on it.
 * Bounds restart every minute, so a clock adjustment is picked up.
 * @internal
 */
export class RedisClock {
  private low = -Infinity;
  private high = Infinity;
  private since = 0;

  /** @param local - this process's clock (injectable, e.g. skewed, in tests) */
  constructor(readonly local: Clock = systemClock) {}

  /**
   * Records that Redis read `redisNow` (whole ms) between `sentAt` and `replyAt` (local ms).
   */
  observe(redisNow: number, sentAt: number, replyAt: number): void {
    if (replyAt - this.since > 60_000) {
      this.low = -Infinity;
      this.high = Infinity;
      this.since = replyAt;
    }
    this.low = Math.max(this.low, redisNow - replyAt - 1); // -1: Redis time is floored to the ms
    this.high = Math.min(this.high, redisNow - sentAt + 1);
    if (this.low > this.high) {
      this.low = redisNow - replyAt - 1;
      this.high = redisNow - sentAt + 1;
    }
  }

  /** Redis clock − local clock, if known to within a few ms. */
  offset(): number | undefined {
    return this.high - this.low <= 4 ? (this.low + this.high) / 2 : undefined;
  }

  /**
   * The Redis clock now, from one TIME read; also refines the offset.
   * @param time - reads Redis TIME as `[seconds, microseconds]`
   */
  async read(time: () => Promise<readonly (string | number)[]>): Promise<number> {
    const sentAt = this.local.now();
    const [sec, usec] = await time();
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    this.observe(now, sentAt, this.local.now());
    return now;
  }

  /** Redis time now, estimated from the offset (the local clock when the offset is not known yet). */
  now(): number {
    return this.local.now() + (this.offset() ?? 0);
  }

  /** The local time at which the Redis clock reads `redisMs`, if the offset is known. */
  localTime(redisMs: number): number | undefined {
    const offset = this.offset();
    return offset === undefined ? undefined : redisMs - offset;
  }
}
