import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { hostname } from 'node:os';
import { Enqueuer } from '../core/enqueuer.js';
import { Inspector } from '../core/inspector.js';
import { createRuntime, type JobRuntime } from '../core/runtime.js';
import { Scheduler } from '../core/scheduler.js';
import { WorkerPool } from '../core/worker-pool.js';
import { HandlerExplorer } from './handler-explorer.js';
import { nestLogger } from './nest-logger.js';
import { resolveQueueOptions, type QueueModuleOptions, type ResolvedQueueOptions } from './queue-options.js';
import {
  QUEUE_MODULE_OPTIONS,
  QueueModuleBase,
  type QueueModuleAsyncOptions,
  type QueueModuleForRootOptions,
} from './queue.module-definition.js';
import { RuntimeHost } from './runtime-host.js';
import { queueTestModule, type QueueTestOptions } from './queue-test.module.js';
import { MetricsHost, metricsProvider } from './metrics-host.js';
import { JOB_RUNTIME, RESOLVED_QUEUE_OPTIONS } from './tokens.js';

const fromRuntime = <T>(pick: (runtime: JobRuntime) => T) => ({ useFactory: pick, inject: [JOB_RUNTIME] });

/**
 * Redis-backed jobs and distributed cron for a Nest app. Import it once, at the root, with
 * {@link QueueModule.forRoot} or {@link QueueModule.forRootAsync}. It is global unless `isGlobal: false`. It provides the core
 * {@link Enqueuer} (inject it by type), the {@link WorkerPool} and {@link Scheduler} it runs, for their events
 * and `scheduler.entries()`, and an {@link Inspector} to see and steer jobs. `@JobHandler`, `@Middleware` and `@Periodic` methods are discovered at bootstrap.
 *
 * @example
 * ```ts
 * @Module({ imports: [QueueModule.forRoot({ redis: process.env.REDIS_URL, namespace: 'bowl' })], providers: [FoodJobs] })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: RESOLVED_QUEUE_OPTIONS,
      useFactory: (options: QueueModuleOptions) => resolveQueueOptions(options),
      inject: [QUEUE_MODULE_OPTIONS],
    },
    {
      provide: JOB_RUNTIME,
      useFactory: (o: ResolvedQueueOptions) =>
        createRuntime({
          ...o.raw, logger: o.raw.logger ?? nestLogger(), // the app's logger (context 'jobcraft') unless one was given
          instanceId: o.instanceId ?? `${hostname()}:${process.pid}`, tickHistory: o.tickHistory,
        }),
      inject: [RESOLVED_QUEUE_OPTIONS],
    },
    { provide: Enqueuer, ...fromRuntime((r) => r.enqueuer) },
    { provide: WorkerPool, ...fromRuntime((r) => r.pool) },
    { provide: Scheduler, ...fromRuntime((r) => r.scheduler) },
    { provide: Inspector, ...fromRuntime((r) => r.inspector) },
    HandlerExplorer,
    RuntimeHost,
    metricsProvider,
    MetricsHost,
  ],
  exports: [Enqueuer, WorkerPool, Scheduler, Inspector],
})
export class QueueModule extends QueueModuleBase {
  /**
   * The module with options known now.
   * @param options - the {@link WorkerPool}'s options plus `workers`, `scheduler`, `shutdownTimeout`, `instanceId`,
   *   `metrics` and `isGlobal`; validated once at bootstrap
   * @returns the dynamic module to put in `imports`
   * @throws {@link InvalidOptionsError} at bootstrap, naming the bad option
   */
  static override forRoot(options: QueueModuleForRootOptions): DynamicModule {
    return super.forRoot(options);
  }

  /**
   * The module with options computed at bootstrap, e.g. from a `ConfigService`:
   * `forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (config) => ({ ... }) })`.
   * @param options - `useFactory` (+ `inject`, `imports`), `useClass` or `useExisting`, and `isGlobal`
   * @returns the dynamic module to put in `imports`
   * @throws {@link InvalidOptionsError} at bootstrap, naming the bad option
   */
  static override forRootAsync(options: QueueModuleAsyncOptions): DynamicModule {
    return super.forRootAsync(options);
  }

  /**
   * The module for unit tests of code that enqueues: a `FakeEnqueuer` (from `jobcraft/testing`) in place of
   * {@link Enqueuer}, injected by the `Enqueuer` class as usual, that records jobs in memory and runs them inline
   * through the app's `@JobHandler`, `@Middleware` and `@Periodic` methods when asked (`await fake.runAll()`). It
   * never connects to Redis and starts no workers or scheduler; it provides no `WorkerPool`, `Scheduler` or
   * `Inspector`. Get the fake with `app.get(FakeEnqueuer)`.
   * @param options - `namespace`, `maxFails`, `isGlobal` (default true)
   * @returns the dynamic module to put in `imports`, in place of `forRoot`
   * @throws {@link InvalidOptionsError} naming a bad option
   */
  static forTest(options: QueueTestOptions = {}): DynamicModule {
    return queueTestModule(options);
  }
}
