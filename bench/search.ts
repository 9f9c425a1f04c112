// The operator's search (jobcraft only: BullMQ has none): 100,000 dead jobs of one name, written straight into
// Redis in the shape the engine writes them; then the first page of `inspector.jobs({ state: 'dead', search })`,
// timed, with SLOWLOG recording every Redis command that took longer than 5 ms meanwhile.
import { Redis } from 'ioredis';
import { Inspector, silentLogger } from '../lib/core/index.js';

/** What the search scenario measured. */
export interface SearchResult {
  deadJobs: number;
  /** Time to the first page (ms): median and max of the calls. */
  firstPageMs: { median: number; max: number };
  /** Redis commands slower than 5 ms during the searches (SLOWLOG). */
  slowCommands: number;
  /** The slowest command during the searches (µs), from SLOWLOG with a 0 threshold on a second pass. */
  slowestCommandMicros: number;
}

/**
 * Fills a namespace with `count` dead jobs and times the first page of a search for a rare term.
 * @param url - the bench's Redis
 * @param count - dead jobs to write
 * @param calls - searches to time
 */
export async function runSearch(url: string, count: number, calls: number): Promise<SearchResult> {
  const namespace = `bench-search-${Date.now().toString(36)}`;
  const raw = new Redis(url, { maxRetriesPerRequest: 1 });
  const inspector = new Inspector({ redis: url, namespace, logger: silentLogger });
  const prefix = `jobcraft:{${namespace}}:`;
  try {
    const expires = Date.now() + 3_600_000;
    for (let i = 0; i < count; i += 5000) {
      const p = raw.pipeline();
      for (let k = i; k < Math.min(count, i + 5000); k++) {
        const id = `dead-${k.toString().padStart(6, '0')}`;
        const error = JSON.stringify({ name: 'Error', message: k === 10 ? 'the needle broke' : 'out of GalbiTang', attempt: 5 });
        p.hset(`${prefix}j:${id}`, 'n', 'food', 'a', JSON.stringify({ task: k, food: 'GalbiTang' }), 't', String(Date.now()), 's', 'd', 'f', '5', 'e', error, 'ft', String(Date.now()));
        p.zadd(`${prefix}d:food`, expires + k, id);
      }
      await p.exec();
    }
    await raw.sadd(`${prefix}names`, 'food');
    const previous = (await raw.config('GET', 'slowlog-log-slower-than')) as string[];
    const previousLen = (await raw.config('GET', 'slowlog-max-len')) as string[];
    const times: number[] = [];
    let slowCommands = 0;
    let slowestCommandMicros = 0;
    try {
      await raw.config('SET', 'slowlog-log-slower-than', '5000');
      await raw.slowlog('RESET');
      for (let c = 0; c < calls; c++) {
        const t = performance.now();
        await inspector.jobs({ name: 'food', state: 'dead', search: 'needle' });
        times.push(performance.now() - t);
      }
      slowCommands = Number(await raw.slowlog('LEN'));
      await raw.config('SET', 'slowlog-max-len', '10000');
      await raw.config('SET', 'slowlog-log-slower-than', '0');
      await raw.slowlog('RESET');
      await inspector.jobs({ name: 'food', state: 'dead', search: 'needle' });
      const entries = (await raw.slowlog('GET', 10_000)) as [number, number, number, string[]][];
      slowestCommandMicros = Math.max(0, ...entries.filter((e) => !String(e[3]?.[0]).toLowerCase().startsWith('slowlog')).map((e) => Number(e[2])));
    } finally {
      await raw.config('SET', 'slowlog-log-slower-than', previous[1] ?? '10000');
      await raw.config('SET', 'slowlog-max-len', previousLen[1] ?? '128');
      await raw.slowlog('RESET');
    }
    times.sort((a, b) => a - b);
    return { deadJobs: count, firstPageMs: { median: times[times.length >> 1]!, max: times[times.length - 1]! }, slowCommands, slowestCommandMicros };
  } finally {
    await inspector.close();
    // bounded deletes: the namespace's keys in batches
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      if (keys.length) await raw.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    await raw.quit();
  }
}
