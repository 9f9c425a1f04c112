import { MAX_TIMEOUT_MS, type TimerSource } from '../../lib/core/long-timer.js';

/**
 * A clock and a timer source a unit test moves by hand (no fake timers, no waiting): what each armed timer asked
 * for is recorded, and asking Node's timers for more than they honour throws.
 * @param start - the clock's first reading (ms)
 */
export function fakeTime(start = 1_700_000_000_000) {
  let now = start;
  const pending: { fn: () => void; ms: number; id: number }[] = [];
  let seq = 0;
  const requested: number[] = [];
  const timers: TimerSource = {
    set: (fn, ms) => {
      if (ms > MAX_TIMEOUT_MS) throw new Error(`asked Node for ${ms} ms, past its limit`);
      requested.push(ms);
      pending.push({ fn, ms, id: ++seq });
      return seq;
    },
    clear: (h) => {
      const i = pending.findIndex((p) => p.id === h);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return {
    clock: { now: () => now },
    timers,
    requested,
    pending,
    /** Fires the next timer after moving the clock by what it asked for (plus `drift`, negative = early). */
    fireNext(drift = 0) {
      const t = pending.shift();
      if (!t) throw new Error('no timer armed');
      now += t.ms + drift;
      t.fn();
    },
    advance(ms: number) {
      now += ms;
    },
  };
}
