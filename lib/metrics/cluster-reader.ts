import type { NameInfo, WorkerInfo } from '../core/inspector-types.js';
import type { Logger } from '../core/logger.js';

/** What the cluster-wide gauges show, as last read from Redis. @internal */
export interface ClusterState {
  /** Every job name with its counts by state and oldest queued age. */
  names: NameInfo[];
  /** How many worker pools are alive. */
  workers: number;
}

/** What a {@link ClusterReader} reads: an `Inspector` fits. @internal */
export interface ClusterSource {
  /** Every job name with its counts by state and oldest queued age. */
  names(): Promise<NameInfo[]>;
  /** The live worker pools. */
  workers(): Promise<WorkerInfo[]>;
}

/** Dependencies of a {@link ClusterReader}. @internal */
export interface ClusterReaderDeps {
  source: ClusterSource;
  /** How long a read (or a failed one) is reused (ms). */
  ttlMs: number;
  logger: Logger;
  /** Called for every failed read. */
  failed: () => void;
}

/**
 * Reads the cluster-wide state for a scrape, from Redis, at most once per `ttlMs`: the gauges of one scrape share
 * one read (concurrent callers get the read in flight), and scrapes within `ttlMs` of the last read (or the last
 * failed one) reuse it. A failed read never throws: it keeps the last state, counts the failure and warns once per
 * outage.
 * @internal
 */
export class ClusterReader {
  private last?: ClusterState;
  private readAt = Number.NEGATIVE_INFINITY;
  private pending?: Promise<ClusterState | undefined>;
  private failing = false;

  constructor(private readonly deps: ClusterReaderDeps) {}

  /** @returns the state (undefined while no read ever succeeded) */
  read(): Promise<ClusterState | undefined> {
    if (this.pending) return this.pending;
    if (Date.now() - this.readAt < this.deps.ttlMs) return Promise.resolve(this.last);
    this.pending = this.fetch().finally(() => {
      this.readAt = Date.now();
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetch(): Promise<ClusterState | undefined> {
    try {
      const [names, workers] = await Promise.all([this.deps.source.names(), this.deps.source.workers()]);
      this.last = { names, workers: workers.length };
      if (this.failing) this.deps.logger.warn('metrics: reading the queue state from Redis works again');
      this.failing = false;
    } catch (err) {
      this.deps.failed();
      if (!this.failing) {
        this.deps.logger.warn(`metrics: reading the queue state from Redis failed; the cluster-wide gauges keep their last values until it works again: ${(err as Error).message}`);
      }
      this.failing = true;
    }
    return this.last;
  }
}
