import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { usageError } from '../flags.js';
import { namesTable } from './names.js';
import { workersTable } from './workers.js';

/** Time between frames. */
const REFRESH_MS = 1000;
/** Clears the screen and moves the cursor home. */
const CLEAR = '\x1b[2J\x1b[H';
/** Ctrl-C as raw-mode stdin delivers it. */
const CTRL_C = '\u0003';

/**
 * TEST-ONLY: `JOBCRAFT_TOP_FRAMES=<n>` makes `top` render n frames and exit 0, so tests can run it without a
 * terminal. Not a user-facing setting.
 */
const FRAMES_ENV = 'JOBCRAFT_TOP_FRAMES';

/** A way to stop the loop: `quit` settles on `q`, Ctrl-C or SIGINT; `dispose` restores the terminal. */
interface QuitKeys {
  quit: Promise<void>;
  dispose(): void;
}

/** Listens for `q` and Ctrl-C (raw mode, only when stdin is a terminal) and for SIGINT. */
function quitKeys(): QuitKeys {
  let resolve!: () => void;
  const quit = new Promise<void>((r) => (resolve = r));
  const onSignal = () => resolve();
  const onData = (data: Buffer) => {
    const key = data.toString('utf8');
    if (key === 'q' || key === 'Q' || key === CTRL_C) resolve();
  };
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  process.once('SIGINT', onSignal);
  if (tty) {
    stdin.setRawMode(true);
    stdin.on('data', onData).resume();
  }
  return {
    quit,
    dispose: () => {
      process.off('SIGINT', onSignal);
      if (tty) {
        stdin.off('data', onData).pause();
        stdin.setRawMode(false);
      }
    },
  };
}

/** Resolves after `ms`, or at once when `stop` settles; leaves no timer behind either way. */
async function pause(ms: number, stop: Promise<void>): Promise<'quit' | 'tick'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([stop.then(() => 'quit' as const), new Promise<'tick'>((r) => (timer = setTimeout(() => r('tick'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** One screen: the header, the names table and the workers table (or the error that prevented reading them). */
async function frame(ctx: CliContext): Promise<{ text: string; ok: boolean }> {
  const now = Date.now();
  const header = `jobcraft top  namespace ${ctx.namespace}  ${new Date(now).toISOString()}  (q or Ctrl-C to quit)`;
  try {
    const [names, workers] = await Promise.all([ctx.inspector.names(), ctx.inspector.workers()]);
    const namesPart = names.length ? namesTable(names) : 'no jobs yet';
    const workersPart = workers.length ? workersTable(workers, now) : 'no live workers';
    return { text: `${header}\n\n${namesPart}\n\nWORKERS (${workers.length})\n${workersPart}\n`, ok: true };
  } catch (err) {
    return { text: `${header}\n\n${err instanceof Error ? err.message : String(err)}\n`, ok: false };
  }
}

/**
 * Adds `top`: a live view refreshed every second until `q` or Ctrl-C.
 * @param program - the root command
 * @param ctx - the run's context
 */
export function registerTopCommand(program: Command, ctx: CliContext): void {
  program
    .command('top')
    .description('live view of job names (counts, pause, processed and failed in the last minute) and workers; q or Ctrl-C quits')
    .action(async (_flags: object, command: Command) => {
      if (ctx.json) usageError(command, 'top has no --json output; use stats --json or workers --json');
      const raw = process.env[FRAMES_ENV];
      const frames = raw === undefined ? Infinity : Number(raw);
      if (!Number.isSafeInteger(frames) && frames !== Infinity) usageError(command, `${FRAMES_ENV} must be a whole number`);
      const screen = process.stdout.isTTY === true;
      const keys = quitKeys();
      let ok = true;
      try {
        for (let i = 0; i < frames; i++) {
          const f = await frame(ctx);
          ok = f.ok;
          ctx.write(screen ? `${CLEAR}${f.text}` : `${f.text}\n`);
          if (i + 1 < frames && (await pause(REFRESH_MS, keys.quit)) === 'quit') break;
        }
      } finally {
        keys.dispose();
      }
      // a failed last frame (Redis gone) makes the exit status say so
      if (!ok) ctx.fail('the last refresh failed');
    });
}
