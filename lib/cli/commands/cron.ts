import type { Command } from 'commander';
import type { PeriodicInfo, TickRecord } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { relativeTime, shortDuration, table, timestamp } from '../format.js';

function entriesTable(entries: readonly PeriodicInfo[], now: number): string {
  return table(
    [{ header: 'NAME' }, { header: 'SPEC' }, { header: 'TZ' }, { header: 'STATUS' }, { header: 'NEXT' }, { header: 'LAST' }, { header: 'LAST STATE' }, { header: 'LAST JOB' }],
    entries.map((e) => {
      const last = e.recent[0];
      return [
        e.name,
        e.spec,
        e.timeZone ?? '-',
        e.paused ? 'paused' : 'active',
        e.nextTick === undefined ? '-' : relativeTime(e.nextTick, now),
        last ? relativeTime(last.tick, now) : '-',
        last ? last.state : '-',
        last?.jobId ?? '-',
      ];
    }),
  );
}

function ticksTable(ticks: readonly TickRecord[], now: number): string {
  return table(
    [{ header: 'TICK' }, { header: 'STATE' }, { header: 'JOB' }, { header: 'FIRED BY' }, { header: 'LATE', align: 'right' }, { header: 'REASON' }],
    ticks.map((t) => [
      timestamp(t.tick, now),
      t.state,
      t.jobId ?? '-',
      t.firedBy,
      t.lateMs === undefined ? '-' : `${t.lateMs < 0 ? '-' : ''}${shortDuration(t.lateMs)}`,
      t.reason ?? '',
    ]),
  );
}

/**
 * Adds `cron [ls]`, `cron run|pause|resume <entry>` and `cron history <entry>`.
 * @param program - the root command
 * @param ctx - the run's context
 */
export function registerCronCommands(program: Command, ctx: CliContext): void {
  const cron = program.command('cron').description('see and steer periodic entries (default: ls)');

  cron
    .command('ls', { isDefault: true })
    .description('list the periodic entries: spec, pause state, next tick and last tick')
    .action(async () => {
      const entries = await ctx.inspector.periodic();
      if (ctx.json) ctx.printJson(entries);
      else ctx.print(entries.length ? entriesTable(entries, Date.now()) : `no periodic entries in namespace "${ctx.namespace}"`);
    });

  cron
    .command('history')
    .description("list an entry's recent ticks, newest first: fired (with the job's state now) or skipped (and why)")
    .argument('<entry>', 'the entry name')
    .action(async (name: string) => {
      const entry = (await ctx.inspector.periodic()).find((e) => e.name === name);
      if (ctx.json) ctx.printJson(entry ? entry.recent : null);
      else if (entry) ctx.print(entry.recent.length ? ticksTable(entry.recent, Date.now()) : `no ticks of ${name} recorded yet`);
      if (!entry) ctx.fail(`no periodic entry named "${name}" in namespace "${ctx.namespace}"`);
    });

  cron
    .command('run')
    .description("run an entry's job now, once (not a tick: the schedule is unchanged); prints the job id")
    .argument('<entry>', 'the entry name')
    .action(async (name: string) => {
      const id = await ctx.inspector.triggerPeriodic(name);
      ctx.output(id, () => id);
    });

  for (const [command, paused, description] of [
    ['pause', true, 'pause an entry: its ticks fire nothing and are recorded as skipped'],
    ['resume', false, 'resume a paused entry'],
  ] as const) {
    cron
      .command(command)
      .description(description)
      .argument('<entry>', 'the entry name')
      .action(async (name: string) => {
        await (paused ? ctx.inspector.pausePeriodic(name) : ctx.inspector.resumePeriodic(name));
        ctx.output({ entry: name, paused }, () => `${command}d periodic entry ${name}`);
      });
  }
}
