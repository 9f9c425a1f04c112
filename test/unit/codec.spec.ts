import { decodeInfo, decodeRunnable } from '../../lib/core/redis/codec.js';

describe('job record codec', () => {
  const good = { n: 'food', a: '{"x":1}', t: '1700000000000', s: 'q' };

  it('decodes a well-formed record with per-job options', () => {
    const d = decodeRunnable('j1', { ...good, f: '2', mf: '7', to: '1000', rt: '0', bo: '{"type":"fixed","delay":5}', u: 'k' });
    expect(d).toEqual({
      ok: true,
      job: { id: 'j1', name: 'food', args: { x: 1 }, enqueuedAt: 1700000000000, fails: 2, maxFails: 7, timeoutMs: 1000, retentionMs: 0, backoff: { type: 'fixed', delay: 5 }, uniqueKey: 'k' },
    });
  });

  it.each([
    [{ ...good, a: '{not json' }, /args/],
    [{ ...good, n: undefined }, /name/],
    [{ ...good, t: 'yesterday' }, /enqueuedAt/],
    [{ ...good, f: '-1' }, /fails/],
    [{ ...good, mf: 'many' }, /option field/],
    [{ ...good, bo: '[' }, /backoff/],
    [{}, /name/],
  ])('reports a corrupt record instead of throwing (%p)', (rec, reason) => {
    const d = decodeRunnable('j1', rec as Record<string, string>);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reason).toMatch(reason);
  });

  it('reads records leniently for getJob', () => {
    const info = decodeInfo('j2', { n: 'x', a: 'garbage', t: '5', s: 'c', f: '1', r: '{"ok":true}', ft: '9', st: '7' });
    expect(info).toMatchObject({ id: 'j2', name: 'x', args: null, state: 'completed', attempts: 2, result: { ok: true }, finishedAt: 9, startedAt: 7 });
  });
});
