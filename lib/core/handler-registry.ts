import { DuplicateHandlerError, InvalidOptionsError } from './errors.js';
import { positiveInt } from './options.js';
import { toMs } from './spec/duration.js';
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

/**
 * Job name → handler, and the middleware chain (run in the order added, around every handler).
 * @internal
 */
export class HandlerRegistry {
  private readonly handlers = new Map<string, { handler: Handler; options: Omit<HandlerEntry, 'run' | 'name'> }>();
  private readonly middleware: Middleware[] = [];
  private compiled?: Map<string, HandlerEntry>;

  use(mw: Middleware): void {
    if (typeof mw !== 'function') throw new InvalidOptionsError('middleware must be a function');
    this.assertOpen();
    this.middleware.push(mw);
  }

  handle(name: string, handler: Handler, options: HandleOptions = {}): void {
    this.assertOpen();
    validateJobName(name, 'handle(name)', InvalidOptionsError);
    if (typeof handler !== 'function') throw new InvalidOptionsError(`handle("${name}"): handler must be a function`);
    if (this.handlers.has(name)) throw new DuplicateHandlerError(`A handler for job "${name}" is already registered in this pool`);
    if (options === null || typeof options !== 'object') throw new InvalidOptionsError(`handle("${name}") options must be an object`);
    const known = new Set(['maxFails', 'concurrency', 'timeout', 'backoff', 'retention']);
    for (const k of Object.keys(options)) {
      if (!known.has(k)) throw new InvalidOptionsError(`handle("${name}"): unknown option "${k}"`);
    }
    if (options.backoff !== undefined && typeof options.backoff !== 'function') {
      validateBackoff(options.backoff, `handle("${name}").backoff`, InvalidOptionsError);
    }
    this.handlers.set(name, {
      handler,
      options: {
        maxFails: options.maxFails === undefined ? undefined : positiveInt(options.maxFails, `handle("${name}").maxFails`, 1),
        cap: options.concurrency === undefined ? 0 : positiveInt(options.concurrency, `handle("${name}").concurrency`, 1),
        timeoutMs: options.timeout === undefined ? undefined : toMs(options.timeout, `handle("${name}").timeout`, { allowZero: false }),
        backoff: options.backoff,
        retentionMs: options.retention === undefined ? undefined : toMs(options.retention, `handle("${name}").retention`),
      },
    });
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
