import { claimAt, planTicks } from '../../lib/core/plan-ticks.js';
import { parseSchedule } from '../../lib/core/spec/parse-schedule.js';

const every10s = parseSchedule('@every 10s', 'e');
const T = 1_700_000_000_000; // on the 10 s grid
const range = (from: number, to: number, step = 10_000) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

describe('planTicks', () => {
  it.each(['once', 'skip', 'all'] as const)('fires the one due tick when it is on time, whatever the policy (%s)', (policy) => {
    expect(planTicks(every10s, policy, 10, T - 10_000, T + 5)).toEqual({ fire: [T], missed: [], missedCount: 0, moreMissed: false });
  });

  it('plans nothing when no tick is due after the last one', () => {
    expect(planTicks(every10s, 'all', 10, T, T + 9_999)).toEqual({ fire: [], missed: [], missedCount: 0, moreMissed: false });
  });

  it.each([
    ['once', [T], range(T - 50_000, T - 10_000)],
    ['skip', [], range(T - 50_000, T)],
    ['all', range(T - 20_000, T), range(T - 50_000, T - 30_000)],
  ] as const)('after 6 ticks nobody fired, misfire %s fires %j and reports the rest missed', (policy, fire, missed) => {
    const plan = planTicks(every10s, policy, 3, T - 60_000, T + 5000);
    expect(plan).toEqual({ fire, missed, missedCount: missed.length, moreMissed: false });
  });

  it("a single late tick is fired by 'once' and 'all' and left out by 'skip'", () => {
    const late = T + 5000; // half a period: not on time
    expect(planTicks(every10s, 'once', 10, T - 10_000, late).fire).toEqual([T]);
    expect(planTicks(every10s, 'all', 10, T - 10_000, late).fire).toEqual([T]);
    expect(planTicks(every10s, 'skip', 10, T - 10_000, late)).toEqual({ fire: [], missed: [T], missedCount: 1, moreMissed: false });
  });

  it('walks back a bounded number of ticks after an outage of any length, and says the count is a lower bound', () => {
    const plan = planTicks(every10s, 'all', 4, T - 36_000_000, T + 5000); // 3600 ticks nobody fired
    expect(plan.fire).toEqual(range(T - 30_000, T));
    expect(plan.missed).toEqual(range(T - 990_000, T - 40_000));
    expect(plan).toMatchObject({ missedCount: 96, moreMissed: true });
    const many = planTicks(every10s, 'once', 500, T - 36_000_000, T + 5000);
    expect(many).toMatchObject({ fire: [T], missedCount: 499, moreMissed: true });
    expect(many.missed).toHaveLength(100); // the most recent ones
    expect(many.missed.at(-1)).toBe(T - 10_000);
  });

  it('plans a tick being claimed ahead of its time as of the tick (the scheduler passes the tick as now)', () => {
    expect(planTicks(every10s, 'skip', 10, T - 10_000, T).fire).toEqual([T]);
  });

  it('plans cron ticks of long periods: two monthly ticks missed, the latest fired once', () => {
    const monthly = parseSchedule('@monthly', 'm');
    const feb = Date.UTC(2026, 1, 1);
    const mar = Date.UTC(2026, 2, 1);
    expect(planTicks(monthly, 'once', 10, Date.UTC(2026, 0, 1), mar + 10)).toEqual({ fire: [mar], missed: [feb], missedCount: 1, moreMissed: false });
    expect(planTicks(monthly, 'all', 10, Date.UTC(2026, 0, 1), mar + 10).fire).toEqual([feb, mar]);
    expect(planTicks(monthly, 'skip', 10, feb, mar + 10).fire).toEqual([mar]); // on time
  });
});

describe('claimAt', () => {
  it('claims up to 200 ms ahead, a quarter of the period at most, and at the tick itself with overlap skip', () => {
    expect(claimAt(every10s, 'allow', T)).toBe(T - 200);
    expect(claimAt(parseSchedule('@every 200ms', 'f'), 'allow', T)).toBe(T - 50);
    expect(claimAt(every10s, 'skip', T)).toBe(T);
    const mar = Date.UTC(2026, 2, 1);
    expect(claimAt(parseSchedule('@monthly', 'm'), 'allow', mar)).toBe(mar - 200);
  });
});
