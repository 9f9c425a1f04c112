import { Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { QueueDashboardModule, QueueModule } from '../lib/index.js';
import { AnalysesController } from './analyses/analyses.controller.js';
import { AnalysisJobs } from './analyses/analysis.jobs.js';
import { LocalOnlyGuard } from './dashboard/local-only.guard.js';
import { FoodController } from './food/food.controller.js';
import { FoodJobs } from './food/food.jobs.js';
import { SampleConfig } from './sample-config.js';
import { TickJobs } from './ticks/tick.jobs.js';

/**
 * The sample app: every instance serves HTTP (and the dashboard at /jobs), runs workers for `analyze` and `food`, and
 * takes part in firing the periodic tick. Start as many as you like on one Redis and namespace.
 */
@Module({})
export class AppModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('sample');

  /**
   * @param config - Redis, namespace, instance name, port
   * @returns the root module
   */
  static forRoot(config: SampleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        QueueModule.forRoot({
          redis: config.redis,
          namespace: config.namespace,
          instanceId: config.instanceId,
          concurrency: 10,
          retention: '1h', // finished food and tick jobs; analyses keep theirs 7 days (their handler's retention)
          shutdownTimeout: '10s',
          logger: new Logger('jobcraft'),
        }),
        // the web dashboard at /jobs, behind the app's own guard
        QueueDashboardModule.forRoot({ path: '/jobs', guards: [LocalOnlyGuard] }),
      ],
      controllers: [AnalysesController, FoodController],
      providers: [{ provide: SampleConfig, useValue: config }, AnalysisJobs, FoodJobs, TickJobs],
    };
  }

  beforeApplicationShutdown(signal?: string): void {
    this.logger.log(`${signal ?? 'shutdown'}: firing no more ticks; running jobs get 10 s to finish, then go back to the queue`);
  }

  onApplicationShutdown(): void {
    this.logger.log('stopped');
  }
}
