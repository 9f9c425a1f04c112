import { InvalidScheduleError } from '../../lib/core/errors.js';
import { cronNext, cronPrevious } from '../../lib/core/spec/cron.js';
import { everyNext, everyPrevious } from '../../lib/core/spec/every.js';
import { nextTick, parseSchedule, previousTick, type Schedule } from '../../lib/core/spec/parse-schedule.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

/** Every tick in [from, to), found by chaining nextTick. */
function ticksBetween(schedule: Schedule, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = nextTick(schedule, from - 1); t < to; t = nextTick(schedule, t)) out.push(t);
  return out;
}

describe('parseSchedule: @every', () => {
  it('parses durations into an epoch-anchored grid with offset 0 by default', () => {
    expect(parseSchedule('@every 1.5s', 'e')).toEqual({ kind: 'every', spec: '@every 1.5s', everyMs: 1500, offsetMs: 0 });
    expect(parseSchedule('  @every 250ms ', 'e')).toMatchObject({ everyMs: 250, spec: '@every 250ms' });
    expect(parseSchedule('@every 1h30m', 'e')).toMatchObject({ everyMs: 5_400_000 });
    expect(parseSchedule('@every 1.5s', 'e', { offset: '200ms' })).toMatchObject({ offsetMs: 200 });
  });

  it("'@every 1.5s' ticks on multiples of 1500 ms since the epoch", () => {
    const s = parseSchedule('@every 1.5s', 'e');
    const now = 1_767_225_600_700; // 2026-01-01T00:00:00.700Z
    expect(nextTick(s, now)).toBe(1_767_225_601_500);
    expect(nextTick(s, now) % 1500).toBe(0);
    expect(previousTick(s, now)).toBe(1_767_225_600_000);
    expect(nextTick(s, 0)).toBe(1500);
    expect(nextTick(s, 1)).toBe(1500);
    expect(nextTick(s, 1499.5)).toBe(1500);
  });

  it('nextTick is strictly after a time on the grid, previousTick is at or before', () => {
    const s = parseSchedule('@every 1.5s', 'e');
    expect(nextTick(s, 3000)).toBe(4500);
    expect(previousTick(s, 3000)).toBe(3000);
    expect(previousTick(s, 2999)).toBe(1500);
    expect(nextTick(s, 2999)).toBe(3000);
  });

  it('shifts the grid by the offset', () => {
    const s = parseSchedule('@every 1.5s', 'e', { offset: 200 });
    expect(nextTick(s, 0)).toBe(200);
    expect(nextTick(s, 200)).toBe(1700);
    expect(previousTick(s, 1699)).toBe(200);
    expect(previousTick(s, 1700)).toBe(1700);
    expect(previousTick(s, 100)).toBe(-1300);
  });

  it("'@every 250ms' and '@every 1h30m' tick on their grids", () => {
    const quarter = parseSchedule('@every 250ms', 'e');
    expect(nextTick(quarter, 1_767_225_600_001)).toBe(1_767_225_600_250);
    expect(previousTick(quarter, 1_767_225_600_249)).toBe(1_767_225_600_000);
    const long = parseSchedule('@every 1h30m', 'e');
    // 2026-01-01T00:00Z is exactly 327 264 periods of 90 min after the epoch: on the grid.
    expect(iso(nextTick(long, at('2026-01-01T00:00:00Z')))).toBe('2026-01-01T01:30:00.000Z');
    expect(iso(previousTick(long, at('2026-01-01T00:00:00Z')))).toBe('2026-01-01T00:00:00.000Z');
    expect(iso(previousTick(long, at('2026-01-01T01:29:59.999Z')))).toBe('2026-01-01T00:00:00.000Z');
  });

  it('everyNext and everyPrevious do exact grid math far from the epoch', () => {
    const big = 2 ** 50 + 7;
    expect(everyNext(10, 3, big) - big).toBeGreaterThan(0);
    expect((everyNext(10, 3, big) - 3) % 10).toBe(0);
    expect((everyPrevious(10, 3, big) - 3) % 10).toBe(0);
    expect(everyPrevious(7, 0, 7 * 123_456_789_012)).toBe(7 * 123_456_789_012);
    expect(everyNext(7, 0, 7 * 123_456_789_012)).toBe(7 * 123_456_789_013);
  });
});

describe('parseSchedule: errors', () => {
  it.each([
    ['@every 0s', {}],
    ['@every 5ms', {}],
    ['@every soon', {}],
    ['@every', {}],
    ['@every 1.5s', { offset: '1.5s' }],
    ['@every 1.5s', { offset: 2000 }],
    ['@every 1.5s', { offset: -1 }],
    ['61 * * * *', {}],
    ['* * *', {}],
    ['* * * * * * *', {}],
    ['0 3 * * *', { timeZone: 'Mars/Base' }],
    ['0 3 * * *', { offset: 10 }],
    ['@midnight', {}],
    ['@reboot', {}],
    ['every day', {}],
    ['', {}],
    ['   ', {}],
  ])('rejects %p (%p) with INVALID_SCHEDULE naming the spec and the entry', (spec, options) => {
    let caught: unknown;
    try {
      parseSchedule(spec, 'nightly-report', options);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidScheduleError);
    const err = caught as InvalidScheduleError;
    expect(err.code).toBe('INVALID_SCHEDULE');
    expect(err.message).toContain(`Invalid schedule ${JSON.stringify(spec)} for entry "nightly-report": `);
  });

  it("passes cron-parser's message and error through as the reason and cause", () => {
    expect(() => parseSchedule('61 * * * *', 'nightly-report')).toThrow(
      'Invalid schedule "61 * * * *" for entry "nightly-report": Constraint error, got value 61 expected range 0-59',
    );
    try {
      parseSchedule('61 * * * *', 'nightly-report');
    } catch (err) {
      expect((err as InvalidScheduleError).cause).toBeInstanceOf(Error);
    }
  });

  it('names the unknown zone, the too-large offset and the field count', () => {
    expect(() => parseSchedule('0 3 * * *', 'r', { timeZone: 'Mars/Base' })).toThrow(/entry "r".*"Mars\/Base"/);
    expect(() => parseSchedule('@every 1.5s', 'r', { offset: 1500 })).toThrow(/offset \(1500 ms\) must be smaller than the period \(1500 ms\)/);
    expect(() => parseSchedule('* * *', 'r')).toThrow(/5 or 6 fields, got 3/);
  });

  it('rejects a non-string spec', () => {
    expect(() => parseSchedule(42 as unknown as string, 'r')).toThrow(InvalidScheduleError);
    expect(() => parseSchedule(undefined as unknown as string, 'r')).toThrow(/for entry "r"/);
  });
});

describe('parseSchedule: cron', () => {
  it('keeps the trimmed expression and the zone', () => {
    expect(parseSchedule(' 0 3 * * * ', 'c', { timeZone: 'Asia/Seoul' })).toEqual({
      kind: 'cron',
      spec: '0 3 * * *',
      expression: '0 3 * * *',
      timeZone: 'Asia/Seoul',
    });
    expect(parseSchedule('@daily', 'c')).toEqual({ kind: 'cron', spec: '@daily', expression: '@daily' });
  });

  it("'0 3 * * *' in Asia/Seoul fires at 18:00Z the previous UTC day", () => {
    const s = parseSchedule('0 3 * * *', 'c', { timeZone: 'Asia/Seoul' });
    expect(iso(nextTick(s, at('2026-05-10T12:00:00Z')))).toBe('2026-05-10T18:00:00.000Z');
    expect(iso(nextTick(s, at('2026-05-10T18:00:00Z')))).toBe('2026-05-11T18:00:00.000Z');
    expect(iso(previousTick(s, at('2026-05-10T12:00:00Z')))).toBe('2026-05-09T18:00:00.000Z');
  });

  it('reads 5 fields in UTC when no zone is given', () => {
    const s = parseSchedule('0 3 * * *', 'c');
    expect(iso(nextTick(s, at('2026-05-10T02:59:59.999Z')))).toBe('2026-05-10T03:00:00.000Z');
  });

  it('nextTick is strictly after a tick, previousTick is at or before it', () => {
    const s = parseSchedule('0 3 * * *', 'c');
    const tick = at('2026-05-10T03:00:00Z');
    expect(iso(nextTick(s, tick))).toBe('2026-05-11T03:00:00.000Z');
    expect(iso(nextTick(s, tick - 1))).toBe('2026-05-10T03:00:00.000Z');
    expect(iso(previousTick(s, tick))).toBe('2026-05-10T03:00:00.000Z');
    expect(iso(previousTick(s, tick - 1))).toBe('2026-05-09T03:00:00.000Z');
    expect(iso(previousTick(s, tick + 500))).toBe('2026-05-10T03:00:00.000Z');
  });

  it("6-field '*/10 * * * * *' steps by 10 seconds", () => {
    const s = parseSchedule('*/10 * * * * *', 'c');
    const from = at('2026-05-10T12:00:03.250Z');
    expect(ticksBetween(s, from, from + 35_000).map(iso)).toEqual([
      '2026-05-10T12:00:10.000Z',
      '2026-05-10T12:00:20.000Z',
      '2026-05-10T12:00:30.000Z',
    ]);
    expect(iso(previousTick(s, from))).toBe('2026-05-10T12:00:00.000Z');
    expect(iso(nextTick(s, at('2026-05-10T12:00:10Z')))).toBe('2026-05-10T12:00:20.000Z');
  });

  it("'@hourly' and '@daily' fire on the hour and at midnight of the zone", () => {
    const hourly = parseSchedule('@hourly', 'c');
    expect(iso(nextTick(hourly, at('2026-05-10T12:00:00Z')))).toBe('2026-05-10T13:00:00.000Z');
    expect(iso(previousTick(hourly, at('2026-05-10T12:59:59Z')))).toBe('2026-05-10T12:00:00.000Z');
    const daily = parseSchedule('@daily', 'c', { timeZone: 'Asia/Seoul' });
    expect(iso(nextTick(daily, at('2026-05-10T12:00:00Z')))).toBe('2026-05-10T15:00:00.000Z');
    expect(iso(nextTick(parseSchedule('@yearly', 'c'), at('2026-05-10T12:00:00Z')))).toBe('2027-01-01T00:00:00.000Z');
    expect(iso(nextTick(parseSchedule('@annually', 'c'), at('2026-05-10T12:00:00Z')))).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('cron across daylight saving time (Europe/Berlin)', () => {
  const berlin = (spec: string): Schedule => parseSchedule(spec, 'dst', { timeZone: 'Europe/Berlin' });
  // Local days: 2026-03-29 is 23 h long (starts 2026-03-28T23:00Z), 2026-10-25 is 25 h long (starts 2026-10-24T22:00Z).
  const springDay = [at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z')] as const;
  const fallDay = [at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z')] as const;

  it("runs '30 2 * * *' once on the spring-forward day, at 03:30 CEST (01:30Z), when 02:30 does not exist", () => {
    expect(ticksBetween(berlin('30 2 * * *'), ...springDay).map(iso)).toEqual(['2026-03-29T01:30:00.000Z']);
  });

  it("runs '30 2 * * *' once on the fall-back day, at the first 02:30 (CEST, 00:30Z)", () => {
    expect(ticksBetween(berlin('30 2 * * *'), ...fallDay).map(iso)).toEqual(['2026-10-25T00:30:00.000Z']);
  });

  it('keeps its daily rhythm on the days around both transitions', () => {
    const s = berlin('30 2 * * *');
    expect(ticksBetween(s, at('2026-03-27T00:00:00Z'), at('2026-03-31T00:00:00Z')).map(iso)).toEqual([
      '2026-03-27T01:30:00.000Z',
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    expect(ticksBetween(s, at('2026-10-23T00:00:00Z'), at('2026-10-27T00:00:00Z')).map(iso)).toEqual([
      '2026-10-23T00:30:00.000Z',
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('gives the same answer whatever instant of the transition the search starts from', () => {
    const s = berlin('30 2 * * *');
    // Fall back: from inside the repeated hour, the repeated 02:30 (01:30Z) is not a tick.
    expect(iso(nextTick(s, at('2026-10-25T00:45:00Z')))).toBe('2026-10-26T01:30:00.000Z');
    expect(iso(nextTick(s, at('2026-10-25T01:00:00Z')))).toBe('2026-10-26T01:30:00.000Z');
    expect(iso(nextTick(s, at('2026-10-25T01:29:59Z')))).toBe('2026-10-26T01:30:00.000Z');
    expect(iso(previousTick(s, at('2026-10-25T01:30:00Z')))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(previousTick(s, at('2026-10-25T12:00:00Z')))).toBe('2026-10-25T00:30:00.000Z');
    // Spring forward: from just after the gap, the 03:30 substitute (01:30Z) is still ahead.
    expect(iso(nextTick(s, at('2026-03-29T01:00:00Z')))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(nextTick(s, at('2026-03-29T01:29:59Z')))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(previousTick(s, at('2026-03-29T12:00:00Z')))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(previousTick(s, at('2026-03-29T01:29:59Z')))).toBe('2026-03-28T01:30:00.000Z');
  });

  it('agrees with the chained sequence from every start instant around both transitions', () => {
    for (const spec of ['30 2 * * *', '0 2 * * *', '*/20 2 * * *', '30 * * * *']) {
      const s = berlin(spec);
      for (const [from, to] of [springDay, fallDay]) {
        const seq = ticksBetween(s, from - 86_400_000, to + 86_400_000);
        for (let t = from; t < to; t += 17 * 60_000 + 13_000) {
          expect([spec, iso(nextTick(s, t))]).toEqual([spec, iso(seq.find((x) => x > t))]);
          expect([spec, iso(previousTick(s, t))]).toEqual([spec, iso(seq.findLast((x) => x <= t))]);
        }
      }
    }
  });

  it('follows elapsed time for an hourly expression: both copies of the repeated hour, nothing lost in the gap', () => {
    const s = berlin('30 * * * *');
    expect(ticksBetween(s, ...fallDay)).toHaveLength(25);
    expect(ticksBetween(s, ...springDay)).toHaveLength(23);
    expect(ticksBetween(s, at('2026-10-25T00:00:00Z'), at('2026-10-25T02:00:00Z')).map(iso)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:30:00.000Z',
    ]);
  });

  it('cronNext and cronPrevious use UTC when no zone is given', () => {
    expect(iso(cronNext('0 2 * * *', undefined, at('2026-10-25T00:00:00Z')))).toBe('2026-10-25T02:00:00.000Z');
    expect(iso(cronPrevious('0 2 * * *', undefined, at('2026-10-25T02:00:00Z')))).toBe('2026-10-25T02:00:00.000Z');
  });
});
