// Shared plumbing of the multi-process specs: spawning worker children and waiting on their IPC messages.
import { spawnInstance, type Instance } from '../helpers/spawn-instance.js';
import { redisUrl } from '../helpers/redis.js';

/** A message a fixture sent over IPC. */
export type Message = Record<string, unknown>;

/** Lease used by every multi-process worker: short, so a killed worker's jobs come back quickly, yet long enough
 *  that a live worker starved of CPU by the rest of the suite (2 cores) still renews it in time. */
export const LEASE_MS = 2000;

/** Children started by a spec; `killAll` in afterEach SIGKILLs whatever is still running. */
export class Children {
  private readonly all: Instance[] = [];

  /** Starts `n` worker children (test/fixtures/worker.ts) on `namespace`, one after the other. */
  async workers(n: number, namespace: string, env: Record<string, string> = {}): Promise<Instance[]> {
    return this.spawn('worker.ts', n, { NAMESPACE: namespace, LEASE: String(LEASE_MS), ...env });
  }

  /**
   * Starts `n` children of any fixture one after the other, each tracked for cleanup as soon as it is ready.
   * Not in parallel: each child compiles the library through swc as it starts, and five doing so at once on a
   * busy 2-core machine took more than the 20 s ready deadline (a stress run); one at a time, a child's start
   * costs the same whatever `n` is.
   */
  async spawn(fixture: string, n: number, env: Record<string, string>): Promise<Instance[]> {
    const out: Instance[] = [];
    for (let i = 0; i < n; i++) {
      const instance = await spawnInstance(fixture, { REDIS_URL: redisUrl(), ...env });
      this.all.push(instance);
      out.push(instance);
    }
    return out;
  }

  /** SIGKILLs every child still running and waits until each is gone. */
  async killAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map((c) => c.kill()));
  }
}

/** The pid of a child. */
export function pidOf(instance: Instance): number {
  return instance.child.pid!;
}

/**
 * Resolves with the first instance (and its message) among `instances` that sent a message matching `filter`,
 * already received or arriving before the deadline. Unlike racing `instance.message`, it leaves no pending
 * promise behind to reject later.
 */
export function firstMessage(
  instances: readonly Instance[],
  filter: (m: Message) => boolean,
  { timeout = 20_000, what = 'a message' }: { timeout?: number; what?: string } = {},
): Promise<{ instance: Instance; message: Message }> {
  return new Promise((resolve, reject) => {
    const listeners: [Instance, (m: unknown) => void][] = [];
    const cleanup = () => {
      clearTimeout(timer);
      for (const [inst, l] of listeners) inst.child.off('message', l);
    };
    const timer = setTimeout(() => {
      cleanup();
      const got = instances.map((i) => `${pidOf(i)}: ${JSON.stringify(i.messages)}`).join('\n');
      reject(new Error(`Timed out after ${timeout} ms waiting for ${what}; messages so far:\n${got}`));
    }, timeout);
    for (const instance of instances) {
      const message = instance.messages.find(filter);
      if (message) {
        cleanup();
        resolve({ instance, message });
        return;
      }
    }
    for (const instance of instances) {
      const l = (m: unknown) => {
        if (!filter(m as Message)) return;
        cleanup();
        resolve({ instance, message: m as Message });
      };
      listeners.push([instance, l]);
      instance.child.on('message', l);
    }
  });
}

/** Waits for the instance among `instances` that starts attempt `attempt` of the 'hold' job `id`. */
export async function holdStarted(
  instances: readonly Instance[],
  id: string,
  attempt: number,
): Promise<{ instance: Instance; pid: number }> {
  const { instance, message } = await firstMessage(
    instances,
    (m) => m.type === 'started' && m.id === id && m.attempt === attempt,
    { what: `attempt ${attempt} of job ${id} to start` },
  );
  return { instance, pid: message.pid as number };
}

/** Matches a forwarded pool event of a job. */
export function isEvent(event: string, id: string, extra: Message = {}): (m: Message) => boolean {
  return (m) => m.type === 'event' && m.event === event && m.id === id && Object.entries(extra).every(([k, v]) => m[k] === v);
}

/** Resolves with `promise`, or rejects once `timeout` ms passed without it settling. */
export function withDeadline<T>(promise: Promise<T>, timeout: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Timed out after ${timeout} ms waiting for ${what}`)), timeout))),
  ]).finally(() => clearTimeout(timer));
}
