import { NonRetryableError, WorkerPool, silentLogger, type JobInfo } from '../../lib/core/index.js';
import { redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { cliJson, cliTest } from './run-cli.js';

/** What a JSON round trip makes of a value (undefined fields dropped), to compare with the CLI's output. */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('jobcraft CLI: jobs, job, retry, rm, cancel', () => {
  const t = cliTest();

  /** A pool whose `food` handler kills each job's first attempt and completes any later one. */
  async function startPool(): Promise<WorkerPool> {
    const pool = new WorkerPool({ redis: redisUrl(), namespace: t.ns, logger: silentLogger }).handle('food', async (job) => {
      if (job.attempt === 1) throw new NonRetryableError(`no ${(job.args as { food: string }).food} today`);
      return { served: true };
    });
    t.closers.push(() => pool.stop());
    await pool.start();
    return pool;
  }

  /** Enqueues two `food` jobs and waits until both are dead. */
  async function twoDeadJobs(): Promise<[string, string]> {
    const galbi = await t.enqueuer.enqueue('food', { food: 'GalbiTang' });
    const bibim = await t.enqueuer.enqueue('food', { food: 'Bibimbap' });
    for (const { id } of [galbi, bibim]) await waitFor(() => t.enqueuer.getJob(id), (j) => j?.state === 'dead', { what: `${id} dead` });
    return [galbi.id, bibim.id];
  }

  it('lists dead jobs, filtered by --search, as a table and as the Inspector page', async () => {
    await startPool();
    const [galbi, bibim] = await twoDeadJobs();

    const all = await t.cli('jobs', 'food', '--state', 'dead');
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(all.stdout).toMatch(/^ID +ATTEMPTS +ENQUEUED +UPDATED +ARGS +ERROR/);
    expect(all.stdout).toContain(galbi);
    expect(all.stdout).toContain(bibim);
    expect(all.stdout).toContain('NonRetryableError: no GalbiTang today');

    const found = await t.cli('jobs', 'food', '--state', 'dead', '--search', 'galbitang');
    expect(found.stdout).toContain(galbi);
    expect(found.stdout).not.toContain(bibim);

    const page = await cliJson<{ jobs: JobInfo[]; cursor?: string }>(t.cli, 'jobs', 'food', '--search', 'GALBI');
    expect(page.jobs.map((j) => j.id)).toEqual([galbi]);
    expect(page.jobs[0]).toMatchObject({ state: 'dead', args: { food: 'GalbiTang' }, error: { message: 'no GalbiTang today' } });

    expect(await t.cli('jobs', 'food', '--state', 'queued')).toEqual({ code: 0, stdout: 'no queued jobs of food\n', stderr: '' });
  });

  it('pages with --limit and --cursor until the listing is complete', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.enqueuer.enqueue('idle', { i })).id);
    const seen: string[] = [];
    let page = await cliJson<{ jobs: JobInfo[]; cursor?: string }>(t.cli, 'jobs', 'idle', '--state', 'queued', '--limit', '2');
    seen.push(...page.jobs.map((j) => j.id));
    expect(page.jobs.length).toBeLessThanOrEqual(2);
    while (page.cursor !== undefined) {
      const human = await t.cli('jobs', 'idle', '--state', 'queued', '--limit', '2', '--cursor', page.cursor);
      expect(human).toMatchObject({ code: 0, stderr: '' });
      page = await cliJson<{ jobs: JobInfo[]; cursor?: string }>(t.cli, 'jobs', 'idle', '--state', 'queued', '--limit', '2', '--cursor', page.cursor);
      seen.push(...page.jobs.map((j) => j.id));
    }
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it('shows one job in full, or exits 1 for an unknown id', async () => {
    await startPool();
    const [galbi] = await twoDeadJobs();

    const human = await t.cli('job', galbi);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toMatch(new RegExp(`^id: +${galbi}$`, 'm'));
    expect(human.stdout).toMatch(/^state: +dead$/m);
    expect(human.stdout).toMatch(/^args: +\{"food":"GalbiTang"\}$/m);
    expect(human.stdout).toMatch(/^error: +NonRetryableError: no GalbiTang today \(attempt 1\)$/m);
    expect(human.stdout).toMatch(/^enqueued: +\d{4}-\d\d-\d\dT.*Z \(.*\)$/m);

    expect(await cliJson<JobInfo>(t.cli, 'job', galbi)).toEqual(viaJson(await t.enqueuer.getJob(galbi)));

    const notFound = 'jobcraft: Job "no-such-job" does not exist or its record expired\n';
    expect(await t.cli('job', 'no-such-job')).toEqual({ code: 1, stdout: '', stderr: notFound });
    expect(await t.cli('--json', 'job', 'no-such-job')).toEqual({ code: 1, stdout: 'null\n', stderr: notFound });
  });

  it('retries a dead job, which a running pool then completes; an unknown id is reported and exits 1', async () => {
    await startPool();
    const [galbi, bibim] = await twoDeadJobs();

    expect(await t.cli('retry', galbi, 'no-such-job')).toEqual({
      code: 1,
      stdout: `retried ${galbi}\n`,
      stderr: 'jobcraft: Job "no-such-job" does not exist or its record expired\n',
    });
    await waitFor(() => t.enqueuer.getJob(galbi), (j) => j?.state === 'completed', { what: 'retried job completed' });

    expect(await t.cli('retry', galbi)).toEqual({ code: 0, stdout: `${galbi}: already completed (no-op)\n`, stderr: '' });

    expect(await cliJson<Record<string, boolean>>(t.cli, 'retry', bibim, galbi)).toEqual({ [bibim]: true, [galbi]: false });
    await waitFor(() => t.enqueuer.getJob(bibim), (j) => j?.state === 'completed', { what: 'second retried job completed' });
    expect(await t.enqueuer.getJob(bibim)).toMatchObject({ attempts: 2, result: { served: true } });
  });

  it('retries every dead job of a name with --all', async () => {
    const pool = await startPool();
    const [galbi, bibim] = await twoDeadJobs();
    await pool.stop();

    expect(await t.cli('retry', '--all', 'food')).toEqual({ code: 0, stdout: 'retried 2 dead job(s) of food\n', stderr: '' });
    for (const id of [galbi, bibim]) expect(await t.enqueuer.getJob(id)).toMatchObject({ state: 'queued' });
    expect(await cliJson<number>(t.cli, 'retry', '--all', 'food', '--state', 'dead')).toBe(0);
  });

  it('removes jobs by id and with --all, reporting each', async () => {
    const pool = await startPool();
    const [galbi, bibim] = await twoDeadJobs();
    await pool.stop();
    const queued = await t.enqueuer.enqueue('idle', {});

    expect(await t.cli('rm', galbi)).toEqual({ code: 0, stdout: `removed ${galbi}\n`, stderr: '' });
    expect(await t.enqueuer.getJob(galbi)).toBeNull();

    expect(await t.cli('--json', 'rm', galbi)).toEqual({ code: 1, stdout: '{}\n', stderr: `jobcraft: Job "${galbi}" does not exist or its record expired\n` });

    expect(await cliJson<number>(t.cli, 'rm', '--all', 'food')).toBe(1);
    expect(await t.enqueuer.getJob(bibim)).toBeNull();

    expect(await t.cli('rm', '--all', 'idle', '--state', 'queued')).toEqual({ code: 0, stdout: 'removed 1 queued job(s) of idle\n', stderr: '' });
    expect(await t.enqueuer.getJob(queued.id)).toBeNull();
  });

  it('cancels a queued job; cancelling it again is a no-op', async () => {
    const job = await t.enqueuer.enqueue('idle', { n: 1 });

    expect(await t.cli('cancel', job.id)).toEqual({ code: 0, stdout: `cancelled ${job.id}\n`, stderr: '' });
    expect(await t.enqueuer.getJob(job.id)).toMatchObject({ state: 'cancelled' });

    expect(await t.cli('cancel', job.id)).toEqual({ code: 0, stdout: `${job.id}: already cancelled (no-op)\n`, stderr: '' });
    expect(await cliJson<Record<string, boolean>>(t.cli, 'cancel', job.id)).toEqual({ [job.id]: false });

    expect(await t.cli('cancel', 'no-such-job')).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('"no-such-job" does not exist') });
  });
});
