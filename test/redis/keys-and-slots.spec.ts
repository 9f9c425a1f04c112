// Watches every command jobcraft sends (MONITOR on a Redis of its own) while a workload exercises every
// transition, and checks the Cluster rules: each call's keys share one hash slot, and a script's inner
// commands touch only keys the script declared in KEYS.
import calculateSlot from 'cluster-key-slot';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { Enqueuer, Inspector, Scheduler, WorkerPool, silentLogger } from '../../lib/core/index.js';
import { scripts } from '../../lib/core/redis/lua.generated.js';
import { startRedis, type RedisServer } from '../setup/redis-server.mjs';
import { waitFor } from '../helpers/wait-for.js';

/** Commands whose keys are all their arguments. */
const ALL_KEYS = new Set(['del', 'exists', 'mget', 'unlink']);
/** Commands without keys. */
const NO_KEYS = new Set(['time', 'hello', 'info', 'client', 'ping', 'quit', 'select', 'script', 'monitor', 'ssubscribe', 'spublish']);

function keysOf(cmd: string, args: string[]): string[] {
  if (NO_KEYS.has(cmd)) return [];
  if (ALL_KEYS.has(cmd)) return args;
  if (cmd === 'bzpopmin') return args.slice(0, -1);
  return args.slice(0, 1);
}

describe('Redis keys', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('every call stays in one hash slot, and scripts touch only the keys they declare', async () => {
    const ns = 'slots';
    const monitorClient = new Redis(server.url);
    const monitor = await monitorClient.monitor();
    const lines: { source: string; args: string[] }[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => lines.push({ source, args }));

    const enq = new Enqueuer({ redis: server.url, namespace: ns });
    const pool = new WorkerPool({ redis: server.url, namespace: ns, logger: silentLogger, lease: 300, concurrency: 4 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    pool.handle('ok', async (job) => { await job.progress(1); return 'ok'; }, { concurrency: 3 });
    pool.handle('fail', async () => { throw new Error('x'); }, { maxFails: 2, backoff: { type: 'fixed', delay: 1 } });
    pool.handle('hold', async (job) => { await Promise.race([gate, new Promise((r) => job.signal.addEventListener('abort', r))]); });
    await pool.start();

    const a = await enq.enqueue('ok', { i: 1 }, { unique: true });
    await enq.enqueue('ok', { i: 2 }, { id: 'custom', delay: 20 });
    await enq.enqueue('ok', { i: 3 }, { priority: 3 });
    await enq.enqueueMany([{ name: 'ok', args: { i: 4 } }, { name: 'fail', args: null }]);
    await enq.waitFor(a.id, { timeout: '10s' });
    await enq.waitFor('custom', { timeout: '10s' });
    // a lease that expired without its worker: the recoverer requeues it
    const raw = new Redis(server.url);
    await raw.hset(`jobcraft:{${ns}}:j:orphan`, { n: 'ok', a: 'null', t: '1', s: 'a' });
    await raw.zadd(`jobcraft:{${ns}}:l:ok`, 1, 'orphan|deadworker.0');
    await enq.waitFor('orphan', { timeout: '10s' });
    const held = await enq.enqueue('hold', null);
    await waitFor(() => enq.getJob(held.id), (i) => i?.state === 'active', { what: 'hold active' });
    await waitFor(() => lines.some((l) => l.args[0]?.startsWith('jc_extendLeases') || (l.source === 'lua' && l.args[0] === 'ZADD' && l.args[2] === 'XX')), Boolean, { what: 'a lease renewal' });
    const dead = await enq.enqueue('fail', null);
    await enq.waitFor(dead.id, { timeout: '10s' });
    // the operator's reads and transitions, and a periodic entry's tick
    const inspector = new Inspector({ redis: server.url, namespace: ns, logger: silentLogger });
    const later = await enq.enqueue('ok', { i: 5 }, { delay: '1h' });
    await inspector.cancel(later.id);
    await inspector.retry(later.id);
    await inspector.cancel(later.id);
    await inspector.remove(later.id);
    await inspector.pause('ok');
    await inspector.resume('ok');
    await inspector.names();
    await inspector.jobs({ name: 'fail', state: 'dead', search: 'x' });
    await inspector.workers();
    await inspector.history({ name: 'ok', range: '1h' });
    await inspector.retryAll({ name: 'fail', state: 'dead' });
    await enq.waitFor(dead.id, { timeout: '10s' });
    const scheduler = new Scheduler({ redis: server.url, namespace: ns, logger: silentLogger }).register('beat', '@every 100ms', { job: 'ok' });
    await scheduler.start();
    await waitFor(() => inspector.periodic(), (p) => (p[0]?.recent.length ?? 0) > 0, { what: 'a tick' });
    await inspector.triggerPeriodic('beat');
    await scheduler.stop();
    await inspector.close();
    await pool.stop({ timeout: 1 }); // hands 'hold' back: release-jobs
    release();
    await enq.close();
    await raw.quit();
    monitor.disconnect();
    monitorClient.disconnect();

    const ours = (k: string) => k.startsWith(`jobcraft:{${ns}}:`);
    const slot = calculateSlot(`jobcraft:{${ns}}:x`);
    const byHash = new Map(Object.values(scripts).map((s) => [createHash('sha1').update(s.lua).digest('hex'), /^--\[\[\s*([\w-]+)/.exec(s.lua)![1]!]));
    const seenScripts = new Set<string>();
    let declared: Set<string> | null = null;
    let scriptName = '';
    for (const { source, args } of lines) {
      const cmd = args[0]!.toLowerCase();
      const rest = args.slice(1);
      if (cmd === 'evalsha' || cmd === 'eval') {
        const n = Number(rest[1]);
        const keys = rest.slice(2, 2 + n);
        declared = new Set(keys);
        scriptName = cmd === 'evalsha' ? (byHash.get(rest[0]!) ?? rest[0]!) : (/^--\[\[(?:\\n|\s)*([\w-]+)/.exec(rest[0]!)?.[1] ?? '?');
        seenScripts.add(scriptName);
        for (const k of keys) expect({ script: scriptName, key: k, slot: calculateSlot(k) }).toEqual({ script: scriptName, key: k, slot });
        continue;
      }
      if (source === 'lua') {
        for (const k of keysOf(cmd, rest)) {
          expect({ script: scriptName, cmd, key: k, declared: declared?.has(k) }).toEqual({ script: scriptName, cmd, key: k, declared: true });
        }
        if (cmd === 'spublish') expect(calculateSlot(rest[0]!)).toBe(slot);
        continue;
      }
      declared = null;
      for (const k of keysOf(cmd, rest).filter(ours)) expect({ cmd, key: k, slot: calculateSlot(k) }).toEqual({ cmd, key: k, slot });
    }
    // the workload really exercised the transitions (EVAL carries the source on first use per connection)
    for (const s of [
      'enqueue-jobs', 'claim-jobs', 'start-jobs', 'complete-jobs', 'retry-jobs', 'bury-jobs', 'find-expired', 'recover-jobs', 'extend-leases',
      'set-progress', 'release-jobs', 'cancel-job', 'requeue-jobs', 'remove-jobs', 'claim-tick',
    ]) {
      expect([...seenScripts]).toContain(s);
    }
  });
});
