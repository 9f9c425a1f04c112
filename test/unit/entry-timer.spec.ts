import { EntryTimer, type RedisTimeEstimate } from '../../lib/core/entry-timer.js';
import { MAX_TIMEOUT_MS } from '../../lib/core/long-timer.js';
import { claimAt } from '../../lib/core/plan-ticks.js';
import { nextTick, parseSchedule, previousTick } from '../../lib/core/spec/parse-schedule.js';
import { fakeTime } from '../helpers/fake-time.js';

/** A Redis clock `offset` ms ahead of the fake local clock; the test can change the offset (a refined estimate). */
function redisAhead(clock: { now(): number }, offset: { ms: number }): RedisTimeEstimate {
  return { now: () => clock.now() + offset.ms, toLocal: (at) => at - offset.ms };
}

const START = Date.UTC(2026, 0, 15, 12, 0, 0, 123);

describe('EntryTimer', () => {
  it.each(['@monthly', '@yearly', '0 0 1 * *', '@every 40d'])(
    'waits for the next tick of %s in chunks Node accepts, re-checking on each wake, and fires once at the claim time',
    (spec) => {
      const schedule = parseSchedule(spec, 'long');
      const offset = { ms: 350 };
      const t = fakeTime(previousTick(schedule, START)! + 1000 - offset.ms); // a second after a tick: a whole period ahead
      const redis = redisAhead(t.clock, offset);
      const tick = nextTick(schedule, redis.now());
      const at = claimAt(schedule, 'allow', tick);
      expect(at - redis.now()).toBeGreaterThan(MAX_TIMEOUT_MS); // longer than one Node timer
      const fired: number[] = [];
      new EntryTimer(redis, t.clock, t.timers).armAt(at, () => fired.push(redis.now()));
      t.fireNext(-2); // a chunk that ends early changes nothing
      while (t.pending.length) t.fireNext();
      expect(fired).toEqual([at]);
      expect(Math.max(...t.requested)).toBeLessThanOrEqual(MAX_TIMEOUT_MS);
    },
  );

  it('does not fire when it wakes before the time on the Redis clock; it waits the rest', () => {
    const t = fakeTime(START);
    const redis = redisAhead(t.clock, { ms: 0 });
    const fired: number[] = [];
    const timer = new EntryTimer(redis, t.clock, t.timers);
    timer.armAt(START + 1000, () => fired.push(redis.now()));
    t.fireNext(-3); // woke 3 ms early
    expect(fired).toEqual([]);
    t.fireNext();
    expect(fired).toEqual([START + 1000]);
  });

  it('waits longer when the Redis clock estimate moves back while it waits, and never fires before the time', () => {
    const t = fakeTime(START);
    const offset = { ms: 500 };
    const redis = redisAhead(t.clock, offset);
    const fired: number[] = [];
    new EntryTimer(redis, t.clock, t.timers).armAt(START + 10_000, () => fired.push(redis.now()));
    offset.ms = 200; // refined: Redis is less far ahead than thought
    t.fireNext(); // wakes at the old local target: Redis reads 300 ms short
    expect(fired).toEqual([]);
    expect(t.requested.at(-1)).toBe(300);
    t.fireNext();
    expect(fired).toEqual([START + 10_000]);
  });

  it('cannot spin on an estimate that disagrees with itself: each re-check waits at least 1 ms', () => {
    const t = fakeTime(START);
    const behind: RedisTimeEstimate = { now: () => t.clock.now() - 5, toLocal: (at) => at }; // toLocal says due, now says not
    const fired: number[] = [];
    new EntryTimer(behind, t.clock, t.timers).armAt(START + 100, () => fired.push(t.clock.now()));
    t.fireNext();
    expect(fired).toEqual([]);
    for (let i = 0; i < 5; i++) t.fireNext();
    expect(t.requested.slice(1)).toEqual([1, 1, 1, 1, 1]);
    expect(fired).toEqual([START + 105]);
  });

  it('never fires after cancel, and arming again replaces the wait', () => {
    const t = fakeTime(START);
    const timer = new EntryTimer(redisAhead(t.clock, { ms: 0 }), t.clock, t.timers);
    const fired: string[] = [];
    timer.armAt(START + 100, () => fired.push('first'));
    timer.armIn(50, () => fired.push('retry'));
    expect(t.pending).toHaveLength(1);
    t.fireNext();
    expect(fired).toEqual(['retry']);
    timer.armAt(START + 1000, () => fired.push('cancelled'));
    timer.cancel();
    expect(t.pending).toHaveLength(0);
  });
});
