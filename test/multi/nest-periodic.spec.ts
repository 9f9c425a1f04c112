// Two Nest app instances (real child processes) declare the same @Periodic method: each tick runs once in total,
// and the ticks fired are one period apart.
import { randomNamespace, rawClient } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { Children } from './support.js';

const EVERY = 300;

describe('@Periodic in two Nest app instances', () => {
  const children = new Children();
  afterEach(() => children.killAll());

  it('runs one job per tick in total, not one per instance', async () => {
    const ns = randomNamespace('nest-multi');
    const instances = await children.spawn('nest-periodic-app.ts', 2, { NAMESPACE: ns, EVERY_MS: String(EVERY) });
    const runs = () => instances.flatMap((i) => i.messages.filter((m) => m.type === 'ran'));
    await waitFor(() => runs().length, (n) => n >= 8, { what: '8 ticks run', timeout: 20_000 });
    await Promise.all(instances.map((i) => i.kill()));

    // what ran, from the handlers' reports: each tick once, in one of the two instances
    const ran = runs().map((m) => String(m.id));
    expect(new Set(ran).size).toBe(ran.length);
    // what was fired, from the job records: no tick missing. (Not from the reports: at the kill, one instance's
    // report of a tick can still be in flight while the other's of the next tick has arrived.)
    const raw = rawClient();
    const fired: string[] = [];
    try {
      const prefix = `jobcraft:{${ns}}:j:`;
      let cursor = '0';
      do {
        const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}tick:beat:*`, 'COUNT', 1000);
        cursor = next;
        fired.push(...keys.map((k) => k.slice(prefix.length)));
      } while (cursor !== '0');
    } finally {
      await raw.quit();
    }
    const ticks = fired.map((id) => Number(/^tick:beat:(\d+)$/.exec(id)![1])).sort((a, b) => a - b);
    expect(ran.every((id) => fired.includes(id))).toBe(true);
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]!);
    expect(gaps.filter((g) => g !== EVERY)).toEqual([]);
  });
});
