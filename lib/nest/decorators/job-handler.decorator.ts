import { SetMetadata } from '@nestjs/common';
import { InvalidOptionsError } from '../../core/errors.js';
import { resolveHandleOptions } from '../../core/handler-registry.js';
import type { HandleOptions } from '../../core/types.js';
import { validateJobName } from '../../core/validate.js';
import { JOB_HANDLER_METADATA } from '../tokens.js';
import { decoratedMethod } from './decorated-method.js';

/** What `@JobHandler` stores on the method. @internal */
export interface JobHandlerMetadata {
  name: string;
  options?: HandleOptions;
}

/**
 * Marks a provider method as the handler of a job name. The method gets the {@link Job} and its return value
 * (JSON) is stored as the job's result; `this` is the provider instance, so its injected dependencies work.
 * Discovered at bootstrap; the process then runs a worker pool.
 *
 * @example
 * ```ts
 * @JobHandler('food', { maxFails: 4, concurrency: 5, timeout: '1m' })
 * async food(job: Job<FoodArgs>) { return `One of my favorite foods is ${job.args.food}`; }
 * ```
 * @param name - the job name
 * @param options - max fails, cluster-wide concurrency cap, timeout, backoff, retention
 * @returns the method decorator
 * @throws {@link InvalidOptionsError} naming the class and method, if the name or an option is invalid (when the class is declared)
 */
export function JobHandler(name: string, options?: HandleOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = decoratedMethod('@JobHandler', target, key, descriptor);
    validateJobName(name, `@JobHandler on ${where}: the job name`, InvalidOptionsError);
    resolveHandleOptions(options, `@JobHandler("${name}") on ${where}`);
    SetMetadata<string, JobHandlerMetadata>(JOB_HANDLER_METADATA, { name, options })(target, key, descriptor);
  };
}
