/**
 * jobcraft/metrics: Prometheus metrics of jobcraft on a prom-client registry ({@link JobcraftMetrics}). Needs
 * `prom-client` (an optional peer dependency); `jobcraft` and `jobcraft/core` never load it. In a Nest app, the
 * `metrics` option of `QueueModule.forRoot` sets this up instead.
 * @packageDocumentation
 */
export { JobcraftMetrics, type JobcraftMetricsOptions } from './jobcraft-metrics.js';
export type { MetricsBuckets } from './options.js';
