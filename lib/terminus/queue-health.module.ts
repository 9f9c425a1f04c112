import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QueueHealthIndicator } from './queue-health.indicator.js';

/**
 * Provides {@link QueueHealthIndicator} (and imports `TerminusModule` for it). Import it in the module of your health
 * controller, beside `TerminusModule`; it needs `QueueModule`'s providers, which are global by default (with
 * `isGlobal: false`, add `QueueHealthIndicator` to the providers of the module that imports `QueueModule` instead).
 *
 * @example
 * ```ts
 * @Module({ imports: [TerminusModule, QueueHealthModule], controllers: [HealthController] })
 * export class HealthModule {}
 * ```
 */
@Module({
  imports: [TerminusModule],
  providers: [QueueHealthIndicator],
  exports: [QueueHealthIndicator],
})
export class QueueHealthModule {}
