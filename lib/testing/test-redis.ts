import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { InvalidOptionsError } from '../core/errors.js';
import type { Duration } from '../core/spec/duration.js';
import { duration, int, object, text } from '../core/validation.js';

/** Options of {@link startTestRedis}. */
export interface TestRedisOptions {
  /** The port to listen on (default: a free one, picked again if another process takes it first). */
  port?: number;
  /** The server binary (default `redis-server`, looked up on PATH). */
  command?: string;
  /** How long the server may take to answer (default 10 s). */
  startTimeout?: Duration;
}

/** A throwaway `redis-server` started by {@link startTestRedis}. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>`: pass it as the `redis` option. */
  readonly url: string;
  /** The port it listens on (127.0.0.1 only). */
  readonly port: number;
  /** The server's process id. */
  readonly pid: number;
  /** Kills the server (SIGKILL: nothing is saved) and resolves once it is gone. Idempotent. */
  stop(): Promise<void>;
}

/** Attempts on fresh free ports before giving up, when another process takes the port first. */
const PORT_ATTEMPTS = 5;
/** Servers started and not stopped yet: killed when the process exits, so none outlives a test run. */
const live = new Set<ChildProcess>();
let exitHook = false;

/**
 * Starts a throwaway `redis-server` for a test: on 127.0.0.1, on a free port, with no persistence, and resolves
 * once that very server answers (not another one holding the port). Stop it with `stop()` (e.g. in `afterAll`);
 * one left running is killed when the process exits.
 *
 * @example
 * ```ts
 * const redis = await startTestRedis();
 * // QueueModule.forRoot({ redis: redis.url, namespace: 'test' }) ...
 * await redis.stop();
 * ```
 * @param options - `port`, `command`, `startTimeout`
 * @returns the running server
 * @throws `Error` if `redis-server` is not on PATH (saying how to install it), exits early, or does not answer in time
 * @throws `InvalidOptionsError` if an option is invalid
 */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const E = InvalidOptionsError;
  const o = object(options, 'startTestRedis', E, ['port', 'command', 'startTimeout']);
  const port = int(o.port, 'startTestRedis.port', E, { min: 1, max: 65_535 });
  const command = text(o.command, 'startTestRedis.command', E, { pattern: /^\P{Cc}+$/u, expected: 'a non-empty path', fallback: 'redis-server' });
  const timeoutMs = duration(o.startTimeout, 'startTestRedis.startTimeout', E, { allowZero: false, fallback: 10_000 });
  if (port !== undefined) return startOn(port, command, timeoutMs);
  // a free port can be taken by another process before redis-server binds it: try again on another one
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await freePort(), command, timeoutMs);
    } catch (err) {
      if (attempt >= PORT_ATTEMPTS || (err as { code?: unknown }).code === 'ENOENT') throw err;
    }
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The process id of the redis-server answering on `port`, or undefined if none answers. */
function serverPid(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    sock.setTimeout(500, () => {
      sock.destroy();
      resolve(undefined);
    });
    sock.on('error', () => resolve(undefined));
    sock.on('connect', () => sock.write('INFO server\r\n'));
    sock.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /process_id:(\d+)/.exec(buf);
      if (m || buf.startsWith('-')) {
        sock.destroy();
        resolve(m ? Number(m[1]) : undefined);
      }
    });
  });
}

function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}

async function startOn(port: number, command: string, timeoutMs: number): Promise<TestRedis> {
  const child = spawn(command, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', ''], {
    stdio: 'ignore',
  });
  let failure: Error | undefined;
  let exited = false;
  child.on('error', (err: NodeJS.ErrnoException) => {
    failure =
      err.code === 'ENOENT'
        ? Object.assign(
            new Error(
              `startTestRedis: "${command}" was not found on PATH. Install Redis 7 or later (Debian/Ubuntu: apt-get install redis-server; ` +
                `macOS: brew install redis), or pass { command: '/path/to/redis-server' }`,
              { cause: err },
            ),
            { code: 'ENOENT' },
          )
        : new Error(`startTestRedis: could not start "${command}": ${err.message}`, { cause: err });
  });
  child.on('exit', () => {
    exited = true;
    live.delete(child);
  });
  child.unref(); // never keeps the test process alive; stop() or the exit hook kills it
  live.add(child);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', killAll);
  }
  const deadline = Date.now() + timeoutMs;
  // wait until *our* server answers (another process may hold the port)
  while (child.pid === undefined || (await serverPid(port)) !== child.pid) {
    if (failure) throw failure;
    if (exited) throw new Error(`startTestRedis: ${command} exited before answering on port ${port} (port taken?)`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`startTestRedis: ${command} did not answer on port ${port} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const pid = child.pid;
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.ref(); // keep the caller alive until the server is reaped
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      })),
  };
}
