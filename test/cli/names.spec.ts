import { hostname } from 'node:os';
import { WorkerPool, silentLogger, type NameInfo, type WorkerInfo } from '../../lib/core/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { cliJson, cliTest, runCli } from './run-cli.js';

describe('jobcraft CLI: stats, pause, resume, workers, top', () => {
  const t = cliTest();

  async function startPool(): Promise<WorkerPool> {
    const pool = new WorkerPool({ redis: redisUrl(), namespace: t.ns, logger: silentLogger, concurrency: 3 }).handle('food', async () => ({ ok: true }));
    t.closers.push(() => pool.stop());
    await pool.start();
    return pool;
  }

  it('stats lists each name with its counts, and pause/resume show in it', async () => {
    await t.enqueuer.enqueue('food', { n: 1 });
    await t.enqueuer.enqueue('food', { n: 2 });
    await t.enqueuer.enqueue('report', {});

    const names = await cliJson<NameInfo[]>(t.cli, 'stats');
    expect(names.find((n) => n.name === 'food')).toMatchObject({ counts: { queued: 2, dead: 0 }, paused: false });
    expect(names.find((n) => n.name === 'report')).toMatchObject({ counts: { queued: 1 } });

    expect(await t.cli('pause', 'food')).toEqual({ code: 0, stdout: 'paused food\n', stderr: '' });
    const human = await t.cli('stats');
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toMatch(/^NAME +STATUS +QUEUED +ACTIVE +SCHEDULED +RETRYING +DEAD +COMPLETED +CANCELLED +OLDEST/);
    expect(human.stdout).toMatch(/^food +paused +2 +0 +0 +0 +0 +0 +0 +\S+ +0\/0 +0\/0$/m);
    expect(human.stdout).toMatch(/^report +running +1 /m);

    expect(await cliJson<unknown>(t.cli, 'resume', 'food')).toEqual({ name: 'food', paused: false });
    expect((await cliJson<NameInfo[]>(t.cli, 'stats')).find((n) => n.name === 'food')?.paused).toBe(false);
    expect(await cliJson<unknown>(t.cli, 'pause', 'report')).toEqual({ name: 'report', paused: true });
    expect((await cliJson<NameInfo[]>(t.cli, 'stats')).find((n) => n.name === 'report')?.paused).toBe(true);
  });

  it('a paused name is not picked up until resumed', async () => {
    expect(await t.cli('pause', 'food')).toEqual({ code: 0, stdout: 'paused food\n', stderr: '' });
    const job = await t.enqueuer.enqueue('food', {});
    await startPool();
    // the pool is running and idle: the job stays queued while the name is paused (checked via the CLI's listing)
    const listed = await cliJson<{ jobs: { id: string }[] }>(t.cli, 'jobs', 'food', '--state', 'queued');
    expect(listed.jobs.map((j) => j.id)).toEqual([job.id]);
    expect(await t.cli('resume', 'food')).toEqual({ code: 0, stdout: 'resumed food\n', stderr: '' });
    await waitFor(() => t.enqueuer.getJob(job.id), (j) => j?.state === 'completed', { what: 'job completed after resume' });
  });

  it('workers lists a running pool with its host, pid, names and concurrency', async () => {
    await startPool();
    const workers = await waitFor(() => cliJson<WorkerInfo[]>(t.cli, 'workers'), (w) => w.length === 1, { what: 'one live worker' });
    expect(workers[0]).toMatchObject({ host: hostname(), pid: process.pid, names: ['food'], concurrency: 3, active: [] });

    const human = await t.cli('workers');
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toMatch(/^ID +HOST +PID +BUSY +NAMES +STARTED +SEEN$/m);
    expect(human.stdout).toMatch(new RegExp(`^${workers[0]!.id} +${hostname()} +${process.pid} +0/3 +food `, 'm'));

    const other = randomNamespace('cli');
    expect(await runCli(['--namespace', other, 'workers'])).toEqual({ code: 0, stdout: `no live workers in namespace "${other}"\n`, stderr: '' });
  });

  it('top renders the requested frames (JOBCRAFT_TOP_FRAMES) with names and workers, then exits 0', async () => {
    await t.enqueuer.enqueue('food', {});
    await startPool();
    await waitFor(() => cliJson<WorkerInfo[]>(t.cli, 'workers'), (w) => w.length === 1, { what: 'one live worker' });

    const r = await runCli(['top'], { JOBCRAFT_NAMESPACE: t.ns, JOBCRAFT_TOP_FRAMES: '2' });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.match(/^jobcraft top +namespace /gm)).toHaveLength(2);
    expect(r.stdout.match(/^NAME +STATUS +QUEUED/gm)).toHaveLength(2);
    expect(r.stdout.match(/^WORKERS \(1\)$/gm)).toHaveLength(2);
    expect(r.stdout).toMatch(/^food +running /m);
    expect(r.stdout).toContain(String(process.pid));
  });
});
