import { InvalidOptionsError } from '../core/errors.js';
import { contextOf, type RedisContext } from '../core/redis/redis-context.js';
import type { JobRuntime } from '../core/runtime.js';
import { describe } from '../core/validation.js';
import { WorkerPool } from '../core/worker-pool.js';
import { JOB_RUNTIME } from '../nest/tokens.js';

/**
 * A Nest application or testing module (`INestApplicationContext`, `TestingModule`, `INestApplication`), as far as
 * the testing kit needs it: something that can `get` a provider. Typed structurally, so `jobcraft/testing` needs no
 * Nest installed.
 */
export interface NestAppLike {
  /** Nest's `app.get(token)`. */
  get(token: symbol): unknown;
}

/** What `drain` accepts: a Nest app that imports `QueueModule.forRoot`/`forRootAsync`, a core runtime, or a pool. */
export type DrainTarget = NestAppLike | JobRuntime | WorkerPool;

function isRuntime(value: object): value is JobRuntime {
  return 'pool' in value && value.pool instanceof WorkerPool && 'inspector' in value;
}

/**
 * The core runtime a Nest app hosts.
 * @param app - the app
 * @param where - the helper's name, for messages
 * @throws `InvalidOptionsError` if the app has no runtime (no `QueueModule.forRoot`, or `forTest`)
 * @internal
 */
export function runtimeOfApp(app: NestAppLike, where: string): JobRuntime {
  let runtime: unknown;
  try {
    runtime = app.get(JOB_RUNTIME);
  } catch {
    runtime = undefined;
  }
  if (runtime === null || typeof runtime !== 'object' || !isRuntime(runtime)) {
    throw new InvalidOptionsError(
      `${where}: this Nest app has no jobcraft runtime. Import QueueModule.forRoot() or forRootAsync() ` +
        `(QueueModule.forTest() runs nothing in Redis: run its jobs with FakeEnqueuer.runAll())`,
    );
  }
  return runtime;
}

/**
 * The runtime behind a Nest app, or the runtime itself.
 * @internal
 */
export function resolveRuntime(target: unknown, where: string): JobRuntime {
  if (target !== null && typeof target === 'object') {
    if (isRuntime(target)) return target;
    if (typeof (target as Partial<NestAppLike>).get === 'function') return runtimeOfApp(target as NestAppLike, where);
  }
  throw new InvalidOptionsError(`${where}: expected a Nest app (or TestingModule) or a JobRuntime, got ${describe(target)}`);
}

/**
 * The Redis context (connections, namespace keys) behind a Nest app, a runtime or a worker pool.
 * @internal
 */
export function resolveContext(target: unknown, where: string): RedisContext {
  const pool = target instanceof WorkerPool ? target : resolvePool(target, where);
  const ctx = contextOf(pool);
  if (!ctx) throw new InvalidOptionsError(`${where}: this WorkerPool was not created by jobcraft/core`);
  return ctx;
}

function resolvePool(target: unknown, where: string): WorkerPool {
  try {
    return resolveRuntime(target, where).pool;
  } catch (err) {
    if (target !== null && typeof target === 'object' && typeof (target as Partial<NestAppLike>).get === 'function') throw err;
    throw new InvalidOptionsError(`${where}: expected a Nest app (or TestingModule), a JobRuntime or a WorkerPool, got ${describe(target)}`);
  }
}
