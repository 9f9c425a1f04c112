// Operating a running deployment from another process: a cancel reaches the worker process running the job, a pause
// holds across worker processes, and the workers list follows processes that start and die.
import { Enqueuer, Inspector, silentLogger } from '../../lib/core/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { Children, holdStarted, isEvent, LEASE_MS, pidOf } from './support.js';

describe('operating worker processes from another process', () => {
  let ns: string;
  let enq: Enqueuer;
  let inspector: Inspector;
  const children = new Children();
  beforeEach(() => {
    ns = randomNamespace('multi-operate');
    enq = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    inspector = new Inspector({ redis: redisUrl(), namespace: ns, logger: silentLogger });
  });
  afterEach(async () => {
    await children.killAll();
    await enq.close();
    await inspector.close();
  });

  it('cancels a job running in another process: its handler sees the abort and nothing it returns is recorded', async () => {
    const [worker] = await children.workers(1, ns);
    const job = await enq.enqueue('hold', { n: 1 });
    await holdStarted([worker!], job.id, 1);
    expect(await inspector.cancel(job.id)).toBe(true);
    // the worker's 'hold' handler returns once its signal aborts; the pool reports the cancel, not a completion
    expect(await worker!.message(isEvent('job:cancelled', job.id))).toMatchObject({ attempt: 1 });
    expect(await enq.waitFor(job.id, { timeout: '10s' })).toMatchObject({ state: 'cancelled', error: { name: 'JobCancelledError' } });
    const next = await enq.enqueue('echo', { after: true });
    await worker!.message(isEvent('job:completed', next.id));
    expect(worker!.messages.filter(isEvent('job:completed', job.id))).toEqual([]);
    expect((await enq.getJob(job.id))!.result).toBeUndefined();
  });

  it('holds a paused name across worker processes, and resumes it', async () => {
    await inspector.pause('echo');
    const workers = await children.workers(2, ns);
    const jobs = await Promise.all([1, 2, 3].map((n) => enq.enqueue('echo', { n })));
    // both workers are idle and blocked for work, and a job of another name still runs: pickup of 'echo' is paused
    const probe = await enq.enqueue('hold', null);
    const { instance } = await holdStarted(workers, probe.id, 1);
    instance.send({ type: 'release', id: probe.id });
    await enq.waitFor(probe.id, { timeout: '10s' });
    for (const w of workers) expect(w.messages.filter((m) => m.type === 'event' && m.event === 'job:active' && m.id !== probe.id)).toEqual([]);
    expect((await inspector.names()).find((n) => n.name === 'echo')).toMatchObject({ paused: true, counts: { queued: 3 } });
    await inspector.resume('echo');
    const done = await Promise.all(jobs.map((j) => enq.waitFor(j.id, { timeout: '10s' })));
    expect(done.map((d) => d.state)).toEqual(['completed', 'completed', 'completed']);
  });

  it('lists a worker process while it runs and drops it within two leases after SIGKILL', async () => {
    const [a, b] = await children.workers(2, ns);
    const listed = await waitFor(() => inspector.workers(), (w) => w.length === 2, { what: 'two workers listed' });
    expect(listed.map((w) => w.pid).sort()).toEqual([pidOf(a!), pidOf(b!)].sort());
    expect(listed[0]!.names).toEqual(expect.arrayContaining(['hold', 'echo']));
    await a!.kill();
    const left = await waitFor(() => inspector.workers(), (w) => w.length === 1, { what: 'the killed worker to leave the list', timeout: 4 * LEASE_MS + 5000 });
    expect(left[0]!.pid).toBe(pidOf(b!));
  });
});
