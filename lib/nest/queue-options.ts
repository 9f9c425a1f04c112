import { InvalidOptionsError } from '../core/errors.js';
import { resolveWorkerPoolOptions, type WorkerPoolOptions } from '../core/options.js';
import { describe, toMs, type Duration } from '../core/spec/duration.js';

/** Options of `QueueModule.forRoot` / `forRootAsync`. */
export interface QueueModuleOptions extends WorkerPoolOptions {
  /**
   * Run this process's `@JobHandler` / `@Periodic` handlers (default true). Set false on instances that should
   * only enqueue (e.g. an API tier sharing modules with the workers).
   */
  workers?: boolean;
  /** Fire this process's `@Periodic` ticks (default true). Any instance can fire any tick; each fires once. */
  scheduler?: boolean;
  /** On shutdown, how long running jobs may finish before they are handed back to the queue (default 10 s). */
  shutdownTimeout?: Duration;
  /** This instance's name in the scheduler's `lastBy` (default: `<hostname>:<pid>`). */
  instanceId?: string;
}

/** Validated module options. @internal */
export interface ResolvedQueueOptions {
  /** The pool's options as given (validated), for the core constructors. */
  raw: WorkerPoolOptions;
  workers: boolean;
  scheduler: boolean;
  shutdownTimeoutMs: number;
  instanceId?: string;
}

const KNOWN = new Set([
  'redis', 'namespace', 'logger', 'commandTimeout', 'concurrency', 'lease', 'retention', 'maxFails',
  'workers', 'scheduler', 'shutdownTimeout', 'instanceId',
]);

/**
 * Validates the module options once, at startup.
 * @param input - what `forRoot` got or the async factory returned
 * @returns the validated options
 * @throws {@link InvalidOptionsError} naming the bad field (`QueueModule.<field>`)
 * @internal
 */
export function resolveQueueOptions(input: unknown): ResolvedQueueOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidOptionsError(`QueueModule options must be an object, got ${describe(input)}`);
  }
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k === 'isGlobal') continue; // the module builder's extra
    if (!KNOWN.has(k)) throw new InvalidOptionsError(`QueueModule: unknown option "${k}"`);
  }
  const flag = (field: string): boolean => {
    const v = o[field];
    if (v !== undefined && typeof v !== 'boolean') throw new InvalidOptionsError(`QueueModule.${field} must be a boolean, got ${describe(v)}`);
    return v !== false;
  };
  if (o.instanceId !== undefined && (typeof o.instanceId !== 'string' || o.instanceId === '')) {
    throw new InvalidOptionsError(`QueueModule.instanceId must be a non-empty string, got ${describe(o.instanceId)}`);
  }
  const { workers: _w, scheduler: _s, shutdownTimeout: _t, instanceId: _i, isGlobal: _g, ...raw } = o;
  resolveWorkerPoolOptions(raw, 'QueueModule'); // validates, naming fields QueueModule.<field>
  return {
    raw: raw as WorkerPoolOptions,
    workers: flag('workers'),
    scheduler: flag('scheduler'),
    shutdownTimeoutMs: o.shutdownTimeout === undefined ? 10_000 : toMs(o.shutdownTimeout as Duration, 'QueueModule.shutdownTimeout'),
    instanceId: o.instanceId as string | undefined,
  };
}
