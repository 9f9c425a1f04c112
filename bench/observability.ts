// What observability costs the hot path (jobcraft only): one pool (concurrency 50, no-op handler) processing
// 20,000 queued jobs, plain, with Prometheus metrics on (JobcraftMetrics on its own registry), and with
// `tracing: true` while no OpenTelemetry SDK is registered (the API installed, nothing listening). The variants
// alternate, round after round, in this process on the bench's Redis; each figure is the median of the rounds, and
// the ratios are against the plain runs of the same rounds.
import { Registry } from 'prom-client';
import { Enqueuer, WorkerPool, silentLogger } from '../lib/core/index.js';
import { JobcraftMetrics } from '../lib/metrics/index.js';

/** One variant's median throughput and its ratio to plain. */
export interface ObservabilityRow {
  variant: 'plain' | 'metrics' | 'tracing (no SDK)';
  jobsPerSec: number;
  ratio: number;
}

type Variant = ObservabilityRow['variant'];
const VARIANTS: readonly Variant[] = ['plain', 'metrics', 'tracing (no SDK)'];

async function sample(url: string, variant: Variant, jobs: number, round: number): Promise<number> {
  const namespace = `bench-obs-${round}-${VARIANTS.indexOf(variant)}-${Date.now().toString(36)}`;
  const tracing = variant === 'tracing (no SDK)';
  const enqueuer = new Enqueuer({ redis: url, namespace, logger: silentLogger, tracing });
  for (let i = 0; i < jobs; i += 1000) {
    await enqueuer.enqueueMany(Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({ name: 'obs', args: { n: i + j }, options: { retention: 0 } })));
  }
  await enqueuer.close();
  const pool = new WorkerPool({ redis: url, namespace, concurrency: 50, retention: 0, logger: silentLogger, tracing });
  const metrics = variant === 'metrics' ? new JobcraftMetrics({ registry: new Registry(), pool }) : undefined;
  let completed = 0;
  const done = new Promise<void>((resolve) => pool.on('job:completed', () => ++completed === jobs && resolve()));
  pool.handle('obs', async () => null);
  const t0 = performance.now();
  await pool.start();
  await done;
  const ms = performance.now() - t0;
  await pool.stop();
  metrics?.close();
  return (jobs / ms) * 1000;
}

/**
 * Runs `rounds` rounds of the three variants (order rotated each round) and returns their medians and ratios.
 * @param url - the bench's Redis
 * @param jobs - jobs per sample
 * @param rounds - rounds (each runs every variant once)
 */
export async function runObservability(url: string, jobs: number, rounds: number): Promise<ObservabilityRow[]> {
  const rates = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const variant = VARIANTS[(round + k) % VARIANTS.length]!;
      rates.get(variant)!.push(await sample(url, variant, jobs, round));
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const plain = median(rates.get('plain')!);
  return VARIANTS.map((variant) => {
    const m = median(rates.get(variant)!);
    return { variant, jobsPerSec: m, ratio: m / plain };
  });
}
