import { DuplicateHandlerError, InvalidOptionsError } from './errors.js';
import { positiveInt } from './options.js';
import { describe, toMs } from './spec/duration.js';
import type { BackoffFunction, BackoffSpec, HandleOptions, Handler, Job, JsonValue, Middleware } from './types.js';
import { validateBackoff, validateJobName } from './validate.js';

/** A registered handler with its validated options. @internal */
export interface HandlerEntry {
  name: string;
  run: (job: Job) => Promise<unknown>;
  maxFails?: number;
  cap: number;
  timeoutMs?: number;
  backoff?: BackoffSpec | BackoffFunction;
  retentionMs?: number;
}

/** Validated handler options. @internal */
export type ResolvedHandleOptions = Omit<HandlerEntry, 'run' | 'name'>;

const KNOWN = new Set(['maxFails', 'concurrency', 'timeout', 'backoff', 'retention']);

/**
 * Validates one handler's options (`pool.handle`, the `@JobHandler` decorator).
 * @param options - the options given
 * @param where - how error messages name the call
 * @returns the validated options
 * @throws {@link InvalidOptionsError} naming the field
 * @internal
 */
export function resolveHandleOptions(options: unknown, where: string): ResolvedHandleOptions {
  if (options === undefined) return { cap: 0 };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionsError(`${where}: options must be an object, got ${describe(options)}`);
  }
  const o = options as HandleOptions;
  for (const k of Object.keys(o)) {
    if (!KNOWN.has(k)) throw new InvalidOptionsError(`${where}: unknown option "${k}"`);
  }
  if (o.backoff !== undefined && typeof o.backoff !== 'function') validateBackoff(o.backoff, `${where}.backoff`, InvalidOptionsError);
  return {
    maxFails: o.maxFails === undefined ? undefined : positiveInt(o.maxFails, `${where}.maxFails`, 1),
    cap: o.concurrency === undefined ? 0 : positiveInt(o.concurrency, `${where}.concurrency`, 1),
    timeoutMs: o.timeout === undefined ? undefined : toMs(o.timeout, `${where}.timeout`, { allowZero: false }),
    backoff: o.backoff,
    retentionMs: o.retention === undefined ? undefined : toMs(o.retention, `${where}.retention`),
  };
}

/**
 * Job name → handler, and the middleware chain (run in the order added, around every handler).
 * @internal
 */
export class HandlerRegistry {
  private readonly handlers = new Map<string, { handler: Handler; options: ResolvedHandleOptions }>();
  private readonly middleware: Middleware[] = [];
  private compiled?: Map<string, HandlerEntry>;

  use(mw: Middleware): void {
    if (typeof mw !== 'function') throw new InvalidOptionsError('middleware must be a function');
    this.assertOpen();
    this.middleware.push(mw);
  }

  handle(name: string, handler: Handler, options?: HandleOptions): void {
    this.assertOpen();
    validateJobName(name, 'handle(name)', InvalidOptionsError);
    if (typeof handler !== 'function') throw new InvalidOptionsError(`handle("${name}"): handler must be a function`);
    if (this.handlers.has(name)) throw new DuplicateHandlerError(`A handler for job "${name}" is already registered in this pool`);
    this.handlers.set(name, { handler, options: resolveHandleOptions(options, `handle("${name}")`) });
  }

  /** Freezes the registry and builds each handler's chain. */
  compile(): Map<string, HandlerEntry> {
    if (this.compiled) return this.compiled;
    const chain = [...this.middleware];
    const out = new Map<string, HandlerEntry>();
    for (const [name, { handler, options }] of this.handlers) {
      out.set(name, { name, ...options, run: compose(chain, handler) });
    }
    this.compiled = out;
    return out;
  }

  private assertOpen(): void {
    if (this.compiled) throw new InvalidOptionsError('handlers and middleware must be added before start()');
  }
}

function compose(middleware: readonly Middleware[], handler: Handler): (job: Job) => Promise<unknown> {
  if (middleware.length === 0) return async (job) => handler(job as Job<JsonValue>);
  return (job) => {
    let last = -1;
    const dispatch = async (i: number): Promise<unknown> => {
      if (i <= last) throw new Error('next() called more than once in a middleware');
      last = i;
      if (i === middleware.length) return handler(job);
      return middleware[i]!(job, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
