// N instances run the same periodic entry; one is SIGKILLed mid-run (the one that fired the latest tick).
// Read from the job records: exactly one job per tick, on the grid, and no tick missing across the kill.
import { randomNamespace, rawClient } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { Children } from './support.js';

const EVERY = 300;

describe('a periodic entry across instances', () => {
  const children = new Children();
  afterEach(() => children.killAll());

  it.each([1, 3, 5])('creates one job per tick with %i instance(s), with no gap when the last firer is killed', async (n) => {
    const ns = randomNamespace('multi-periodic');
    const instances = await children.spawn('scheduler-instance.ts', n, { NAMESPACE: ns, EVERY_MS: String(EVERY) });
    const raw = rawClient();
    // no worker runs: a tick's job is queued, or scheduled at its tick when it was claimed ahead of time
    const ready = `jobcraft:{${ns}}:q:beat`;
    const scheduled = `jobcraft:{${ns}}:z:beat`;
    const count = async () => (await raw.llen(ready)) + (await raw.zcard(scheduled));
    try {
      await waitFor(count, (len) => len >= 4, { what: '4 ticks fired', timeout: 20_000 });
      let survivors = instances;
      if (n > 1) {
        const lastBy = await raw.hget(`jobcraft:{${ns}}:s:beat`, 'lastBy');
        const victim = instances.find((i) => String(i.child.pid) === lastBy)!;
        expect(victim).toBeDefined();
        await victim.kill();
        survivors = instances.filter((i) => i !== victim);
      }
      const atKill = await count();
      await waitFor(count, (len) => len >= atKill + 6, { what: '6 more ticks after the kill', timeout: 20_000 });
      await Promise.all(survivors.map((i) => i.kill()));

      const ids = [...(await raw.lrange(ready, 0, -1)), ...(await raw.zrange(scheduled, '0', '-1'))];
      const ticks = ids.map((id) => Number(/^tick:beat:(\d+)$/.exec(id)![1])).sort((a, b) => a - b);
      expect(new Set(ticks).size).toBe(ticks.length); // one job per tick
      for (const t of ticks) expect(t % EVERY).toBe(0); // on the epoch-aligned grid
      const gaps = ticks.slice(1).map((t, i) => t - ticks[i]!);
      expect(gaps.filter((g) => g !== EVERY)).toEqual([]); // no tick missing, not even across the kill
    } finally {
      await raw.quit();
    }
  });
});
