// Results live in Redis, not in the worker: any process can read or wait for them, even after the worker that
// produced them has exited, until their retention runs out.
import { Enqueuer, JobNotFoundError, silentLogger, type JobInfo } from '../../lib/core/index.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { Children, holdStarted, isEvent, pidOf } from './support.js';

describe('job results read from another process', () => {
  let ns: string;
  let enq: Enqueuer;
  const children = new Children();
  const closers: Enqueuer[] = [];

  beforeEach(() => {
    ns = randomNamespace('multi-results');
    enq = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
  });
  afterEach(async () => {
    await children.killAll();
    for (const e of closers.splice(0)) await e.close();
    await enq.close();
  });

  it('reads a result recorded by a worker process that has since exited, with getJob and waitFor', async () => {
    const [worker] = await children.workers(1, ns);
    const job = await enq.enqueue('echo', { task: 1, food: 'GalbiTang' });
    await worker!.message(isEvent('job:completed', job.id));
    worker!.send({ type: 'stop', timeout: 1000 });
    expect(await worker!.exited).toBe(0);

    const reader = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    closers.push(reader);
    const info = await reader.getJob(job.id);
    expect(info).toMatchObject({
      id: job.id,
      name: 'echo',
      state: 'completed',
      attempts: 1,
      args: { task: 1, food: 'GalbiTang' },
      result: { by: pidOf(worker!), args: { task: 1, food: 'GalbiTang' } },
    });
    expect(info!.error).toBeUndefined();
    expect(typeof info!.finishedAt).toBe('number');
    expect(await reader.waitFor(job.id, { timeout: '5s' })).toEqual(info);
  });

  it('resolves a waitFor started before any worker existed once a worker process completes the job', async () => {
    const job = await enq.enqueue('echo', { n: 2 });
    const waiting = enq.waitFor(job.id, { timeout: '30s' });
    waiting.catch(() => {}); // awaited below; keeps a failure before that from going unhandled
    expect((await enq.getJob(job.id))?.state).toBe('queued');

    const [worker] = await children.workers(1, ns);
    const done = await waiting;
    expect(done).toMatchObject({ state: 'completed', attempts: 1, result: { by: pidOf(worker!), args: { n: 2 } } });
  });

  it('resolves waitFor in a third process when a worker process completes the job', async () => {
    const [worker] = await children.workers(1, ns);
    const job = await enq.enqueue('hold', { n: 3 });
    await holdStarted([worker!], job.id, 1);
    const [waiter] = await children.spawn('waiter.ts', 1, { NAMESPACE: ns, JOB_ID: job.id });
    expect(waiter!.messages.find((m) => m.type === 'ready')).toMatchObject({ state: 'active' });

    worker!.send({ type: 'release', id: job.id });
    const { info } = (await waiter!.message((m) => m.type === 'finished' || m.type === 'failed')) as { info?: JobInfo };
    expect(info).toMatchObject({ id: job.id, state: 'completed', attempts: 1, result: { by: pidOf(worker!), attempt: 1 } });
    expect(await waiter!.exited).toBe(0);
  });

  it('keeps a record with a short retention only that long, while a default-retention record stays', async () => {
    const [worker] = await children.workers(1, ns);
    const kept = await enq.enqueue('echo', { keep: true });
    const short = await enq.enqueue('hold', { keep: false }, { retention: 300 });
    expect(await enq.waitFor(kept.id, { timeout: '20s' })).toMatchObject({ state: 'completed' });
    await holdStarted([worker!], short.id, 1);

    worker!.send({ type: 'release', id: short.id });
    // The worker reports the completion once Redis has recorded it. The result is taken from that report, not
    // read back: 300 ms is too short to be sure this test process (sharing 2 cores with the suite) reads the
    // record before it expires. What is checked in Redis is the expiry itself.
    expect(await worker!.message(isEvent('job:completed', short.id))).toMatchObject({ result: { by: pidOf(worker!), attempt: 1 } });
    const raw = rawClient();
    try {
      const ttl = await raw.pttl(`jobcraft:{${ns}}:j:${short.id}`);
      expect(ttl === -2 || (ttl > 0 && ttl <= 300)).toBe(true); // gone already, or going within its retention
    } finally {
      await raw.quit();
    }
    await waitFor(() => enq.getJob(short.id), (info) => info === null, { timeout: 10_000, what: 'the short-retention record to expire' });
    expect(await enq.getJob(kept.id)).toMatchObject({ state: 'completed', result: { by: pidOf(worker!), args: { keep: true } } });
  });

  it('leaves nothing to read for a job finished with retention 0, so waitFor rejects with JobNotFoundError', async () => {
    const [worker] = await children.workers(1, ns);
    const job = await enq.enqueue('hold', null, { retention: 0 });
    await holdStarted([worker!], job.id, 1);
    const waiting = enq.waitFor(job.id, { timeout: '20s' });
    waiting.catch(() => {}); // awaited below
    worker!.send({ type: 'release', id: job.id });

    await worker!.message(isEvent('job:completed', job.id));
    await expect(waiting).rejects.toBeInstanceOf(JobNotFoundError);
    expect(await enq.getJob(job.id)).toBeNull();
    const redis = rawClient();
    try {
      expect(await redis.exists(`jobcraft:{${ns}}:j:${job.id}`)).toBe(0);
    } finally {
      await redis.quit();
    }
  });
});
