/**
 * jobcraft/testing: helpers for your own tests, on jest or Vitest, with or without Nest:
 * {@link startTestRedis} (a throwaway `redis-server`), {@link drain} (wait until the jobs ran),
 * `runPeriodicNow` (a `@Periodic` method's job now), and {@link FakeEnqueuer} (jobs recorded in memory and
 * run inline, no Redis; `QueueModule.forTest()` provides it in a Nest app). Nest is not needed to import it.
 * @packageDocumentation
 */
export { startTestRedis, type TestRedis, type TestRedisOptions } from './test-redis.js';
export { drain, DrainTimeoutError, type DrainOptions } from './drain.js';
export type { StuckJob } from './pending-jobs.js';
export { runPeriodicNow, type RunPeriodicOptions } from './run-periodic-now.js';
export type { NestAppLike, DrainTarget } from './target.js';
export { FakeEnqueuer, type FakeEnqueuerOptions, type FakeJob, type RunAllOptions } from './fake-enqueuer.js';
// Types the helpers' signatures refer to, so that their declarations read completely from this entry point. The
// classes they mention (Enqueuer, WorkerPool, JobRuntime, JobcraftError and the errors) are used from 'jobcraft' or
// 'jobcraft/core'; DuplicateJobError is listed as a type only, for enqueueMany's result.
export type {
  Duration,
  JsonValue,
  JobState,
  JobError,
  JobInfo,
  TickInfo,
  EnqueuedJob,
  EnqueueOptions,
  BackoffSpec,
  BackoffFunction,
  JobMap,
  JobNameOf,
  JobArgsOf,
  JobSpec,
  JobSpecOf,
  Job,
  Handler,
  Middleware,
  Next,
  HandleOptions,
  DuplicateJobError,
} from '../core/index.js';
