import { LongTimer, MAX_TIMEOUT_MS } from '../../lib/core/long-timer.js';
import { fakeTime } from '../helpers/fake-time.js';

const DAY = 86_400_000;

describe('LongTimer', () => {
  it.each([30 * DAY, 40 * DAY, 366 * DAY])('waits the whole %i ms in chunks Node accepts, and fires once', (delay) => {
    const t = fakeTime();
    const start = t.clock.now();
    const timer = new LongTimer(t.clock, t.timers);
    let fired = 0;
    timer.armIn(delay, () => fired++);
    while (t.pending.length) t.fireNext();
    expect(fired).toBe(1);
    expect(t.clock.now() - start).toBe(delay);
    expect(Math.max(...t.requested)).toBeLessThanOrEqual(MAX_TIMEOUT_MS);
    expect(t.requested.length).toBe(Math.ceil(delay / MAX_TIMEOUT_MS));
  });

  it('does not fire when its timer wakes before the clock reaches the target; it waits the rest', () => {
    const t = fakeTime();
    const timer = new LongTimer(t.clock, t.timers);
    let firedAt: number | undefined;
    const target = t.clock.now() + 1000;
    timer.armAt(target, () => (firedAt = t.clock.now()));
    t.fireNext(-3); // woke 3 ms early
    expect(firedAt).toBeUndefined();
    expect(t.requested.at(-1)).toBe(3);
    t.fireNext();
    expect(firedAt).toBe(target);
  });

  it('fires on the next turn for a target already past, and never after cancel', () => {
    const t = fakeTime();
    const timer = new LongTimer(t.clock, t.timers);
    let fired = 0;
    timer.armAt(t.clock.now() - 50, () => fired++);
    expect(t.requested).toEqual([0]);
    timer.cancel();
    expect(t.pending).toHaveLength(0);
    expect(timer.at).toBeUndefined();
    timer.armIn(10, () => fired++);
    timer.armIn(20, () => fired++); // re-arming replaces
    expect(t.pending).toHaveLength(1);
    t.fireNext();
    expect(fired).toBe(1);
  });
});
