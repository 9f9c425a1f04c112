import { Injectable, Logger } from '@nestjs/common';
import { JobHandler, Middleware, NonRetryableError, type Job, type Next } from '../../lib/index.js';

/** Args of the `food` job. */
export interface FoodArgs {
  /** The task number, a positive integer. */
  task: number;
  /** A food. */
  food: string;
}

/**
 * The `food` job and two middlewares, as in the gocraft/work walkthrough. Middleware wraps every job this process
 * runs (analyses and periodic ticks too), in declaration order: `log` outside, then `findTask`, then the handler.
 */
@Injectable()
export class FoodJobs {
  private readonly logger = new Logger('jobs');

  /** Logs each job's start and outcome with its duration. Periodic ticks are left out: they log their own line. */
  @Middleware()
  async log(job: Job, next: Next): Promise<unknown> {
    if (job.id.startsWith('tick:')) return next();
    const started = Date.now();
    this.logger.log(`${job.name} ${job.id}: attempt ${job.attempt} started`);
    try {
      const result = await next();
      this.logger.log(`${job.name} ${job.id}: completed in ${Date.now() - started} ms`);
      return result;
    } catch (err) {
      this.logger.warn(`${job.name} ${job.id}: attempt ${job.attempt} failed after ${Date.now() - started} ms: ${(err as Error).message}`);
      throw err;
    }
  }

  /**
   * A job that carries a `task` must carry a valid one, whoever enqueued it (like gocraft's FindCustomer): a bad
   * one can never succeed, so the job goes straight to the dead set instead of retrying.
   */
  @Middleware()
  async findTask(job: Job, next: Next): Promise<unknown> {
    const args = job.args;
    if (args !== null && typeof args === 'object' && !Array.isArray(args) && 'task' in args) {
      const task = args.task;
      if (typeof task !== 'number' || !Number.isSafeInteger(task) || task < 1) {
        throw new NonRetryableError(`task must be a positive integer, got ${JSON.stringify(task)}`);
      }
    }
    return next();
  }

  /** Its return value is stored as the job's result. */
  @JobHandler('food', { maxFails: 4, concurrency: 5, timeout: '1m' })
  async food(job: Job<FoodArgs>): Promise<string> {
    return `One of my favorite foods is ${job.args.food}`;
  }
}
