// Each JobBroker transition on real Redis: what it answers, and what it leaves in Redis. Jobs are written by the
// real Enqueuer, claimed and started through the broker, so the records are the ones the worker pool sees.
import type { Redis } from 'ioredis';
import { Enqueuer } from '../../lib/core/enqueuer.js';
import { resolveConnectionOptions } from '../../lib/core/options.js';
import { JobBroker, type LeaseOutcome } from '../../lib/core/redis/job-broker.js';
import { openRedisContext, type RedisContext } from '../../lib/core/redis/redis-context.js';
import { leaseMember } from '../../lib/core/redis/wire.js';
import type { EnqueueOptions } from '../../lib/core/types.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

const NAME = 'mail';
const TOKEN = 'w1';
const RETENTION_MS = 60_000;
const ERROR_JSON = '{"name":"Error","message":"boom"}';
const RETRY_DELAY_MS = 30_000;

let ns: string;
let ctx: RedisContext;
let broker: JobBroker;
let enq: Enqueuer;
let raw: Redis;
let seq = 0;

beforeEach(() => {
  ns = randomNamespace('broker');
  ctx = openRedisContext(resolveConnectionOptions({ redis: redisUrl(), namespace: ns }, 'test'));
  broker = new JobBroker(ctx);
  enq = new Enqueuer({ redis: redisUrl(), namespace: ns });
  raw = rawClient();
});

afterEach(async () => {
  await enq.close();
  await ctx.conn.close();
  await raw.quit();
});

interface Running {
  id: string;
  member: string;
  /** Redis time of the claim (ms). */
  now: number;
}

/** Enqueues one job of NAME, claims it with `token` and starts it: a running job holding a lease. */
async function runningJob(options?: EnqueueOptions, { token = TOKEN, leaseMs = 60_000 } = {}): Promise<Running> {
  const { id } = await enq.enqueue(NAME, { i: ++seq }, options);
  const claim = await broker.claimJobs(token, leaseMs, 1, [{ name: NAME, room: 1, cap: 0 }]);
  expect(claim.names[0]!.ids).toEqual([id]);
  const [started] = await broker.startJobs([id], claim.now);
  expect(started).toMatchObject({ n: NAME });
  return { id, member: leaseMember(id, token), now: claim.now };
}

/** A running job whose lease (1 ms) has expired, as findExpired reports it. */
async function expiredJob(options?: EnqueueOptions): Promise<Running> {
  const job = await runningJob(options, { leaseMs: 1 });
  await waitFor(
    () => broker.findExpired([NAME], 100),
    (r) => r.names[0]!.expired.includes(job.member),
    { what: `the lease of ${job.id} to expire` },
  );
  return job;
}

/** Recovers expired jobs as the recoverer does: reads their unique keys first, then runs recover-jobs. */
async function recover(jobs: Running[], defaults = { maxFails: 5, retentionMs: RETENTION_MS }) {
  const uniqueKeys = await broker.readUniqueKeys(jobs.map((j) => j.id));
  return broker.recoverJobs(
    NAME,
    defaults,
    jobs.map((j, i) => (uniqueKeys[i] === undefined ? { member: j.member } : { member: j.member, uniqueKey: uniqueKeys[i] })),
  );
}

const jobKey = (id: string) => ctx.keys.job(id);
const record = (id: string) => raw.hgetall(jobKey(id));
const readyIds = () => raw.lrange(ctx.keys.ready(NAME), 0, -1);
const leaseScore = (member: string) => raw.zscore(ctx.keys.lease(NAME), member);

/** Every key of the namespace with its serialized value: equal snapshots mean nothing was written. */
async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of (await raw.keys(`jobcraft:{${ns}}:*`)).sort()) out[key] = (await raw.dumpBuffer(key))?.toString('hex') ?? '';
  return out;
}

interface Transition {
  label: string;
  /** Whether the call takes a batch (setProgress takes one job). */
  batch: boolean;
  /** Runs the transition on these lease members (each with its own unique key, if any). */
  run: (members: string[], uniqueKeys?: (string | undefined)[]) => Promise<LeaseOutcome[]>;
  /** Checks what the transition recorded for a job whose lease was held. */
  recorded: (job: Running) => Promise<void>;
  /** Checks that nothing outside the job's record was written for a lost job. */
  untouched: (id: string) => Promise<void>;
}

const unique = (keys: (string | undefined)[] | undefined, i: number) => (keys?.[i] === undefined ? {} : { uniqueKey: keys[i] });

const transitions: Transition[] = [
  {
    label: 'completeJobs',
    batch: true,
    run: (members, keys) =>
      broker.completeJobs(NAME, false, RETENTION_MS, members.map((member, i) => ({ member, result: '"sent"', retentionMs: RETENTION_MS, ...unique(keys, i) }))),
    recorded: async (job) => {
      expect(await record(job.id)).toMatchObject({ s: 'c', r: '"sent"', ft: expect.any(String) });
      const ttl = await raw.pttl(jobKey(job.id));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(RETENTION_MS);
      expect(await leaseScore(job.member)).toBeNull();
    },
    untouched: async () => {},
  },
  {
    label: 'retryJobs',
    batch: true,
    run: (members) => broker.retryJobs(NAME, members.map((member) => ({ member, error: ERROR_JSON, fails: 1, delayMs: RETRY_DELAY_MS }))),
    recorded: async (job) => {
      expect(await record(job.id)).toMatchObject({ s: 'r', e: ERROR_JSON, f: '1' });
      const due = await raw.zscore(ctx.keys.schedule(NAME), job.id);
      expect(Number(due)).toBeGreaterThanOrEqual(job.now + RETRY_DELAY_MS);
      expect(await leaseScore(job.member)).toBeNull();
    },
    untouched: async (id) => {
      expect(await raw.zscore(ctx.keys.schedule(NAME), id)).toBeNull();
    },
  },
  {
    label: 'buryJobs',
    batch: true,
    run: (members, keys) =>
      broker.buryJobs(NAME, members.map((member, i) => ({ member, error: ERROR_JSON, fails: 2, retentionMs: RETENTION_MS, ...unique(keys, i) }))),
    recorded: async (job) => {
      expect(await record(job.id)).toMatchObject({ s: 'd', e: ERROR_JSON, f: '2', ft: expect.any(String) });
      expect(await raw.zscore(ctx.keys.finished(NAME, 'd'), job.id)).not.toBeNull();
      expect(await raw.pttl(jobKey(job.id))).toBeGreaterThan(0);
      expect(await leaseScore(job.member)).toBeNull();
    },
    untouched: async (id) => {
      expect(await raw.zscore(ctx.keys.finished(NAME, 'd'), id)).toBeNull();
    },
  },
  {
    label: 'releaseJobs',
    batch: true,
    run: (members) => broker.releaseJobs(NAME, members),
    recorded: async (job) => {
      const rec = await record(job.id);
      expect(rec.s).toBe('q');
      expect(rec.f).toBeUndefined(); // a release is not a failed attempt
      expect(await readyIds()).toEqual([job.id]);
      expect(await leaseScore(job.member)).toBeNull();
    },
    untouched: async (id) => {
      expect(await readyIds()).not.toContain(id);
    },
  },
  {
    label: 'setProgress',
    batch: false,
    run: async ([member]) => [await broker.setProgress(NAME, member!, '{"pct":50}')],
    recorded: async (job) => {
      expect(await record(job.id)).toMatchObject({ s: 'a', p: '{"pct":50}' });
      expect(await leaseScore(job.member)).not.toBeNull(); // progress keeps the lease
    },
    untouched: async () => {},
  },
];

const transition = (label: string) => transitions.find((t) => t.label === label)!;

const losses: { how: string; lose: (job: Running) => Promise<string> }[] = [
  {
    how: 'its lease member was removed (recovered elsewhere)',
    lose: async (job) => {
      await raw.zrem(ctx.keys.lease(NAME), job.member);
      return job.member;
    },
  },
  { how: 'the lease is held under another token', lose: async (job) => leaseMember(job.id, 'w2') },
];

describe.each(transitions)('JobBroker.$label', (t) => {
  it('answers OK and records the outcome while the lease is held', async () => {
    const job = await runningJob();
    expect(await t.run([job.member])).toEqual(['OK']);
    await t.recorded(job);
  });

  it.each(losses)('answers LOST and writes nothing when $how', async ({ lose }) => {
    const job = await runningJob();
    const member = await lose(job);
    const before = await snapshot();
    expect(Object.keys(before)).toContain(jobKey(job.id));
    expect(await t.run([member])).toEqual(['LOST']);
    expect(await snapshot()).toEqual(before);
    await t.untouched(job.id);
  });
});

describe.each(transitions.filter((t) => t.batch))('JobBroker.$label on a batch', (t) => {
  it('answers per job: records the held one and writes nothing for the lost one', async () => {
    const lost = await runningJob();
    const held = await runningJob();
    await raw.zrem(ctx.keys.lease(NAME), lost.member);
    const lostRecord = await record(lost.id);
    expect(await t.run([lost.member, held.member])).toEqual(['LOST', 'OK']);
    await t.recorded(held);
    expect(await record(lost.id)).toEqual(lostRecord);
    await t.untouched(lost.id);
  });
});

describe('JobBroker.completeJobs retention', () => {
  it('deletes the record when the retention is 0', async () => {
    const job = await runningJob();
    expect(await broker.completeJobs(NAME, false, RETENTION_MS, [{ member: job.member, result: '1', retentionMs: 0 }])).toEqual(['OK']);
    expect(await raw.exists(jobKey(job.id))).toBe(0);
  });

  it("keeps the record for the job's own retention when it differs from the default", async () => {
    const job = await runningJob();
    expect(await broker.completeJobs(NAME, false, RETENTION_MS, [{ member: job.member, result: '1', retentionMs: 5_000 }])).toEqual(['OK']);
    const ttl = await raw.pttl(jobKey(job.id));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });
});

describe('JobBroker.releaseJobs', () => {
  it('hands the job back ahead of jobs queued after it was claimed', async () => {
    const job = await runningJob();
    const later = await enq.enqueue(NAME, { i: 'later' });
    expect(await broker.releaseJobs(NAME, [job.member])).toEqual(['OK']);
    const claim = await broker.claimJobs('w2', 60_000, 1, [{ name: NAME, room: 1, cap: 0 }]);
    expect(claim.names[0]!.ids).toEqual([job.id]);
    expect(await readyIds()).toEqual([later.id]);
  });

  it('only drops the lease of a job whose record already finished', async () => {
    const job = await runningJob();
    await raw.hset(jobKey(job.id), 's', 'c');
    expect(await broker.releaseJobs(NAME, [job.member])).toEqual(['OK']);
    expect((await record(job.id)).s).toBe('c');
    expect(await readyIds()).toEqual([]);
    expect(await leaseScore(job.member)).toBeNull();
  });
});

describe('JobBroker.startJobs', () => {
  const cases: { label: string; prepare: (id: string) => Promise<unknown>; check: (reply: unknown, id: string, now: number) => Promise<void> }[] = [
    {
      label: 'returns a live record and marks it active',
      prepare: async () => {},
      check: async (reply, id, now) => {
        expect(reply).toMatchObject({ n: NAME, a: expect.any(String), t: expect.any(String) });
        expect(await record(id)).toMatchObject({ n: NAME, s: 'a', st: String(now) });
      },
    },
    {
      label: 'returns null for a deleted record',
      prepare: (id) => raw.del(jobKey(id)),
      check: async (reply, id) => {
        expect(reply).toBeNull();
        expect(await raw.exists(jobKey(id))).toBe(0); // not recreated
      },
    },
    {
      label: "returns 'WRONGTYPE' for a key that is not a hash",
      prepare: (id) => raw.set(jobKey(id), 'garbage'),
      check: async (reply, id) => {
        expect(reply).toBe('WRONGTYPE');
        expect(await raw.get(jobKey(id))).toBe('garbage');
      },
    },
    {
      label: 'returns a finished record untouched',
      prepare: (id) => raw.hset(jobKey(id), 's', 'c', 'r', '"done"'),
      check: async (reply, id) => {
        expect(reply).toMatchObject({ n: NAME, s: 'c', r: '"done"' });
        const rec = await record(id);
        expect(rec.s).toBe('c');
        expect(rec.st).toBeUndefined();
      },
    },
  ];

  it.each(cases)('$label', async ({ prepare, check }) => {
    const { id } = await enq.enqueue(NAME, { i: 1 });
    const claim = await broker.claimJobs(TOKEN, 60_000, 1, [{ name: NAME, room: 1, cap: 0 }]);
    expect(claim.names[0]!.ids).toEqual([id]);
    await prepare(id);
    const [reply] = await broker.startJobs([id], claim.now);
    await check(reply, id, claim.now);
  });

  it('answers each job of a batch on its own', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await enq.enqueue(NAME, { i })).id);
    const claim = await broker.claimJobs(TOKEN, 60_000, 4, [{ name: NAME, room: 4, cap: 0 }]);
    expect(claim.names[0]!.ids).toEqual(ids);
    const [live, gone, wrong, done] = ids as [string, string, string, string];
    await raw.del(jobKey(gone));
    await raw.set(jobKey(wrong), 'garbage');
    await raw.hset(jobKey(done), 's', 'c');
    const reply = await broker.startJobs(ids, claim.now);
    expect(reply).toEqual([expect.objectContaining({ n: NAME }), null, 'WRONGTYPE', expect.objectContaining({ s: 'c' })]);
    expect((await record(live)).s).toBe('a');
  });
});

describe('JobBroker.recoverJobs', () => {
  it('requeues a job whose lease expired, counting one failed attempt', async () => {
    const job = await expiredJob();
    expect(await recover([job])).toEqual(['REQUEUED']);
    const rec = await record(job.id);
    expect(rec).toMatchObject({ s: 'q', f: '1' });
    expect(JSON.parse(rec.e!)).toMatchObject({ name: 'LeaseExpiredError', attempt: 1 });
    expect(await readyIds()).toEqual([job.id]);
    expect(await leaseScore(job.member)).toBeNull();
  });

  it.each([
    { label: 'the default maxFails', options: undefined, maxFails: 1 },
    { label: "the job's own maxFails", options: { maxFails: 1 }, maxFails: 5 },
  ])('buries a job on its last attempt by $label', async ({ options, maxFails }) => {
    const job = await expiredJob(options);
    expect(await recover([job], { maxFails, retentionMs: RETENTION_MS })).toEqual(['DEAD']);
    const rec = await record(job.id);
    expect(rec).toMatchObject({ s: 'd', f: '1' });
    expect(JSON.parse(rec.e!)).toMatchObject({ name: 'LeaseExpiredError' });
    expect(await raw.zscore(ctx.keys.finished(NAME, 'd'), job.id)).not.toBeNull();
    expect(await readyIds()).toEqual([]);
    expect(await leaseScore(job.member)).toBeNull();
  });

  it.each([
    { label: 'deleted', corrupt: (id: string) => raw.del(jobKey(id)) },
    { label: 'replaced by a string', corrupt: (id: string) => raw.set(jobKey(id), 'garbage') },
  ])('answers GONE and drops the lease when the record was $label', async ({ corrupt }) => {
    const job = await expiredJob();
    await corrupt(job.id);
    expect(await recover([job])).toEqual(['GONE']);
    expect(await leaseScore(job.member)).toBeNull();
    expect(await readyIds()).toEqual([]);
    expect(await raw.zscore(ctx.keys.finished(NAME, 'd'), job.id)).toBeNull();
  });

  it('skips a lease that has not expired, leaving job and lease as they were', async () => {
    const job = await runningJob();
    const before = await snapshot();
    expect(await recover([job])).toEqual(['SKIPPED']);
    expect(await snapshot()).toEqual(before);
  });

  it('skips a lease that is no longer there (already recovered)', async () => {
    const job = await expiredJob();
    expect(await recover([job])).toEqual(['REQUEUED']);
    const before = await snapshot();
    expect(await recover([job])).toEqual(['SKIPPED']);
    expect(await snapshot()).toEqual(before);
  });

  it('answers each job of a batch on its own', async () => {
    const expired = await expiredJob();
    const live = await runningJob();
    expect(await recover([expired, live])).toEqual(['REQUEUED', 'SKIPPED']);
    expect(await readyIds()).toEqual([expired.id]);
    expect(await leaseScore(live.member)).not.toBeNull();
  });
});

describe('unique keys', () => {
  const KEY = 'welcome-42';
  const uniqueKey = () => ctx.keys.unique(NAME, KEY);
  const holder = () => raw.get(uniqueKey());

  /** A running unique job, with the unique key its record names. */
  async function runningUnique(): Promise<Running & { uniqueKey: string }> {
    const job = await runningJob({ uniqueKey: KEY });
    const rec = await record(job.id);
    expect(rec.u).toBe(`jobcraft:{${ns}}:u:${NAME}:${KEY}`);
    expect(await holder()).toBe(job.id);
    return { ...job, uniqueKey: rec.u! };
  }

  it.each([
    { label: 'completed', finish: (j: Running & { uniqueKey: string }) => transition('completeJobs').run([j.member], [j.uniqueKey]) },
    { label: 'buried', finish: (j: Running & { uniqueKey: string }) => transition('buryJobs').run([j.member], [j.uniqueKey]) },
  ])('a unique job releases its key when $label', async ({ finish }) => {
    const job = await runningUnique();
    expect(await finish(job)).toEqual(['OK']);
    expect(await holder()).toBeNull();
    const next = await enq.enqueue(NAME, { i: 'next' }, { uniqueKey: KEY });
    expect(await holder()).toBe(next.id);
  });

  it('a unique job releases its key when recovered as DEAD', async () => {
    const job = await expiredUnique();
    expect(await recover([job], { maxFails: 1, retentionMs: RETENTION_MS })).toEqual(['DEAD']);
    expect(await holder()).toBeNull();
  });

  it('a unique job keeps its key when recovered as REQUEUED', async () => {
    const job = await expiredUnique();
    expect(await recover([job], { maxFails: 5, retentionMs: RETENTION_MS })).toEqual(['REQUEUED']);
    expect(await holder()).toBe(job.id);
  });

  it('a unique job keeps its key when its completion is LOST', async () => {
    const job = await runningUnique();
    await raw.zrem(ctx.keys.lease(NAME), job.member);
    expect(await transition('completeJobs').run([job.member], [job.uniqueKey])).toEqual(['LOST']);
    expect(await holder()).toBe(job.id);
  });

  /** A unique job whose 1 ms lease expired. */
  async function expiredUnique(): Promise<Running> {
    const job = await expiredJob({ uniqueKey: KEY });
    expect(await holder()).toBe(job.id);
    return job;
  }
});

describe('a job key that is not a hash where a script writes (replaced while leased)', () => {
  /** What each script leaves in place of the string: a fresh record with its fields, or (release) the key as it was. */
  const after: Record<string, { type: string; fields?: Record<string, string> }> = {
    completeJobs: { type: 'hash', fields: { s: 'c', r: '"sent"' } },
    retryJobs: { type: 'hash', fields: { s: 'r', e: ERROR_JSON } },
    buryJobs: { type: 'hash', fields: { s: 'd', e: ERROR_JSON } },
    releaseJobs: { type: 'string' },
    setProgress: { type: 'hash', fields: { p: '{"pct":50}' } },
  };

  it.each(transitions)('$label answers OK without a script error', async (t) => {
    const job = await runningJob();
    await raw.set(jobKey(job.id), 'garbage');
    await expect(t.run([job.member])).resolves.toEqual(['OK']);
    const { type, fields } = after[t.label]!;
    expect(await raw.type(jobKey(job.id))).toBe(type);
    if (fields) expect(await record(job.id)).toMatchObject(fields);
  });

  it.each(transitions.filter((t) => t.batch))('$label still records the healthy job after a corrupt one in the same batch', async (t) => {
    const corrupt = await runningJob();
    const healthy = await runningJob();
    await raw.set(jobKey(corrupt.id), 'garbage');
    await expect(t.run([corrupt.member, healthy.member])).resolves.toEqual(['OK', 'OK']);
    await t.recorded(healthy);
  });
});
