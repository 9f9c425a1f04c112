// periodicInfo (what Inspector.periodic reports per entry), pure: recorded ticks with their jobs' states, and the
// ticks the schedule had that nobody recorded, listed as missed.
import { periodicInfo } from '../../lib/core/periodic-view.js';
import type { StoredEntry } from '../../lib/core/redis/admin-broker.js';

const SEC = 1000;
const T0 = Date.UTC(2026, 11, 2, 3, 0, 0); // on the @every 10s grid

function entry(history: string[], spec = '@every 10s'): StoredEntry {
  return { name: 'report', fields: { spec }, history };
}

describe('periodicInfo', () => {
  it('lists recorded ticks newest first with their jobs, skipped ticks with their reason, and expired records', () => {
    const info = periodicInfo(
      entry([`${T0 + 20 * SEC}|tick:report:3|vm:1|-150|`, `${T0 + 10 * SEC}||vm:2|-180|overlap`, `${T0}|tick:report:1|vm:1|-190|`]),
      [{ n: 'report', s: 'c', t: String(T0), f: '0' }, null],
      T0 + 25 * SEC,
    );
    expect(info).toMatchObject({ name: 'report', spec: '@every 10s', paused: false, nextTick: T0 + 30 * SEC });
    expect(info.recent).toEqual([
      { tick: T0 + 20 * SEC, jobId: 'tick:report:3', firedBy: 'vm:1', lateMs: -150, state: 'completed' },
      { tick: T0 + 10 * SEC, firedBy: 'vm:2', lateMs: -180, state: 'skipped', reason: 'overlap' },
      { tick: T0, jobId: 'tick:report:1', firedBy: 'vm:1', lateMs: -190, state: 'expired' },
    ]);
  });

  it('lists the ticks nobody recorded (no instance ran) as missed, once they are 10 s overdue', () => {
    const info = periodicInfo(entry([`${T0 + 10 * SEC}||vm:1|-100|paused`, `${T0}||vm:1|-100|paused`]), [], T0 + 45 * SEC);
    expect(info.recent.map((t) => [t.tick - T0, t.state])).toEqual([
      [30 * SEC, 'missed'], // T0+40s is due but not 10 s overdue yet: not listed
      [20 * SEC, 'missed'],
      [10 * SEC, 'skipped'],
      [0, 'skipped'],
    ]);
    expect(info.recent[0]).toEqual({ tick: T0 + 30 * SEC, firedBy: '', state: 'missed' });
  });

  it('lists the latest 100 missed ticks at most, and none before the first recorded one', () => {
    const info = periodicInfo(entry([`${T0}||vm:1|-100|paused`], '@every 1s'), [], T0 + 3600 * SEC);
    const missed = info.recent.filter((t) => t.state === 'missed');
    expect(missed).toHaveLength(100);
    expect(missed[0]!.tick).toBe(T0 + 3590 * SEC); // the latest one 10 s overdue
    expect(missed[99]!.tick).toBe(T0 + 3491 * SEC);
    expect(info.recent[100]).toMatchObject({ tick: T0, state: 'skipped' });
    const few = periodicInfo(entry([`${T0 + 2 * SEC}||vm:1|-100|paused`], '@every 1s'), [], T0 + 15 * SEC);
    expect(Math.min(...few.recent.map((t) => t.tick))).toBe(T0 + 2 * SEC);
    expect(periodicInfo(entry([]), [], T0).recent).toEqual([]);
  });

  it('keeps an entry whose spec it cannot read, without next tick or missed ticks', () => {
    const info = periodicInfo(entry([`${T0}||vm:1|-100|paused`], '@sometimes'), [], T0 + 3600 * SEC);
    expect(info.nextTick).toBeUndefined();
    expect(info.recent.map((t) => t.state)).toEqual(['skipped']);
  });
});
