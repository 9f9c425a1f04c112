// A worker process SIGKILLed mid-job: its lease stops being renewed, a live worker's recoverer requeues the
// job (counting one failed attempt) and a live worker runs it again.
import { Enqueuer, silentLogger, type EnqueuedJob, type JobInfo } from '../../lib/core/index.js';
import type { Instance } from '../helpers/spawn-instance.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { Children, holdStarted, isEvent, pidOf, type Message } from './support.js';

describe('a worker process killed mid-job', () => {
  let ns: string;
  let enq: Enqueuer;
  const children = new Children();

  beforeEach(() => {
    ns = randomNamespace('multi-crash');
    enq = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
  });
  afterEach(async () => {
    await children.killAll();
    await enq.close();
  });

  it('has its job rerun on a live worker, which completes it as attempt 2 with the crash recorded as attempt 1', async () => {
    const workers = await children.workers(2, ns);
    const job = await enq.enqueue('hold', { order: 1 });

    const first = await holdStarted(workers, job.id, 1);
    const survivor = workers.find((w) => w !== first.instance)!;
    expect(await enq.getJob(job.id)).toMatchObject({ state: 'active', attempts: 1 });

    await first.instance.kill();
    const second = await holdStarted([survivor], job.id, 2);
    expect(second.pid).toBe(pidOf(survivor));
    expect(second.pid).not.toBe(first.pid);
    // the dead worker cannot recover its own job: the survivor's recoverer did
    await survivor.message(isEvent('job:recovered', job.id, { outcome: 'requeued' }));

    survivor.send({ type: 'release', id: job.id });
    const done = await enq.waitFor(job.id, { timeout: '20s' });
    expect(done).toMatchObject({
      state: 'completed',
      attempts: 2,
      result: { by: pidOf(survivor), attempt: 2 },
      error: { name: 'LeaseExpiredError', attempt: 1 },
    });
  });

  it('loses none of 20 jobs split across two workers when one is killed, and never runs a job on two live workers at once', async () => {
    const workers = await children.workers(2, ns, { CONCURRENCY: '5' });
    // every attempt start and every recorded completion, in the order the test process saw them
    let seq = 0;
    let killSeq = Infinity;
    const starts = new Map<string, { pid: number; attempt: number; seq: number }[]>();
    const completedBy = new Map<string, number[]>();
    for (const w of workers) {
      w.child.on('message', (raw) => {
        const m = raw as Message;
        if (m.type !== 'event') return;
        const id = m.id as string;
        if (m.event === 'job:active') {
          starts.set(id, [...(starts.get(id) ?? []), { pid: m.pid as number, attempt: m.attempt as number, seq: seq++ }]);
        } else if (m.event === 'job:completed') {
          completedBy.set(id, [...(completedBy.get(id) ?? []), m.pid as number]);
        }
      });
    }

    const specs = Array.from({ length: 20 }, (_, i) => ({ name: i % 2 === 0 ? 'hold' : 'echo', args: { i } }));
    const jobs = (await enq.enqueueMany(specs)) as EnqueuedJob[];
    expect(jobs.every((j) => typeof j.id === 'string')).toBe(true);
    const holdIds = jobs.filter((j) => j.name === 'hold').map((j) => j.id);

    // 10 slots (5 per worker) and 10 'hold' jobs that never finish on their own: once all have started,
    // each worker holds exactly 5 of them
    await waitFor(() => holdIds.filter((id) => starts.has(id)).length, (n) => n === holdIds.length, {
      timeout: 20_000, what: 'all hold jobs to start',
    });
    const [victim, survivor] = workers as [Instance, Instance];
    const heldBy = (pid: number) => holdIds.filter((id) => starts.get(id)![0]!.pid === pid).sort();
    const victimHeld = heldBy(pidOf(victim));
    expect(victimHeld).toHaveLength(5);
    expect(heldBy(pidOf(survivor))).toHaveLength(5);

    killSeq = seq; // the seq of the first start seen after the kill
    await victim.kill();
    // from now on the survivor finishes everything it starts, including the victim's jobs once recovered
    const release = (m: Message) => {
      if (m.type === 'started') survivor.send({ type: 'release', id: m.id });
    };
    survivor.messages.forEach(release);
    survivor.child.on('message', (m) => release(m as Message));

    const finished: JobInfo[] = await Promise.all(jobs.map((j) => enq.waitFor(j.id, { timeout: '30s' })));
    expect(finished.map((f) => f.state)).toEqual(jobs.map(() => 'completed'));
    const victimPid = pidOf(victim);
    const survivorPid = pidOf(survivor);
    // The records in Redis are the truth; the workers' IPC reports are what each process managed to send. The
    // victim's reports stop at the SIGKILL: a start or a completion it had already made in Redis may never have
    // been reported (it emits after Redis replies, and the kill can land between the two). The survivor lives, so
    // its reports are complete: wait for a job:completed report for each job it finished.
    const finishedBy = (info: JobInfo) => (info.result as { by: number }).by;
    const bySurvivor = finished.filter((f) => finishedBy(f) === survivorPid).map((f) => f.id);
    await waitFor(() => bySurvivor.filter((id) => !completedBy.has(id)).length, (n) => n === 0, {
      timeout: 10_000, what: 'a job:completed report for every job the survivor finished',
    });

    const rerun: string[] = [];
    const holdSet = new Set(holdIds);
    for (const info of finished) {
      const s = starts.get(info.id) ?? [];
      const onVictim = s.filter((x) => x.pid === victimPid);
      const onSurvivor = s.filter((x) => x.pid === survivorPid);
      expect(onVictim.length + onSurvivor.length).toBe(s.length);
      // each worker starts a job at most once: a job is never retried on the same worker, nor run twice at once
      expect(onVictim.length).toBeLessThanOrEqual(1);
      expect(onSurvivor.length).toBeLessThanOrEqual(1);
      // a completion that was recorded is never run again, and was reported by nobody else
      expect(completedBy.get(info.id) ?? [finishedBy(info)]).toEqual([finishedBy(info)]);
      if (finishedBy(info) === victimPid) {
        // finished by the victim before the kill: one attempt, never run again
        expect(holdSet.has(info.id)).toBe(false);
        expect(info.attempts).toBe(1);
        expect(onSurvivor).toEqual([]);
        for (const x of onVictim) expect(x.attempt).toBe(1);
        continue;
      }
      expect(finishedBy(info)).toBe(survivorPid);
      const last = onSurvivor[0];
      expect(last).toBeDefined();
      // the record agrees with the attempt the survivor ran last ('hold' returns its attempt, 'echo' its args)
      expect(info.attempts).toBe(last!.attempt);
      if (holdSet.has(info.id)) expect((info.result as { attempt: number }).attempt).toBe(last!.attempt);
      if (last!.attempt === 1) {
        expect(onVictim).toEqual([]);
      } else {
        // started by the victim first (its start may be unreported), then run again only after the kill, the
        // crash counting one attempt
        expect(last!.attempt).toBe(2);
        expect(last!.seq).toBeGreaterThanOrEqual(killSeq);
        for (const x of onVictim) expect(x.attempt).toBe(1);
        rerun.push(info.id);
      }
    }
    // every job the victim held runs again; besides those, only echo jobs the victim had started but whose
    // completion was not yet recorded when it was killed may run again: at-least-once
    expect(rerun).toEqual(expect.arrayContaining(victimHeld));
    for (const id of rerun.filter((r) => !victimHeld.includes(r))) expect(holdSet.has(id)).toBe(false);

    const redis = rawClient();
    try {
      const p = `jobcraft:{${ns}}:`;
      const leftovers = await Promise.all(['hold', 'echo'].flatMap((n) => [redis.llen(`${p}q:${n}`), redis.zcard(`${p}l:${n}`), redis.zcard(`${p}z:${n}`)]));
      expect(leftovers).toEqual([0, 0, 0, 0, 0, 0]);
    } finally {
      await redis.quit();
    }
  });

  it('goes dead after maxFails attempts when every worker that takes it is killed', async () => {
    const workers = await children.workers(3, ns);
    const job = await enq.enqueue('hold', null, { maxFails: 2 });

    const first = await holdStarted(workers, job.id, 1);
    await first.instance.kill();
    const rest = workers.filter((w) => w !== first.instance);
    const second = await holdStarted(rest, job.id, 2);
    expect(second.pid).not.toBe(first.pid);
    await second.instance.kill();
    const last = rest.find((w) => w !== second.instance)!;

    const dead = await enq.waitFor(job.id, { timeout: '20s' });
    expect(dead).toMatchObject({ state: 'dead', attempts: 2, error: { name: 'LeaseExpiredError', attempt: 2 } });
    expect(dead.result).toBeUndefined();
    // the last live worker buried it instead of running a third attempt
    await last.message(isEvent('job:recovered', job.id, { outcome: 'dead' }));
    expect(last.messages.filter((m) => m.type === 'started' && m.id === job.id)).toEqual([]);
    const redis = rawClient();
    try {
      expect(await redis.zscore(`jobcraft:{${ns}}:d:hold`, job.id)).not.toBeNull();
    } finally {
      await redis.quit();
    }
  });
});
