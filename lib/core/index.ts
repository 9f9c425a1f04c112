/**
 * jobcraft/core: the framework-agnostic engine (no NestJS): {@link Enqueuer} to add jobs and read them back,
 * {@link WorkerPool} to run them, {@link Scheduler} for periodic jobs, typed errors, and the public types.
 * @packageDocumentation
 */
export { Enqueuer } from './enqueuer.js';
export { WorkerPool } from './worker-pool.js';
export { Scheduler } from './scheduler.js';
export { createRuntime } from './runtime.js';
export { Inspector } from './inspector.js';
export type { InspectorOptions } from './inspector.js';
export type {
  NameInfo, StateCounts, RecentCounts, JobListQuery, JobPage, JobSelector, WorkerInfo, ActiveJobInfo, PeriodicInfo, TickRecord,
  HistoryRange, HistoryBucket, ServerInfo, OldestQueuedJob,
} from './inspector-types.js';
export type { ComponentHealth, ComponentState } from './health-tracker.js';
export type { JobRuntime, RuntimeOptions } from './runtime.js';
export type { SchedulerOptions, EntryInfo, SchedulerEvents } from './scheduler.js';
export type { PeriodicOptions, MisfirePolicy } from './periodic-entry.js';
export {
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
  JobCancelledError,
  type ErrorCode,
} from './errors.js';
export type {
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
  Middleware,
  HandleOptions,
  TickInfo,
} from './types.js';
export { JOB_STATES } from './types.js';
export type { ConnectionOptions, EnqueuerOptions, WorkerPoolOptions, RedisConnection, TracingOptions } from './options.js';
export { DEFAULT_RETENTION_MS, DEFAULT_MAX_FAILS, DEFAULT_LEASE_MS } from './options.js';
export { MAX_ARGS_BYTES } from './validate.js';
export type { WorkerPoolEvents, JobEventBase, AttemptTiming } from './events.js';
export type { Logger } from './logger.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { Clock } from './clock.js';
export type { Duration } from './spec/duration.js';
