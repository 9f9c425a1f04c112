// RedisClock with explicit numbers: observations of Redis time between a call's send and its reply bound the
// offset (Redis clock − local clock); the offset is known once the bounds are within 4 ms.
import type { Clock } from '../../lib/core/clock.js';
import { RedisClock } from '../../lib/core/redis/redis-clock.js';

/** A local clock a test sets by hand. */
function handClock(start = 1_000_000): Clock & { set(ms: number): void } {
  let now = start;
  return { now: () => now, set: (ms) => (now = ms) };
}

const T = 1_000_000; // local ms of the first observation
const OFFSET = 5_000; // Redis runs 5 s ahead in these examples

describe('RedisClock offset', () => {
  it('is unknown before any observation', () => {
    const clock = new RedisClock(handClock());
    expect(clock.offset()).toBeUndefined();
    expect(clock.localTime(T)).toBeUndefined();
  });

  it('is unknown while one observation leaves bounds wider than 4 ms', () => {
    const clock = new RedisClock(handClock());
    clock.observe(T + OFFSET + 5, T, T + 10); // bounds [OFFSET - 6, OFFSET + 6]
    expect(clock.offset()).toBeUndefined();
    expect(clock.localTime(T + OFFSET)).toBeUndefined();
  });

  it('is known, the middle of its bounds, once one observation bounds it within 4 ms', () => {
    const clock = new RedisClock(handClock());
    clock.observe(T + OFFSET + 1, T, T + 2); // bounds [OFFSET - 2, OFFSET + 2]
    expect(clock.offset()).toBe(OFFSET);
    expect(clock.localTime(T + OFFSET + 123)).toBe(T + 123);
  });

  it('narrows its bounds with each observation until it is known', () => {
    const clock = new RedisClock(handClock());
    clock.observe(T + OFFSET + 5, T, T + 10); // [OFFSET - 6, OFFSET + 6]
    clock.observe(T + 100 + OFFSET + 2, T + 100, T + 110); // [OFFSET - 9, OFFSET + 3] → [OFFSET - 6, OFFSET + 3]
    expect(clock.offset()).toBeUndefined();
    clock.observe(T + 200 + OFFSET - 2, T + 200 - 6, T + 200); // [OFFSET - 3, OFFSET + 5] → [OFFSET - 3, OFFSET + 3]
    expect(clock.offset()).toBeUndefined();
    clock.observe(T + 300 + OFFSET + 1, T + 300 - 1, T + 302); // [OFFSET - 2, OFFSET + 3] → width 5
    expect(clock.offset()).toBeUndefined();
    clock.observe(T + 400 + OFFSET, T + 400 - 3, T + 400 + 1); // [OFFSET - 2, OFFSET + 4] → [OFFSET - 2, OFFSET + 3]
    expect(clock.offset()).toBeUndefined();
    clock.observe(T + 500 + OFFSET - 1, T + 500 - 2, T + 500); // [OFFSET - 2, OFFSET + 2] → width 4
    expect(clock.offset()).toBe(OFFSET);
  });

  it('restarts its bounds after 60 s of local time, so a clock adjustment is picked up', () => {
    const clock = new RedisClock(handClock());
    clock.observe(T + OFFSET + 1, T, T + 2);
    expect(clock.offset()).toBe(OFFSET);
    // a wide observation within the minute keeps the known offset…
    clock.observe(T + 30_000 + OFFSET, T + 30_000 - 20, T + 30_000 + 20);
    expect(clock.offset()).toBe(OFFSET);
    // …one past the minute starts over from itself alone
    const later = T + 2 + 60_001;
    clock.observe(later + OFFSET, later - 20, later + 20);
    expect(clock.offset()).toBeUndefined();
    clock.observe(later + 10 + OFFSET + 1, later + 10, later + 12);
    expect(clock.offset()).toBe(OFFSET);
  });

  it('restarts its bounds from an observation that contradicts them (the clock was adjusted)', () => {
    const clock = new RedisClock(handClock());
    clock.observe(T + OFFSET + 1, T, T + 2);
    expect(clock.offset()).toBe(OFFSET);
    // Redis now reads 1 s further ahead than the bounds allow
    clock.observe(T + 100 + OFFSET + 1_000 + 1, T + 100, T + 102);
    expect(clock.offset()).toBe(OFFSET + 1_000);
    expect(clock.localTime(T + 200 + OFFSET + 1_000)).toBe(T + 200);
  });
});

describe('RedisClock.now', () => {
  it('is the local clock while the offset is unknown', () => {
    const local = handClock(T);
    expect(new RedisClock(local).now()).toBe(T);
  });

  it('is the local clock plus the offset once known', () => {
    const local = handClock(T);
    const clock = new RedisClock(local);
    clock.observe(T + OFFSET + 1, T, T + 2);
    local.set(T + 50);
    expect(clock.now()).toBe(T + 50 + OFFSET);
  });
});

describe('RedisClock.read', () => {
  it.each([
    { label: 'strings', reply: ['1700000000', '123456'], ms: 1_700_000_000_123 },
    { label: 'numbers', reply: [1_700_000_000, 5_000], ms: 1_700_000_000_005 },
    { label: 'microseconds just under a ms boundary', reply: ['1700000000', '999999'], ms: 1_700_000_000_999 },
  ])('returns Redis TIME in whole ms (from $label)', async ({ reply, ms }) => {
    const clock = new RedisClock(handClock(T));
    await expect(clock.read(async () => reply)).resolves.toBe(ms);
  });

  it('observes the reading between the local times of send and reply', async () => {
    const local = handClock(T);
    const clock = new RedisClock(local);
    const redisMs = await clock.read(async () => {
      local.set(T + 2); // the reply arrives 2 ms after the send
      return ['1700000000', '123456'];
    });
    // bounds [redisMs - (T + 2) - 1, redisMs - T + 1]: 4 ms wide, so the offset is their middle
    expect(clock.offset()).toBe(redisMs - T - 1);
    expect(clock.localTime(redisMs)).toBe(T + 1);
  });

  it('leaves the offset unknown when the round trip was too slow to bound it', async () => {
    const local = handClock(T);
    const clock = new RedisClock(local);
    await clock.read(async () => {
      local.set(T + 50);
      return ['1700000000', '0'];
    });
    expect(clock.offset()).toBeUndefined();
  });

  it('passes on a failed TIME read without observing anything', async () => {
    const clock = new RedisClock(handClock(T));
    await expect(clock.read(async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(clock.offset()).toBeUndefined();
  });
});
