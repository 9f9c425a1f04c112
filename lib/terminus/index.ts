/**
 * jobcraft/terminus: a `@nestjs/terminus` (11+) health indicator for jobcraft, {@link QueueHealthIndicator}, and
 * {@link QueueHealthModule}, which provides it. `@nestjs/terminus` is an optional peer: only this entry point needs it.
 * @packageDocumentation
 */
export {
  QueueHealthIndicator,
  type QueueHealthOptions,
  type QueueHealthDetails,
  type QueueComponentDetails,
  type QueueHealthResult,
} from './queue-health.indicator.js';
export { QueueHealthModule } from './queue-health.module.js';
