import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A child process running a TypeScript fixture, talking over IPC. */
export interface Instance {
  readonly child: ChildProcess;
  /** Messages received so far. */
  readonly messages: Record<string, unknown>[];
  /** Resolves with the first message (from now or already received) matching `filter`. */
  message(filter: (m: Record<string, unknown>) => boolean, timeout?: number): Promise<Record<string, unknown>>;
  send(message: Record<string, unknown>): void;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Forks `test/fixtures/<fixture>` with the swc loader (children do not see jest's transform), passing `env`,
 * and waits for its `{ type: 'ready' }` message.
 */
export async function spawnInstance(fixture: string, env: Record<string, string>, readyTimeout = 20_000): Promise<Instance> {
  const child = fork(join(root, 'test/fixtures', fixture), [], {
    cwd: root,
    execArgv: ['--import', '@swc-node/register/esm-register', '--disable-warning=ExperimentalWarning'],
    env: { ...process.env, ...env, SWC_NODE_PROJECT: join(root, 'tsconfig.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  child.on('message', (m) => {
    messages.push(m as Record<string, unknown>);
    listeners.forEach((l) => l());
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const message = (filter: (m: Record<string, unknown>) => boolean, timeout = 20_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = messages.find(filter);
        if (found) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`Timed out after ${timeout} ms waiting for a message from ${fixture} (pid ${child.pid}); got ${JSON.stringify(messages)}`));
      }, timeout);
      listeners.add(check);
      void exited.then(() => {
        if (listeners.has(check)) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`${fixture} (pid ${child.pid}) exited before sending the expected message; got ${JSON.stringify(messages)}`));
        }
      });
      check();
    });
  const instance: Instance = {
    child,
    messages,
    message,
    send: (m) => child.send(m),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    exited,
  };
  try {
    await message((m) => m.type === 'ready', readyTimeout);
  } catch (err) {
    // The caller never gets this child, so nobody else would stop it: left running, it fires ticks and claims
    // jobs under the rest of the run, and its IPC channel keeps jest from exiting.
    await instance.kill();
    throw err;
  }
  return instance;
}
