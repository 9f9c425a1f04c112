import type { Command } from 'commander';
import type { Duration, EnqueueOptions, JsonValue } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { usageError } from '../flags.js';
import { relativeTime } from '../format.js';

interface EnqueueFlags {
  delay?: string;
  id?: string;
}

/** A duration flag: whole digits are milliseconds, anything else goes to the library as text ('5s', '1h30m'). */
function duration(value: string): Duration {
  return /^\d+$/.test(value) ? Number(value) : value;
}

/**
 * Adds `enqueue <name> <json>`.
 * @param program - the root command
 * @param ctx - the run's context
 */
export function registerEnqueueCommand(program: Command, ctx: CliContext): void {
  program
    .command('enqueue')
    .description('add a job; prints its id')
    .argument('<name>', 'the job name')
    .argument('<json>', "the job's args as JSON, e.g. '{\"task\":1}' (or null)")
    .option('--delay <duration>', "run it after this long: milliseconds, or '1.5s', '5m', '1h30m'")
    .option('--id <id>', 'a custom job id (refused while a live job holds it)')
    .action(async (name: string, text: string, flags: EnqueueFlags, command: Command) => {
      let args: JsonValue;
      try {
        args = JSON.parse(text) as JsonValue;
      } catch (err) {
        usageError(command, `<json> is not valid JSON: ${(err as Error).message}`);
      }
      const options: EnqueueOptions = {};
      if (flags.delay !== undefined) options.delay = duration(flags.delay);
      if (flags.id !== undefined) options.id = flags.id;
      const job = await ctx.enqueuer.enqueue(name, args, options);
      if (ctx.json) return ctx.printJson(job);
      ctx.print(job.runAt === undefined ? `enqueued ${job.id}` : `enqueued ${job.id} (runs ${relativeTime(job.runAt, Date.now())})`);
    });
}
