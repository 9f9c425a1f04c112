// A worker frozen mid-job (SIGSTOP: a GC pause, a blocked event loop, a suspended VM) past its lease: a live worker
// takes the job over and completes it; when the frozen one thaws and finishes too, its outcome is dropped and it
// reports job:lost for that attempt, never job:completed (an event means its outcome is in Redis).
import { Enqueuer, WorkerPool, silentLogger, type WorkerPoolEvents } from '../../lib/core/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { Children, holdStarted, isEvent, LEASE_MS, pidOf } from './support.js';

describe('a worker frozen past its lease', () => {
  let ns: string;
  let enq: Enqueuer;
  let survivor: WorkerPool | undefined;
  const children = new Children();
  beforeEach(() => {
    ns = randomNamespace('multi-frozen');
    enq = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
  });
  afterEach(async () => {
    await children.killAll();
    await survivor?.stop({ timeout: 1000 });
    await enq.close();
  });

  it('loses the job to a live worker and, once thawed, reports job:lost for attempt 1 and records nothing', async () => {
    const [frozen] = await children.workers(1, ns);
    const job = await enq.enqueue('hold', { n: 1 });
    await holdStarted([frozen!], job.id, 1);
    process.kill(pidOf(frozen!), 'SIGSTOP');

    survivor = new WorkerPool({ redis: redisUrl(), namespace: ns, lease: LEASE_MS, logger: silentLogger })
      .handle('hold', async (j) => ({ by: 'survivor', attempt: j.attempt }));
    const recovered: WorkerPoolEvents['job:recovered'][] = [];
    survivor.on('job:recovered', (e) => recovered.push(e));
    await survivor.start();
    expect(await enq.waitFor(job.id, { timeout: '20s' })).toMatchObject({ state: 'completed', attempts: 2, result: { by: 'survivor', attempt: 2 } });
    expect(recovered).toEqual([{ id: job.id, name: 'hold', outcome: 'requeued' }]);

    frozen!.send({ type: 'release', id: job.id }); // read once it thaws: the handler then returns at once
    process.kill(pidOf(frozen!), 'SIGCONT');
    const lost = await frozen!.message(isEvent('job:lost', job.id));
    expect(lost).toMatchObject({ attempt: 1 });
    // anything the thawed worker emits about the job comes before its next job's completion
    await survivor.stop({ timeout: 1000 }); // so the thawed worker runs the next job
    const next = await enq.enqueue('echo', { after: true });
    await frozen!.message(isEvent('job:completed', next.id));
    expect(frozen!.messages.filter(isEvent('job:completed', job.id))).toEqual([]);
    expect(frozen!.messages.filter(isEvent('job:lost', job.id))).toHaveLength(1);
    expect(await enq.getJob(job.id)).toMatchObject({ state: 'completed', result: { by: 'survivor', attempt: 2 } });
  });
});
