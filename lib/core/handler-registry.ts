import { DuplicateHandlerError, InvalidOptionsError } from './errors.js';
import type { BackoffFunction, BackoffSpec, HandleOptions, Handler, Job, JsonValue, Middleware } from './types.js';
import { validateBackoff, validateJobName } from './validate.js';
import { duration, int, object } from './validation.js';

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
  const E = InvalidOptionsError;
  const o = object(options, where, E, ['maxFails', 'concurrency', 'timeout', 'backoff', 'retention']);
  if (o.backoff !== undefined && typeof o.backoff !== 'function') validateBackoff(o.backoff, `${where}.backoff`, E);
  return {
    maxFails: int(o.maxFails, `${where}.maxFails`, E, { min: 1, max: 1_000_000 }),
    cap: int(o.concurrency, `${where}.concurrency`, E, { min: 1, max: 1_000_000, fallback: 0 }), // 0: no cap
    timeoutMs: duration(o.timeout, `${where}.timeout`, E, { allowZero: false }),
    backoff: o.backoff as BackoffSpec | BackoffFunction | undefined,
    retentionMs: duration(o.retention, `${where}.retention`, E),
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
