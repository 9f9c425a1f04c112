import { Scheduler, silentLogger, type PeriodicInfo, type TickRecord } from '../../lib/core/index.js';
import { redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { cliJson, cliTest } from './run-cli.js';

describe('jobcraft CLI: cron', () => {
  const t = cliTest();

  async function startScheduler(register: (s: Scheduler) => void): Promise<Scheduler> {
    const scheduler = new Scheduler({ redis: redisUrl(), namespace: t.ns, instanceId: 'cli-test', logger: silentLogger });
    register(scheduler);
    t.closers.push(() => scheduler.stop());
    await scheduler.start();
    return scheduler;
  }

  const entry = async (name: string): Promise<PeriodicInfo | undefined> => (await cliJson<PeriodicInfo[]>(t.cli, 'cron', 'ls')).find((e) => e.name === name);

  it('cron ls (and bare cron) lists the entries with spec, time zone, status and next tick', async () => {
    await startScheduler((s) => s.register('nightly', '0 3 * * *', { timeZone: 'Asia/Seoul' }).register('hourly', '@every 1h'));

    const entries = await cliJson<PeriodicInfo[]>(t.cli, 'cron', 'ls');
    expect(entries.map((e) => e.name).sort()).toEqual(['hourly', 'nightly']);
    expect(entries.find((e) => e.name === 'nightly')).toMatchObject({ spec: '0 3 * * *', timeZone: 'Asia/Seoul', paused: false });

    for (const args of [['cron'], ['cron', 'ls']]) {
      const r = await t.cli(...args);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^NAME +SPEC +TZ +STATUS +NEXT +LAST +LAST STATE +LAST JOB$/m);
      expect(r.stdout).toMatch(/^nightly +0 3 \* \* \* +Asia\/Seoul +active +in \S+/m);
      expect(r.stdout).toMatch(/^hourly +@every 1h +- +active +in \S+/m);
    }
  });

  it('cron history lists the recent ticks; cron pause records ticks as skipped until cron resume', async () => {
    await startScheduler((s) => s.register('beat', '@every 300ms'));

    const fired = await waitFor(() => cliJson<TickRecord[]>(t.cli, 'cron', 'history', 'beat'), (t) => t.some((r) => r.jobId !== undefined), { what: 'a fired tick' });
    const tick = fired.find((r) => r.jobId !== undefined)!;
    expect(tick).toMatchObject({ firedBy: 'cli-test', jobId: `tick:beat:${tick.tick}` });
    const human = await t.cli('cron', 'history', 'beat');
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toMatch(/^TICK +STATE +JOB +FIRED BY +LATE +REASON$/m);
    expect(human.stdout).toContain(`tick:beat:${tick.tick}`);

    expect(await t.cli('cron', 'pause', 'beat')).toEqual({ code: 0, stdout: 'paused periodic entry beat\n', stderr: '' });
    expect((await entry('beat'))?.paused).toBe(true);
    await waitFor(() => cliJson<TickRecord[]>(t.cli, 'cron', 'history', 'beat'), (t) => t[0]?.state === 'skipped' && t[0].reason === 'paused', {
      what: 'a tick skipped while paused',
    });
    expect((await t.cli('cron', 'ls')).stdout).toMatch(/^beat +@every 300ms +- +paused /m);

    expect(await cliJson<unknown>(t.cli, 'cron', 'resume', 'beat')).toEqual({ entry: 'beat', paused: false });
    expect((await entry('beat'))?.paused).toBe(false);
    await waitFor(() => cliJson<TickRecord[]>(t.cli, 'cron', 'history', 'beat'), (t) => t[0]?.jobId !== undefined, { what: 'a tick fired after resume' });
  });

  it('cron history of an unknown entry exits 1', async () => {
    expect(await t.cli('cron', 'history', 'nope')).toEqual({ code: 1, stdout: '', stderr: `jobcraft: no periodic entry named "nope" in namespace "${t.ns}"\n` });
    expect(await t.cli('--json', 'cron', 'history', 'nope')).toMatchObject({ code: 1, stdout: 'null\n' });
  });

  it("cron run enqueues the entry's job once and prints its id", async () => {
    await startScheduler((s) => s.register('report', '@every 1h', { args: { kind: 'daily' } }));

    const human = await t.cli('cron', 'run', 'report');
    expect(human).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\S+\n$/), stderr: '' });
    const id = human.stdout.trim();
    expect(await t.enqueuer.getJob(id)).toMatchObject({ name: 'report', args: { kind: 'daily' } });

    const again = await cliJson<string>(t.cli, 'cron', 'run', 'report');
    expect(await t.enqueuer.getJob(again)).toMatchObject({ name: 'report', args: { kind: 'daily' } });
  });
});
