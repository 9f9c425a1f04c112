import { Enqueuer, silentLogger } from '../../lib/core/index.js';
import { freePort } from '../helpers/free-port.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { cliFor, cliJson, runCli } from './run-cli.js';

describe('jobcraft CLI: usage, exit codes and enqueue', () => {
  let ns: string;
  let enqueuer: Enqueuer;
  beforeEach(() => {
    ns = randomNamespace('cli');
    enqueuer = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
  });
  afterEach(() => enqueuer.close());

  it('documents every command and global flag in --help, and each command flag in <command> --help (exit 0)', async () => {
    const [root, jobs, retry, enqueue, cron] = await Promise.all([
      runCli(['--help']),
      runCli(['jobs', '--help']),
      runCli(['retry', '--help']),
      runCli(['enqueue', '--help']),
      runCli(['cron', '--help']),
    ]);
    for (const r of [root, jobs, retry, enqueue, cron]) expect(r.code).toBe(0);
    for (const cmd of ['stats', 'jobs', 'job', 'retry', 'rm', 'cancel', 'pause', 'resume', 'workers', 'cron', 'enqueue', 'top']) {
      expect(root.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    }
    for (const flag of ['--redis', 'REDIS_URL', '--namespace', 'JOBCRAFT_NAMESPACE', '--json', 'Exit status']) expect(root.stdout).toContain(flag);
    for (const flag of ['--state', '--limit', '--search', '--cursor']) expect(jobs.stdout).toContain(flag);
    for (const flag of ['--all', '--state']) expect(retry.stdout).toContain(flag);
    for (const flag of ['--delay', '--id']) expect(enqueue.stdout).toContain(flag);
    for (const sub of ['ls', 'run', 'pause', 'resume', 'history']) expect(cron.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
  });

  it.each([
    ['an unknown command', ['bogus'], /unknown command 'bogus'/],
    ['an unknown flag', ['stats', '--bogus'], /unknown option '--bogus'/],
    ['a missing argument', ['job'], /missing required argument 'id'/],
    ['an invalid --state', ['jobs', 'food', '--state', 'nope'], /Allowed choices are scheduled, queued/],
    ['an invalid --limit', ['jobs', 'food', '--limit', '0'], /--limit.*expected a whole number from 1 to 1000/],
    ['retry with neither ids nor --all', ['retry'], /give at least one job id, or --all <name>/],
    ['rm with both ids and --all', ['rm', 'a', '--all', 'food'], /not both/],
    ['--state with ids', ['retry', 'a', '--state', 'dead'], /--state applies only with --all/],
    ['invalid JSON for enqueue', ['enqueue', 'food', '{task:'], /<json> is not valid JSON/],
    ['an invalid --delay (InvalidJobError)', ['enqueue', 'food', '{}', '--delay', 'soon'], /options\.delay/],
    ['an invalid --namespace (InvalidOptionsError)', ['--namespace', 'no spaces', 'stats'], /namespace must be/],
    ['top with --json', ['top', '--json'], /top has no --json output/],
  ])('exits 2 with a usage hint on stderr for %s', async (_what, args, message) => {
    const r = await runCli(args, { JOBCRAFT_NAMESPACE: ns });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('--help');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('exits 1 with the error on stderr when Redis cannot be reached', async () => {
    const r = await runCli(['--redis', `redis://127.0.0.1:${await freePort()}`, 'enqueue', 'food', '{}']);
    expect(r.stderr).toMatch(/Redis is unavailable/);
    expect(r.code).toBe(1);
  });

  it('enqueues a job with --id and --delay, printing its id (human) or the enqueued job (--json)', async () => {
    const cli = cliFor(ns, redisUrl());
    const human = await cli('enqueue', 'food', '{"task":1,"food":"GalbiTang"}', '--id', 'order-42', '--delay', '1h');
    expect(human.stdout).toMatch(/^enqueued order-42 \(runs in (59m|1h)\)\n$/);
    expect(human.code).toBe(0);
    const delayed = await enqueuer.getJob('order-42');
    expect(delayed).toMatchObject({ name: 'food', args: { task: 1, food: 'GalbiTang' }, state: 'scheduled' });

    const job = await cliJson<{ id: string; name: string; args: unknown; enqueuedAt: number }>(cli, 'enqueue', 'food', '[1,2]', '--delay', '5000');
    expect(job).toMatchObject({ name: 'food', args: [1, 2] });
    expect(await enqueuer.getJob(job.id)).toMatchObject({ id: job.id, state: 'scheduled', args: [1, 2] });

    const now = await cliJson<{ id: string }>(cli, 'enqueue', 'food', 'null');
    expect(await enqueuer.getJob(now.id)).toMatchObject({ state: 'queued', args: null });
  });

  it('exits 1 when the --id is held by a live job, leaving that job as it was', async () => {
    await enqueuer.enqueue('food', { n: 1 }, { id: 'taken' });
    const r = await runCli(['enqueue', 'food', '{"n":2}', '--id', 'taken'], { JOBCRAFT_NAMESPACE: ns });
    expect(r.stderr).toMatch(/A live job with id "taken" already exists/);
    expect(r.code).toBe(1);
    expect(await enqueuer.getJob('taken')).toMatchObject({ args: { n: 1 } });
  });
});
