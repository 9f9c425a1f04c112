import type { Command } from 'commander';
import type { WorkerInfo } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { relativeTime, table, truncate } from '../format.js';

/**
 * The live worker pools as a table: where each runs, how busy it is, what it handles, and its age.
 * @param workers - what `Inspector.workers()` returned
 * @param now - the current time (ms), for relative times
 */
export function workersTable(workers: readonly WorkerInfo[], now: number): string {
  return table(
    [{ header: 'ID' }, { header: 'HOST' }, { header: 'PID', align: 'right' }, { header: 'BUSY', align: 'right' }, { header: 'NAMES' }, { header: 'STARTED' }, { header: 'SEEN' }],
    workers.map((w) => [
      w.id,
      w.host,
      String(w.pid),
      `${w.active.length}/${w.concurrency}`,
      truncate(w.names.join(','), 50),
      relativeTime(w.startedAt, now),
      relativeTime(w.lastSeenAt, now),
    ]),
  );
}

/** The jobs the pools run now, one line each, or an empty string when none runs. */
function activeJobs(workers: readonly WorkerInfo[], now: number): string {
  const rows = workers.flatMap((w) => w.active.map((a) => [w.id, a.name, a.id, relativeTime(a.startedAt, now)]));
  return rows.length ? table([{ header: 'WORKER' }, { header: 'NAME' }, { header: 'JOB' }, { header: 'STARTED' }], rows) : '';
}

/**
 * Adds `workers`.
 * @param program - the root command
 * @param ctx - the run's context
 */
export function registerWorkerCommands(program: Command, ctx: CliContext): void {
  program
    .command('workers')
    .description('list the live worker pools and the jobs they run')
    .action(async () => {
      const workers = await ctx.inspector.workers();
      if (ctx.json) return ctx.printJson(workers);
      if (!workers.length) return ctx.print(`no live workers in namespace "${ctx.namespace}"`);
      const now = Date.now();
      const active = activeJobs(workers, now);
      ctx.print(active ? `${workersTable(workers, now)}\n\n${active}` : workersTable(workers, now));
    });
}
