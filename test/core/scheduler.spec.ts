import { Redis } from 'ioredis';
import { InvalidScheduleError, QueueClosedError, RedisUnavailableError, Scheduler, WorkerPool, silentLogger, type Logger } from '../../lib/core/index.js';
import { ScheduleBroker as Broker, type TickReply } from '../../lib/core/redis/schedule-broker.js';
import { openRedisContext } from '../../lib/core/redis/redis-context.js';
import { resolveConnectionOptions } from '../../lib/core/options.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The scheduler's own (real) broker, whose methods a test wraps to watch or to fail calls: asynq's testbroker idea,
 * on the real connection. (Reaches into a private field until the Scheduler takes its broker as a dependency.)
 */
function brokerOf(s: Scheduler): Broker {
  return (s as unknown as { broker: Broker }).broker;
}

/** A logger that records warnings and errors. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

describe('Scheduler', () => {
  let ns: string;
  const closers: (() => Promise<void>)[] = [];
  beforeEach(() => {
    ns = randomNamespace('sched');
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  const scheduler = (id: string, logger: Logger = silentLogger) => {
    const s = new Scheduler({ redis: redisUrl(), namespace: ns, instanceId: id, logger });
    closers.push(() => s.stop());
    return s;
  };

  it('fires each tick of an @every entry once across two instances, on the epoch-aligned grid, with no gap', async () => {
    const fired: { tick: number; by: string }[] = [];
    // misfire 'all': if the shared jest process is starved past a tick, the tick is fired late rather than
    // dropped by policy, so a gap can only mean a lost tick
    const entry = { args: { title: 'title1' }, misfire: 'all' } as const;
    const a = scheduler('a').register('beat', '@every 200ms', entry);
    const b = scheduler('b').register('beat', '@every 200ms', entry);
    a.on('tick:fired', (e) => fired.push({ tick: e.tick, by: 'a' }));
    b.on('tick:fired', (e) => fired.push({ tick: e.tick, by: 'b' }));
    const ran: string[] = [];
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, logger: silentLogger }).handle('beat', async (job) => {
      ran.push(job.id);
      return job.args;
    });
    closers.push(() => pool.stop());
    await pool.start();
    await Promise.all([a.start(), b.start()]);
    await waitFor(() => ran.length, (n) => n >= 6, { what: '6 ticks run' });
    await Promise.all([a.stop(), b.stop()]);

    const ticks = fired.map((f) => f.tick).sort((x, y) => x - y);
    expect(new Set(ticks).size).toBe(ticks.length); // one instance fired each tick
    for (const t of ticks) expect(t % 200).toBe(0);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBe(200); // no tick missing
    await waitFor(() => ran.length, (n) => n === ticks.length, { what: 'every fired tick run' });
    expect(new Set(ran)).toEqual(new Set(ticks.map((t) => `tick:beat:${t}`)));
  });

  it.each([
    ['once', 1],
    ['skip', 0],
    ['all', 3],
  ] as const)('after all instances were down, misfire %s fires %i of the missed ticks at start and logs the rest', async (misfire, expected) => {
    const raw = new Redis(redisUrl());
    const [sec, usec] = await raw.time();
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    // shift the 10 s grid so that its latest tick is 5 s old: late, never "on time", whenever the test runs
    const offset = (now + 5000) % 10_000;
    const latest = now - 5000;
    await raw.hset(`jobcraft:{${ns}}:s:report`, { lastTick: String(latest - 60_000), lastJob: '' }); // a minute of ticks nobody fired
    await raw.quit();
    const fired: number[] = [];
    const missed: number[][] = [];
    const warnings: string[] = [];
    const s = scheduler('late', { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) });
    s.register('report', '@every 10s', { misfire, misfireLimit: 3, offset });
    s.on('tick:fired', (e) => fired.push(e.tick));
    s.on('tick:missed', (e) => missed.push(e.ticks));
    await s.start();
    await waitFor(() => missed.length, (n) => n === 1, { what: 'the missed ticks reported' });
    await waitFor(() => fired.length, (n) => n >= expected, { what: `${expected} catch-up ticks` });
    expect(fired.filter((t) => t <= latest)).toHaveLength(expected);
    if (expected > 0) expect(Math.max(...fired.filter((t) => t <= latest))).toBe(latest); // the most recent missed ticks
    expect(missed[0]!.length + expected).toBe(6); // the 6 ticks of the minute nobody fired, each fired or reported
    for (const t of fired) expect((t - offset) % 10_000).toBe(0);
    expect(warnings).toEqual([`periodic "report": ${6 - expected} tick(s) missed (misfire: ${misfire})`]);
  });

  it('rejects an invalid spec at register, naming the spec and the entry', () => {
    const s = scheduler('x');
    expect(() => s.register('nightly-report', '61 * * * *')).toThrow(InvalidScheduleError);
    expect(() => s.register('nightly-report', '61 * * * *')).toThrow(/61 \* \* \* \*.*nightly-report|nightly-report.*61 \* \* \* \*/);
    expect(() => s.register('bad', '@every soon')).toThrow(InvalidScheduleError);
  });

  it('creates one job per tick however many instances race for it', async () => {
    const brokers = Array.from({ length: 10 }, () => new Broker(openRedisContext(resolveConnectionOptions({ redis: redisUrl(), namespace: ns, logger: silentLogger }, 'test'))));
    closers.push(async () => { await Promise.all(brokers.map((b) => b.close())); });
    const tick = 1_700_000_000_000;
    const replies = await Promise.all(
      brokers.map((b, i) =>
        b.claimTick({
          entry: 'race', tick, jobId: `tick:race:${tick}`, jobName: 'race', args: 'null', extra: [], instanceId: `i${i}`,
          overlap: 'allow', previousJob: '', notBefore: 0, uniqueWindowMs: 0, historySize: 100,
        }),
      ),
    );
    expect(replies.filter((r) => r.status === 'FIRED')).toHaveLength(1);
    expect(replies.filter((r) => r.status === 'TAKEN')).toHaveLength(9);
    const raw = new Redis(redisUrl());
    expect(await raw.llen(`jobcraft:{${ns}}:q:race`)).toBe(1);
    await raw.quit();
  });

  it('agrees with other instances when its own clock is skewed: fires on the Redis clock, never early, one job per tick', async () => {
    const skewed = { now: () => Date.now() + 700 }; // runs 0.7 s fast: more than three periods
    const fired: { tick: number; by: string }[] = [];
    const fast = new Scheduler({ redis: redisUrl(), namespace: ns, instanceId: 'fast', logger: silentLogger, clock: skewed });
    closers.push(() => fast.stop());
    fast.register('beat', '@every 200ms', { misfire: 'all' }).on('tick:fired', (e) => fired.push({ tick: e.tick, by: 'fast' }));
    await fast.start();
    await waitFor(() => fired.length, (n) => n >= 3, { what: '3 ticks from the skewed instance alone' });
    const normal = scheduler('normal').register('beat', '@every 200ms', { misfire: 'all' }); // see the first test
    normal.on('tick:fired', (e) => fired.push({ tick: e.tick, by: 'normal' }));
    await normal.start();
    await waitFor(() => fired.length, (n) => n >= 8, { what: '8 ticks in all' });
    await Promise.all([fast.stop(), normal.stop()]);

    const ticks = fired.map((f) => f.tick).sort((a, b) => a - b);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBe(200);
    // no job could run before its tick on the Redis clock: created at or after the tick, or created ahead (by at
    // most the lead, a quarter of the period) and scheduled at the tick. The fast clock never fired early.
    const raw = new Redis(redisUrl());
    for (const t of ticks) {
      const created = Number(await raw.hget(`jobcraft:{${ns}}:j:tick:beat:${t}`, 't'));
      if (created < t) {
        expect(created).toBeGreaterThanOrEqual(t - 50);
        expect(Number(await raw.zscore(`jobcraft:{${ns}}:z:beat`, `tick:beat:${t}`))).toBe(t);
      }
    }
    await raw.quit();
  });

  it("overlap 'skip' fires no tick while the previous tick's job is unfinished", async () => {
    const events: string[] = [];
    const s = scheduler('o').register('slow', '@every 100ms', { overlap: 'skip' });
    s.on('tick:fired', () => events.push('fired'));
    s.on('tick:skipped', (e) => events.push(`skipped:${e.reason}`));
    await s.start(); // no worker: the first job stays queued, so every later tick is skipped
    await waitFor(() => events.filter((e) => e === 'skipped:overlap').length, (n) => n >= 3, { what: '3 skipped ticks' });
    expect(events.filter((e) => e === 'fired')).toHaveLength(1);
    const raw = new Redis(redisUrl());
    expect(await raw.llen(`jobcraft:{${ns}}:q:slow`)).toBe(1);
    await raw.quit();
  });

  it('a unique window longer than the period creates no second job within the window', async () => {
    const fired: number[] = [];
    const skipped: number[] = [];
    const s = scheduler('u').register('win', '@every 100ms', { unique: 250 });
    s.on('tick:fired', (e) => fired.push(e.tick));
    s.on('tick:skipped', (e) => skipped.push(e.tick));
    await s.start();
    await waitFor(() => fired.length, (n) => n >= 3, { what: '3 fired ticks' });
    await s.stop();
    for (let i = 1; i < fired.length; i++) expect(fired[i]! - fired[i - 1]!).toBeGreaterThanOrEqual(250);
    expect(skipped.length).toBeGreaterThan(0);
  });

  it("misfire 'all' fires the most recent missed ticks even after an outage of many thousand ticks", async () => {
    const raw = new Redis(redisUrl());
    const [sec, usec] = await raw.time();
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    const offset = (now + 5000) % 10_000; // the latest tick is 5 s old: late, and still the latest for 5 s
    const latest = now - 5000;
    await raw.hset(`jobcraft:{${ns}}:s:fast`, { lastTick: String(latest - 36_000_000), lastJob: '' }); // 3600 ticks nobody fired
    await raw.quit();
    const fired: number[] = [];
    const s = scheduler('all').register('fast', '@every 10s', { misfire: 'all', misfireLimit: 4, offset });
    s.on('tick:fired', (e) => fired.push(e.tick));
    await s.start();
    await waitFor(() => fired.filter((t) => t <= latest).length, (n) => n === 4, { what: '4 catch-up ticks' });
    expect(fired.filter((t) => t <= latest)).toEqual([latest - 30_000, latest - 20_000, latest - 10_000, latest]);
  });

  it('forgets entries no instance has registered for forgetAfter, and keeps the ones still registered', async () => {
    const raw = new Redis(redisUrl());
    const entries = `jobcraft:{${ns}}:entries`;
    const now = Date.now();
    await raw.zadd(entries, now - 8 * 86_400_000, 'removed-from-code', now - 60_000, 'another-app');
    await raw.hset(`jobcraft:{${ns}}:s:removed-from-code`, { spec: '@every 1s', lastTick: '1' });
    await raw.hset(`jobcraft:{${ns}}:s:another-app`, { spec: '@every 1s', lastTick: '1' });
    const s = scheduler('f').register('current', '@every 1h');
    await s.start();
    expect((await raw.zrange(entries, '0', '-1')).sort()).toEqual(['another-app', 'current']);
    expect(await raw.exists(`jobcraft:{${ns}}:s:removed-from-code`)).toBe(0);
    expect(await raw.hget(`jobcraft:{${ns}}:s:another-app`, 'spec')).toBe('@every 1s');
    expect(await raw.hget(`jobcraft:{${ns}}:s:current`, 'spec')).toBe('@every 1h');
    await raw.quit();
  });

  it('waits out entries longer than a Node timer can (@monthly, @yearly, 0 0 1 * *, @every 40d): no early fire, no warning', async () => {
    // Node emits its warnings on the real process; jest gives each test file a copy, whose listeners never hear them
    const hostProcess = (setTimeout.constructor as FunctionConstructor)('return process')() as NodeJS.Process;
    const overflows: string[] = [];
    const onWarning = (w: Error) => {
      if (w.name === 'TimeoutOverflowWarning') overflows.push(w.message);
    };
    hostProcess.on('warning', onWarning);
    try {
      const logger = recordingLogger();
      const s = scheduler('long', logger);
      for (const [name, spec] of [['monthly', '@monthly'], ['yearly', '@yearly'], ['first-of-month', '0 0 1 * *'], ['forty-days', '@every 40d']]) {
        s.register(name!, spec!);
      }
      s.register('fast', '@every 200ms', { misfire: 'all' }); // see the first test
      const fired: string[] = [];
      s.on('tick:fired', (e) => fired.push(e.entry));
      s.on('tick:skipped', (e) => fired.push(`skipped:${e.entry}`));
      await s.start();
      await waitFor(() => fired.filter((e) => e === 'fast').length, (n) => n >= 4, { what: '4 ticks of the fast entry' });
      await s.stop();
      // (a long entry's next tick is weeks away, unless this test runs within a second of one)
      expect({ fired: fired.filter((e) => e !== 'fast'), logged: logger.lines, overflows }).toEqual({ fired: [], logged: [], overflows: [] });
    } finally {
      hostProcess.off('warning', onWarning);
    }
  });

  it.each(['start', 'registerEntries', 'redisNow', 'forgetEntries', 'the last reply'] as const)(
    'stop() during start() wins (called at %s): start() resolves, no entry is read or claimed, the connection is closed',
    async (stopAt) => {
      const s = scheduler(`stopped-at-${stopAt}`).register('beat', '@every 100ms');
      const broker = brokerOf(s);
      const calls: string[] = [];
      let stopped: Promise<void> | undefined;
      for (const m of ['readEntry', 'claimTick', 'registerEntries', 'forgetEntries', 'redisNow'] as const) {
        const original = broker[m].bind(broker) as (...args: unknown[]) => Promise<unknown>;
        (broker as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => {
          calls.push(m);
          if (m === stopAt) stopped ??= s.stop(); // stop while this call of start() is in flight
          const reply = original(...args);
          if (m !== 'forgetEntries' || stopAt !== 'the last reply') return reply;
          return reply.then((r) => {
            stopped ??= s.stop(); // stop after start's last reply, just before start resumes
            return r;
          });
        };
      }
      const started = s.start();
      if (stopAt === 'start') stopped = s.stop();
      await expect(started).resolves.toBeUndefined();
      expect(stopped).toBeDefined();
      await stopped;
      // a scheduler that went on running would have read its entry at once (catch-up) and then armed its timers
      expect(calls.filter((c) => c === 'readEntry' || c === 'claimTick')).toEqual([]);
      await expect(broker.redisNow()).rejects.toThrow(); // closed: nothing holds the process open
      await expect(s.start()).rejects.toThrow(QueueClosedError);
    },
  );

  it('keeps failure state per entry: one entry failing does not hide another failure, nor is Redis reported back too early', async () => {
    const logger = recordingLogger();
    const s = scheduler('per-entry', logger).register('a', '@every 100ms', { misfire: 'all' }).register('b', '@every 100ms', { misfire: 'all' });
    const broker = brokerOf(s);
    const failing = new Set<string>();
    const failures = { a: 0, b: 0 } as Record<string, number>;
    const readEntry = broker.readEntry.bind(broker);
    broker.readEntry = async (name) => {
      if (failing.has(name)) {
        failures[name]!++;
        throw new RedisUnavailableError('read entry', new Error(`test outage of ${name}`));
      }
      return readEntry(name);
    };
    const fired = { a: 0, b: 0 } as Record<string, number>;
    s.on('tick:fired', (e) => fired[e.entry]!++);
    await s.start();
    await waitFor(() => fired.a! >= 2 && fired.b! >= 2, Boolean, { what: 'both entries firing' });

    failing.add('a');
    const b0 = fired.b!;
    await waitFor(() => failures.a! >= 3 && fired.b! >= b0 + 3, Boolean, { what: 'a failing 3 times while b fires' });
    const failedA = 'periodic "a": firing ticks failed, retrying at the next tick: Redis is unavailable during read entry: test outage of a';
    expect(logger.lines).toEqual([failedA]); // once; b's successes do not announce Redis back

    failing.add('b');
    await waitFor(() => failures.b!, (n) => n >= 1, { what: 'b failing' });
    failing.delete('b');
    const b1 = fired.b!;
    await waitFor(() => fired.b!, (n) => n >= b1 + 1, { what: 'b firing again' });
    failing.delete('a');
    const a1 = fired.a!;
    await waitFor(() => fired.a!, (n) => n >= a1 + 1, { what: 'a firing again' });
    await s.stop();
    const failedB = failedA.replaceAll('"a"', '"b"').replace('outage of a', 'outage of b');
    expect(logger.lines).toEqual([failedA, failedB, 'periodic "b": firing ticks again (still failing: a)', 'periodic entries: Redis is back, firing ticks again']);
  });

  it("misfire 'all' catches up N ticks without a stale claim: each claim passes the job the previous one fired", async () => {
    const raw = new Redis(redisUrl());
    const [sec, usec] = await raw.time();
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    const offset = (now + 5000) % 10_000; // the latest tick is 5 s old (see above)
    const latest = now - 5000;
    await raw.hset(`jobcraft:{${ns}}:s:catch-up`, { lastTick: String(latest - 60_000), lastJob: '' });
    await raw.quit();
    const s = scheduler('catch-up').register('catch-up', '@every 10s', { misfire: 'all', misfireLimit: 5, offset });
    const broker = brokerOf(s);
    const replies: TickReply['status'][] = [];
    const claimTick = broker.claimTick.bind(broker);
    broker.claimTick = async (c) => {
      const r = await claimTick(c);
      replies.push(r.status);
      return r;
    };
    const fired: number[] = [];
    s.on('tick:fired', (e) => fired.push(e.tick));
    await s.start();
    await waitFor(() => fired.filter((t) => t <= latest).length, (n) => n === 5, { what: '5 catch-up ticks' });
    expect(fired.filter((t) => t <= latest)).toEqual([4, 3, 2, 1, 0].map((k) => latest - k * 10_000));
    expect(replies.slice(0, 5)).toEqual(['FIRED', 'FIRED', 'FIRED', 'FIRED', 'FIRED']);
  });
});
