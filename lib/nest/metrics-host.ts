import { Inject, Injectable, type FactoryProvider, type OnApplicationShutdown } from '@nestjs/common';
import type { JobRuntime } from '../core/runtime.js';
import { nestLogger } from './nest-logger.js';
import type { ResolvedQueueOptions } from './queue-options.js';
import { JOB_RUNTIME, RESOLVED_QUEUE_OPTIONS } from './tokens.js';

/** Injection token of the module's metrics (null when the `metrics` option is off). @internal */
export const JOB_METRICS = Symbol('jobcraft:metrics');

/** What the host needs of `JobcraftMetrics` (named structurally: its types name prom-client's). @internal */
export interface ClosableMetrics {
  close(): void;
}

/**
 * Creates `JobcraftMetrics` over the runtime's pool, scheduler and inspector when the `metrics` option is set.
 * `jobcraft/metrics` (and so prom-client) is imported here, lazily, only then: an app without metrics never loads it.
 * Created at injection time, before the pool starts, so that no job event is missed.
 * @internal
 */
export const metricsProvider: FactoryProvider<ClosableMetrics | null> = {
  provide: JOB_METRICS,
  useFactory: async (o: ResolvedQueueOptions, runtime: JobRuntime): Promise<ClosableMetrics | null> => {
    if (!o.metrics) return null;
    const { JobcraftMetrics } = await import('../metrics/index.js');
    const { registry, buckets, cacheTtlMs } = o.metrics;
    return new JobcraftMetrics({
      ...(registry ? { registry: registry as NonNullable<ConstructorParameters<typeof JobcraftMetrics>[0]['registry']> } : {}),
      buckets, cacheTtl: cacheTtlMs, logger: o.raw.logger ?? nestLogger(), // as the runtime's
      pool: runtime.pool, scheduler: runtime.scheduler, inspector: runtime.inspector,
    });
  },
  inject: [RESOLVED_QUEUE_OPTIONS, JOB_RUNTIME],
};

/**
 * Unregisters the module's metrics (listeners and registry entries) when the app closes, so that an app created
 * again in the same process (tests, hot reload) can register them again.
 * @internal
 */
@Injectable()
export class MetricsHost implements OnApplicationShutdown {
  constructor(@Inject(JOB_METRICS) private readonly metrics: ClosableMetrics | null) {}

  onApplicationShutdown(): void {
    this.metrics?.close();
  }
}
