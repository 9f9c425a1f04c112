/**
 * jobcraft: Redis-backed background jobs and an exactly-once distributed cron for NestJS: {@link QueueModule},
 * the {@link JobHandler}, {@link Middleware} and {@link Periodic} decorators, and the core engine they run on,
 * which is also available without any Nest dependency from `jobcraft/core`.
 * @packageDocumentation
 */
export { QueueModule } from './nest/queue.module.js';
export type { QueueModuleOptions } from './nest/queue-options.js';
export type { QueueModuleForRootOptions, QueueModuleAsyncOptions } from './nest/queue.module-definition.js';
export { JobHandler } from './nest/decorators/job-handler.decorator.js';
export { Middleware, type MiddlewareOptions } from './nest/decorators/middleware.decorator.js';
export { Periodic, type PeriodicDecoratorOptions } from './nest/decorators/periodic.decorator.js';
export {
  Enqueuer,
  WorkerPool,
  Scheduler,
  JobcraftError,
  isJobcraftError,
  InvalidJobError,
  InvalidOptionsError,
  InvalidScheduleError,
  DuplicateJobError,
  DuplicateHandlerError,
  UnsupportedProviderScopeError,
  JobNotFoundError,
  WaitTimeoutError,
  QueueClosedError,
  RedisUnavailableError,
  RedisScriptError,
  NonRetryableError,
  JobTimeoutError,
  DEFAULT_RETENTION_MS,
  DEFAULT_MAX_FAILS,
  DEFAULT_LEASE_MS,
  MAX_ARGS_BYTES,
  consoleLogger,
  silentLogger,
} from './core/index.js';
export type {
  ErrorCode,
  JsonValue,
  JobState,
  JobError,
  BackoffSpec,
  BackoffFunction,
  EnqueueOptions,
  JobSpec,
  JobMap,
  JobSpecOf,
  JobNameOf,
  JobArgsOf,
  EnqueuedJob,
  JobInfo,
  Job,
  Handler,
  Next,
  Middleware as MiddlewareFunction,
  HandleOptions,
  ConnectionOptions,
  EnqueuerOptions,
  WorkerPoolOptions,
  RedisConnection,
  WorkerPoolEvents,
  JobEventBase,
  Logger,
  Clock,
  Duration,
  SchedulerOptions,
  PeriodicOptions,
  MisfirePolicy,
  EntryInfo,
  SchedulerEvents,
} from './core/index.js';
