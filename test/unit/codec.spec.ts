import { argsFields, decodeInfo, decodeRunnable } from '../../lib/core/redis/codec.js';

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

  it.each([
    ['short', '{"x":1}'],
    ['ascii over 64 bytes', JSON.stringify({ path: '/images/2026/11/photo-000123.jpg', user: 'u-123', action: 'resize', size: 1048576 })],
    ['multi-byte and emoji across piece boundaries', JSON.stringify({ t: 'é'.repeat(40) + '😀'.repeat(30) + '한국어'.repeat(20) })],
    ['too big to split', JSON.stringify({ blob: 'x'.repeat(5000) })],
  ])('stores args (%s) in pieces of at most 64 UTF-8 bytes that join back exactly', (_, json) => {
    const fields = argsFields(json);
    const rec: Record<string, string> = { n: 'x', t: '1' };
    for (let i = 0; i < fields.length; i += 2) rec[fields[i]!] = fields[i + 1]!;
    expect(fields[0]).toBe('a');
    if (json.length <= 2048) for (let i = 1; i < fields.length; i += 2) expect(Buffer.byteLength(fields[i]!)).toBeLessThanOrEqual(64);
    for (let i = 1; i < fields.length; i += 2) expect(fields[i]).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
    const d = decodeRunnable('j', rec);
    expect(d.ok && JSON.stringify(d.job.args)).toBe(json);
    expect(JSON.stringify(decodeInfo('j', rec).args)).toBe(json);
  });
});
