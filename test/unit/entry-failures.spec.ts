import { EntryFailures } from '../../lib/core/entry-failures.js';

describe('EntryFailures', () => {
  it("keeps each entry's failure state apart: a failure logs once, a recovery once, and all-clear only when no entry fails", () => {
    const lines: string[] = [];
    const f = new EntryFailures({ warn: (m) => lines.push(m), error: (m) => lines.push(m) });
    f.failed('a', new Error('down'));
    f.failed('a', new Error('down'));
    f.succeeded('b'); // another entry's success says nothing about a
    f.failed('b', new Error('down too')); // logged although a is failing
    f.succeeded('b');
    f.failed('a', new Error('still down'));
    f.succeeded('a');
    f.succeeded('a');
    expect(lines).toEqual([
      'periodic "a": firing ticks failed, retrying at the next tick: down',
      'periodic "b": firing ticks failed, retrying at the next tick: down too',
      'periodic "b": firing ticks again (still failing: a)',
      'periodic entries: Redis is back, firing ticks again',
    ]);
  });
});
