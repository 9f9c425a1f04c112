import { NonRetryableError } from '../../lib/core/errors.js';
import type { HandlerEntry } from '../../lib/core/handler-registry.js';
import { decideOutcome, settingsOf, type JobSettings } from '../../lib/core/outcome.js';

const settings = (o: Partial<JobSettings> = {}): JobSettings => ({ maxFails: 3, retentionMs: 1000, ...o });
const half = () => 0.5; // no jitter: the backoff's midpoint

describe('decideOutcome', () => {
  it('completes with the JSON result, undefined stored as null, with the job’s retention', () => {
    expect(decideOutcome({ fails: 0 }, settings(), { ok: true, value: { a: 1 } })).toEqual({
      kind: 'complete', result: { a: 1 }, resultJson: '{"a":1}', retentionMs: 1000,
    });
    expect(decideOutcome({ fails: 0 }, settings(), { ok: true, value: undefined })).toMatchObject({ kind: 'complete', result: null, resultJson: 'null' });
  });

  it('buries a result that is not JSON-serializable, as a non-retryable error', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [cyclic, 10n]) {
      const o = decideOutcome({ fails: 0 }, settings(), { ok: true, value });
      expect(o).toMatchObject({ kind: 'bury', fails: 1, error: { name: 'NonRetryableError', attempt: 1 } });
    }
  });

  it('retries a failed attempt after the backoff while attempts remain, counting attempts from 1', () => {
    const o = decideOutcome({ fails: 1 }, settings({ backoff: { type: 'exponential', delay: 100 } }), { ok: false, error: new Error('boom') }, half);
    expect(o).toMatchObject({ kind: 'retry', fails: 2, delayMs: 200, error: { message: 'boom', name: 'Error', attempt: 2 } });
  });

  it('buries on the last allowed attempt, and at once for NonRetryableError', () => {
    expect(decideOutcome({ fails: 2 }, settings(), { ok: false, error: new Error('boom') })).toMatchObject({ kind: 'bury', fails: 3, retentionMs: 1000 });
    expect(decideOutcome({ fails: 0 }, settings(), { ok: false, error: new NonRetryableError('no') })).toMatchObject({ kind: 'bury', fails: 1 });
  });

  it('retries in 1 s, reporting why, when a backoff function throws', () => {
    const backoff = () => {
      throw new Error('bad backoff');
    };
    const o = decideOutcome({ fails: 0 }, settings({ backoff }), { ok: false, error: 'a string' });
    expect(o).toMatchObject({ kind: 'retry', delayMs: 1000, error: { message: 'a string' } });
    expect(o.kind === 'retry' && o.backoffFailed?.message).toBe('bad backoff');
  });
});

describe('settingsOf', () => {
  const handler = { name: 'h', run: async () => null, cap: 0, maxFails: 7, retentionMs: 70, timeoutMs: 700 } satisfies HandlerEntry;
  const pool = { maxFails: 5, retentionMs: 50 };

  it('takes the job’s own setting, else its handler’s, else the pool’s', () => {
    expect(settingsOf({ maxFails: 9, retentionMs: 90, timeoutMs: 900 }, handler, pool)).toMatchObject({ maxFails: 9, retentionMs: 90, timeoutMs: 900 });
    expect(settingsOf({}, handler, pool)).toMatchObject({ maxFails: 7, retentionMs: 70, timeoutMs: 700 });
    expect(settingsOf({}, undefined, pool)).toEqual({ maxFails: 5, retentionMs: 50, timeoutMs: undefined, backoff: undefined });
  });
});
