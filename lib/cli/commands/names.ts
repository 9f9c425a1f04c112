import type { Command } from 'commander';
import type { NameInfo } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { shortDuration, table } from '../format.js';

/**
 * The job names as a table: counts by state, pause, age of the oldest queued job, and jobs processed and failed in
 * the last minute and hour.
 * @param names - what `Inspector.names()` returned
 */
export function namesTable(names: readonly NameInfo[]): string {
  const right = 'right' as const;
  return table(
    [
      { header: 'NAME' },
      { header: 'STATUS' },
      { header: 'QUEUED', align: right },
      { header: 'ACTIVE', align: right },
      { header: 'SCHEDULED', align: right },
      { header: 'RETRYING', align: right },
      { header: 'DEAD', align: right },
      { header: 'COMPLETED', align: right },
      { header: 'CANCELLED', align: right },
      { header: 'OLDEST', align: right },
      { header: 'DONE 1m/1h', align: right },
      { header: 'FAILED 1m/1h', align: right },
    ],
    names.map((n) => [
      n.name,
      n.paused ? 'paused' : 'running',
      String(n.counts.queued),
      String(n.counts.active),
      String(n.counts.scheduled),
      String(n.counts.retrying),
      String(n.counts.dead),
      String(n.counts.completed),
      String(n.counts.cancelled),
      n.oldestQueuedAgeMs === undefined ? '-' : shortDuration(n.oldestQueuedAgeMs),
      `${n.processed.lastMinute}/${n.processed.lastHour}`,
      `${n.failed.lastMinute}/${n.failed.lastHour}`,
    ]),
  );
}

/**
 * Adds `stats`, `pause <name>` and `resume <name>`.
 * @param program - the root command
 * @param ctx - the run's context
 */
export function registerNameCommands(program: Command, ctx: CliContext): void {
  program
    .command('stats')
    .description('list the job names with their counts by state, pause state and recent rates')
    .action(async () => {
      const names = await ctx.inspector.names();
      ctx.output(names, () => (names.length ? namesTable(names) : `no jobs in namespace "${ctx.namespace}"`));
    });

  for (const [command, paused, description] of [
    ['pause', true, 'stop every worker from starting jobs of a name (running ones finish; enqueue still works)'],
    ['resume', false, 'let workers start jobs of a name again'],
  ] as const) {
    program
      .command(command)
      .description(description)
      .argument('<name>', 'the job name')
      .action(async (name: string) => {
        await (paused ? ctx.inspector.pause(name) : ctx.inspector.resume(name));
        ctx.output({ name, paused }, () => `${command}d ${name}`);
      });
  }
}
