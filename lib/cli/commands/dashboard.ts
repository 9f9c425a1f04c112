import { InvalidArgumentError, Option, type Command } from 'commander';
import { startDashboardServer } from '../../dashboard/standalone-server.js';
import type { CliContext } from '../context.js';

/** Parses a TCP port (0 = any free one). */
function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535');
  return n;
}

/** Checks a `user:password` pair. */
function credentials(value: string): string {
  if (!/^[^:]+:.+$/.test(value)) throw new InvalidArgumentError('expected user:password');
  return value;
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on).off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on).on('SIGTERM', on);
  });
}

/**
 * Adds `dashboard`: the web dashboard of `QueueDashboardModule`, served without a Nest app until Ctrl-C or SIGTERM.
 * @param program - the root command
 * @param ctx - the run's context
 */
export function registerDashboardCommand(program: Command, ctx: CliContext): void {
  program
    .command('dashboard')
    .description('serve the web dashboard of this namespace (the UI of QueueDashboardModule) until Ctrl-C or SIGTERM')
    .addOption(new Option('--port <port>', 'TCP port (0 = any free one)').argParser(port).default(8080))
    .addOption(new Option('--host <host>', 'interface to listen on (0.0.0.0 for every one)').default('127.0.0.1'))
    .option('--read-only', 'show no action and refuse every change (403)')
    .addOption(new Option('--basic-auth <user:password>', 'require HTTP Basic auth with these credentials').env('JOBCRAFT_DASHBOARD_AUTH').argParser(credentials))
    .action(async (flags: { port: number; host: string; readOnly?: boolean; basicAuth?: string }) => {
      const stopped = stopSignal();
      const server = await startDashboardServer({
        inspector: ctx.inspector, port: flags.port, host: flags.host, readOnly: flags.readOnly === true, basicAuth: flags.basicAuth,
      });
      const notes = [flags.readOnly ? 'read-only' : '', flags.basicAuth ? 'basic auth' : ''].filter(Boolean);
      ctx.print(`jobcraft dashboard of namespace "${ctx.namespace}" at ${server.url}/${notes.length ? ` (${notes.join(', ')})` : ''}; Ctrl-C stops it`);
      await stopped;
      await server.close();
    });
}
