// Two Nest app instances (real child processes) declare the same @Periodic method: each tick runs once in total,
// and consecutive ticks are one period apart, read from what the handlers ran.
import { randomNamespace } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { Children } from './support.js';

const EVERY = 300;

describe('@Periodic in two Nest app instances', () => {
  const children = new Children();
  afterEach(() => children.killAll());

  it('runs one job per tick in total, not one per instance', async () => {
    const instances = await children.spawn('nest-periodic-app.ts', 2, { NAMESPACE: randomNamespace('nest-multi'), EVERY_MS: String(EVERY) });
    const runs = () => instances.flatMap((i) => i.messages.filter((m) => m.type === 'ran'));
    await waitFor(() => runs().length, (n) => n >= 8, { what: '8 ticks run', timeout: 20_000 });
    await Promise.all(instances.map((i) => i.kill()));

    const ids = runs().map((m) => String(m.id));
    const ticks = ids.map((id) => Number(/^tick:beat:(\d+)$/.exec(id)![1])).sort((a, b) => a - b);
    expect(new Set(ticks).size).toBe(ticks.length); // each tick ran once, in one of the two instances
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]!);
    expect(gaps.filter((g) => g !== EVERY)).toEqual([]); // and no tick is missing
  });
});
