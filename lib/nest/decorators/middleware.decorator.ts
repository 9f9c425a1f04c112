import { SetMetadata } from '@nestjs/common';
import { InvalidOptionsError } from '../../core/errors.js';
import { number, object } from '../../core/validation.js';
import { MIDDLEWARE_METADATA } from '../tokens.js';
import { decoratedMethod } from './decorated-method.js';

/** Options of `@Middleware`. */
export interface MiddlewareOptions {
  /**
   * Position in the chain: lower runs first (outermost). Default 0. Equal orders keep discovery order: the
   * order of declaration within a class, and module order across classes.
   */
  order?: number;
}

/** What `@Middleware` stores on the method. @internal */
export interface MiddlewareMetadata {
  order: number;
}

/**
 * Marks a provider method as middleware around every job this process runs: `(job, next) => next()`. It must
 * call `next()` once and return its result (the handler's). Runs in ascending `order`, then in declaration order.
 *
 * @example
 * ```ts
 * @Middleware()
 * async log(job: Job, next: Next) { console.log('starting', job.name); return next(); }
 * ```
 * @param options - `order` in the chain
 * @returns the method decorator
 * @throws {@link InvalidOptionsError} naming the class and method, if the options are invalid (when the class is declared)
 */
export function Middleware(options: MiddlewareOptions = {}): MethodDecorator {
  return (target, key, descriptor) => {
    const where = decoratedMethod('@Middleware', target, key, descriptor);
    const o = object(options, `@Middleware on ${where}`, InvalidOptionsError, ['order']);
    const order = number(o.order, `@Middleware on ${where}: order`, InvalidOptionsError, 0);
    SetMetadata<string, MiddlewareMetadata>(MIDDLEWARE_METADATA, { order })(target, key, descriptor);
  };
}
