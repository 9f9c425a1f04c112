import { backoffDelay } from '../../lib/core/backoff.js';

describe('retry backoff', () => {
  const mid = () => 0.5; // no jitter
  it('grows exponentially from 1 s by default, capped at 1 h', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(undefined, a, null, mid))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(undefined, 40, null, mid)).toBe(3_600_000);
  });
  it('jitters within ±25%', () => {
    expect(backoffDelay(undefined, 3, null, () => 0)).toBe(3000);
    expect(backoffDelay(undefined, 3, null, () => 0.999999)).toBe(5000);
  });
  it('honours fixed specs, custom bases and functions', () => {
    expect(backoffDelay({ type: 'fixed', delay: '2s' }, 9, null)).toBe(2000);
    expect(backoffDelay({ type: 'exponential', delay: 10, maxDelay: 50 }, 5, null, mid)).toBe(50);
    expect(backoffDelay((attempt) => attempt * 100, 3, null)).toBe(300);
    expect(backoffDelay(() => Number.NaN, 3, null)).toBe(0);
  });
});
