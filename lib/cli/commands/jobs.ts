import { Option, type Command } from 'commander';
import { JobNotFoundError, type JobInfo, type JobState } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { positiveInt, stateOption, usageError } from '../flags.js';
import { fields, relativeTime, table, timestamp, truncate } from '../format.js';

/** The most jobs one `jobs` page may ask for (the Inspector's bound). */
const MAX_LIMIT = 1000;

interface ListFlags {
  state: JobState;
  limit: number;
  search?: string;
  cursor?: string;
}

interface BulkFlags {
  all?: string;
  state?: JobState;
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

function jobsTable(jobs: readonly JobInfo[], now: number): string {
  return table(
    [{ header: 'ID' }, { header: 'ATTEMPTS', align: 'right' }, { header: 'ENQUEUED' }, { header: 'UPDATED' }, { header: 'ARGS' }, { header: 'ERROR' }],
    jobs.map((j) => {
      const updated = j.finishedAt ?? j.startedAt;
      return [
        j.id,
        String(j.attempts),
        relativeTime(j.enqueuedAt, now),
        updated === undefined ? '-' : relativeTime(updated, now),
        truncate(json(j.args), 40),
        j.error ? truncate(`${j.error.name}: ${j.error.message}`, 60) : '',
      ];
    }),
  );
}

function jobDetail(j: JobInfo, now: number): string {
  const at = (t: number | undefined) => (t === undefined ? undefined : timestamp(t, now));
  return fields([
    ['id', j.id],
    ['name', j.name],
    ['state', j.state],
    ['attempts', String(j.attempts)],
    ['args', json(j.args)],
    ['progress', j.progress === undefined ? undefined : json(j.progress)],
    ['result', j.result === undefined ? undefined : json(j.result)],
    ['error', j.error && `${j.error.name}: ${j.error.message} (attempt ${j.error.attempt})`],
    ['stack', j.error?.stack],
    ['enqueued', at(j.enqueuedAt)],
    ['started', at(j.startedAt)],
    ['finished', at(j.finishedAt)],
  ]);
}

/**
 * Applies an action to each id in turn. A `JobNotFoundError` is reported and the next id is tried (the run then
 * exits 1); other errors end the command. Prints `{ "<id>": true|false }` with `--json`, else one line per id.
 */
async function eachId(
  ctx: CliContext,
  ids: readonly string[],
  act: (id: string) => Promise<boolean>,
  done: string,
  noop: (id: string, state: string) => string,
): Promise<void> {
  const results = new Map<string, boolean>();
  for (const id of ids) {
    let moved: boolean;
    try {
      moved = await act(id);
    } catch (err) {
      if (!(err instanceof JobNotFoundError)) throw err;
      ctx.fail(err.message);
      continue;
    }
    results.set(id, moved);
    if (ctx.json) continue;
    if (moved) ctx.print(`${done} ${id}`);
    else ctx.print(noop(id, (await ctx.inspector.getJob(id, { args: false }))?.state ?? 'gone'));
  }
  // fromEntries, not assignment: an id such as "__proto__" stays a plain key
  if (ctx.json) ctx.printJson(Object.fromEntries(results));
}

/**
 * Parses `<id...> | --all <name> [--state s]`: exactly one of ids and `--all`, and `--state` only with `--all`.
 * @returns the ids, or the selector
 */
function target(command: Command, ids: string[], flags: BulkFlags): { ids: string[] } | { name: string; state?: JobState } {
  if (flags.all !== undefined && ids.length) usageError(command, 'give job ids or --all <name>, not both');
  if (flags.all !== undefined) return { name: flags.all, state: flags.state };
  if (!ids.length) usageError(command, 'give at least one job id, or --all <name>');
  if (flags.state !== undefined) usageError(command, '--state applies only with --all <name>');
  return { ids };
}

/**
 * Adds `jobs`, `job`, `retry`, `rm` and `cancel`.
 * @param program - the root command
 * @param ctx - the run's context
 */
export function registerJobCommands(program: Command, ctx: CliContext): void {
  program
    .command('jobs')
    .description('list the jobs of a name in a state, newest first, one page at a time')
    .argument('<name>', 'the job name')
    .addOption(stateOption('the state to list', 'dead'))
    .addOption(new Option('--limit <n>', `most jobs per page (1-${MAX_LIMIT})`).argParser(positiveInt(MAX_LIMIT)).default(20))
    .option('--search <text>', "keep jobs whose id, args JSON or error message contains this text (case-insensitive)")
    .option('--cursor <cursor>', 'go on from where the previous page stopped (its cursor)')
    .action(async (name: string, flags: ListFlags) => {
      const page = await ctx.inspector.jobs({ name, state: flags.state, limit: flags.limit, search: flags.search, cursor: flags.cursor });
      if (ctx.json) return ctx.printJson(page);
      ctx.print(page.jobs.length ? jobsTable(page.jobs, Date.now()) : `no ${flags.state} jobs of ${name}${flags.search === undefined ? '' : ' found'}`);
      if (page.cursor !== undefined) ctx.print(`more: add --cursor ${page.cursor}`);
    });

  program
    .command('job')
    .description('show a job: state, attempts, args, progress, result, last error and times')
    .argument('<id>', 'the job id')
    .action(async (id: string) => {
      const job = await ctx.inspector.getJob(id);
      if (ctx.json) ctx.printJson(job);
      else if (job) ctx.print(jobDetail(job, Date.now()));
      if (!job) ctx.fail(new JobNotFoundError(id).message);
    });

  program
    .command('retry')
    .description('run dead, retrying, scheduled or cancelled jobs again now (their failed attempts are kept)')
    .argument('[ids...]', 'the job ids')
    .option('--all <name>', 'retry every job of this name in --state instead')
    .addOption(stateOption('with --all: the state whose jobs to retry (default: dead)'))
    .action(async (ids: string[], flags: BulkFlags, command: Command) => {
      const t = target(command, ids, flags);
      if (!('ids' in t)) {
        const n = await ctx.inspector.retryAll(t);
        return ctx.output(n, () => `retried ${n} ${t.state ?? 'dead'} job(s) of ${t.name}`);
      }
      await eachId(ctx, t.ids, (id) => ctx.inspector.retry(id), 'retried', (id, state) => `${id}: already ${state} (no-op)`);
    });

  program
    .command('rm')
    .description('delete jobs that are not running (cancel an active job first)')
    .argument('[ids...]', 'the job ids')
    .option('--all <name>', 'delete every job of this name in --state instead')
    .addOption(stateOption('with --all: the state whose jobs to delete (default: dead)'))
    .action(async (ids: string[], flags: BulkFlags, command: Command) => {
      const t = target(command, ids, flags);
      if (!('ids' in t)) {
        const n = await ctx.inspector.removeAll(t);
        return ctx.output(n, () => `removed ${n} ${t.state ?? 'dead'} job(s) of ${t.name}`);
      }
      await eachId(ctx, t.ids, (id) => ctx.inspector.remove(id), 'removed', (id, state) => `${id}: ${state}, not removed (cancel it first)`);
    });

  program
    .command('cancel')
    .description('cancel jobs from any process: a waiting one leaves its queue, a running one is aborted')
    .argument('<ids...>', 'the job ids')
    .action(async (ids: string[]) => {
      await eachId(ctx, ids, (id) => ctx.inspector.cancel(id), 'cancelled', (id, state) => `${id}: already ${state} (no-op)`);
    });
}
