import { parseDurationText, toMs } from '../../lib/core/spec/duration.js';
import { InvalidOptionsError } from '../../lib/core/index.js';

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['1.5s', 1500],
    ['1h30m', 5_400_000],
    ['7d', 604_800_000],
    ['2m5s', 125_000],
    [' 10s ', 10_000],
  ])('parses %s as %i ms', (text, ms) => {
    expect(parseDurationText(text)).toBe(ms);
  });

  it.each(['', 'abc', '10', '1s1h', '5 s', '-1s', '1x', '1s1s'])('rejects %p', (text) => {
    expect(parseDurationText(text)).toBeUndefined();
  });

  it('accepts ms numbers and rejects negatives, NaN and non-durations with a typed error naming the field', () => {
    expect(toMs(1200, 'x')).toBe(1200);
    expect(() => toMs(-1, 'WorkerPool.lease')).toThrow(InvalidOptionsError);
    expect(() => toMs(Number.NaN, 'a')).toThrow(/a must be/);
    expect(() => toMs('soon', 'stop.timeout')).toThrow(/stop\.timeout.*"soon"/);
    expect(() => toMs(0, 'timeout', { allowZero: false })).toThrow(/positive/);
  });
});
