#!/usr/bin/env node
/**
 * The `jobcraft` command: an operator's view of a namespace (job names, jobs, workers, periodic entries) and its
 * actions (retry, rm, cancel, pause, enqueue), over the core `Inspector` and `Enqueuer`.
 * Exit status: 0 success, 1 a failed action (unknown job, Redis unavailable), 2 bad usage.
 * @packageDocumentation
 */
import { Command, CommanderError, Option } from 'commander';
import { registerCronCommands } from './commands/cron.js';
import { registerDashboardCommand } from './commands/dashboard.js';
import { registerEnqueueCommand } from './commands/enqueue.js';
import { registerJobCommands } from './commands/jobs.js';
import { registerNameCommands } from './commands/names.js';
import { registerTopCommand } from './commands/top.js';
import { registerWorkerCommands } from './commands/workers.js';
import { CliContext, EXIT_USAGE, type GlobalOptions } from './context.js';

/** After the clients are closed, the process is given this long to exit on its own before it is made to. */
const EXIT_GRACE_MS = 1000;

function createProgram(ctx: CliContext): Command {
  const program = new Command('jobcraft')
    .description('Inspect and steer jobcraft jobs, workers and periodic entries in one Redis namespace.')
    .addOption(new Option('--redis <url>', 'Redis URL').env('REDIS_URL').default('redis://127.0.0.1:6379'))
    .addOption(new Option('--namespace <ns>', 'key namespace').env('JOBCRAFT_NAMESPACE').default('default'))
    .option('--json', 'print one JSON document (what the core API returns) instead of text')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.streams.stdout.write(s),
      writeErr: (s) => ctx.streams.stderr.write(s),
    })
    // commander reports usage errors by throwing CommanderError (handled in run) instead of exiting
    .exitOverride();
  registerNameCommands(program, ctx);
  registerJobCommands(program, ctx);
  registerWorkerCommands(program, ctx);
  registerCronCommands(program, ctx);
  registerEnqueueCommand(program, ctx);
  registerTopCommand(program, ctx);
  registerDashboardCommand(program, ctx);
  program.addHelpText(
    'after',
    '\nExit status: 0 success, 1 a failed action (unknown job, Redis unavailable), 2 bad usage.\nRun "jobcraft <command> --help" for a command\'s flags.',
  );
  return program;
}

/**
 * Parses the arguments, runs the command, closes the clients it opened.
 * @param argv - the process arguments (`process.argv`)
 * @returns the exit status
 */
async function run(argv: readonly string[]): Promise<number> {
  const ctx = new CliContext(() => program.opts<GlobalOptions>());
  const program = createProgram(ctx);
  try {
    await program.parseAsync(argv);
    return ctx.exitCode;
  } catch (err) {
    // commander has already printed its message (and the hint); help and --version exit 0
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    return ctx.abort(err);
  } finally {
    await ctx.close();
  }
}

void run(process.argv).then((code) => {
  process.exitCode = code;
  // Everything is closed, so the process exits now; should a stray handle linger, it still exits, a little later.
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
});
