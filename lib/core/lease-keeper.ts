import type { HealthSource } from './health-tracker.js';
import type { Logger } from './logger.js';
import { MAX_TIMEOUT_MS } from './long-timer.js';
import type { JobBroker } from './redis/job-broker.js';

/** What the lease keeper needs from the pool. @internal */
export interface LeaseHolder {
  /** Lease members of running jobs, by job name. */
  heldLeases(): Map<string, string[]>;
  /** Called with members whose lease another worker took (this worker was frozen past the lease). */
  leasesLost(name: string, members: string[]): void;
}

/**
 * Renews the leases of running jobs every third of the lease (asynq's heartbeat), one script call per job
 * name, so a live worker keeps its jobs and a dead one loses them after one lease.
 * @internal
 */
export class LeaseKeeper {
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private failures = 0;

  /**
   * @param deps - the broker, the lease, the pool holding the leases, and what the pool reports about itself at
   *   the same rhythm (the workers list), and where each renewal's success or failure is reported (the pool's health)
   */
  constructor(private readonly deps: { broker: JobBroker; logger: Logger; leaseMs: number; holder: LeaseHolder; report?: () => Promise<void>; health?: HealthSource }) {}

  /** Renews (and reports) at once, then every third of the lease. */
  start(): void {
    this.tick();
    this.timer ??= setInterval(() => this.tick(), Math.min(MAX_TIMEOUT_MS, Math.max(100, Math.floor(this.deps.leaseMs / 3))));
  }

  /** Stops renewing; resolves once a renewal in flight has settled. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  private tick(): void {
    this.ticking ??= this.renew().finally(() => (this.ticking = undefined));
  }

  private async renew(): Promise<void> {
    try {
      for (const [name, members] of this.deps.holder.heldLeases()) {
        if (members.length === 0) continue;
        const held = await this.deps.broker.extendLeases(name, this.deps.leaseMs, members);
        const lost = members.filter((_, i) => !held[i]);
        if (lost.length) this.deps.holder.leasesLost(name, lost);
      }
      await this.deps.report?.();
      this.failures = 0;
      this.deps.health?.succeeded();
    } catch (err) {
      this.deps.health?.failed(err);
      if (this.failures++ === 0) this.deps.logger.warn(`lease renewal failed (retrying): ${(err as Error).message}`);
    }
  }
}
