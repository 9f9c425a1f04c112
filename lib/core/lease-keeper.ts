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
  private busy = false;
  private failures = 0;

  constructor(private readonly deps: { broker: JobBroker; logger: Logger; leaseMs: number; holder: LeaseHolder }) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), Math.min(MAX_TIMEOUT_MS, Math.max(100, Math.floor(this.deps.leaseMs / 3))));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const [name, members] of this.deps.holder.heldLeases()) {
        if (members.length === 0) continue;
        const held = await this.deps.broker.extendLeases(name, this.deps.leaseMs, members);
        const lost = members.filter((_, i) => !held[i]);
        if (lost.length) this.deps.holder.leasesLost(name, lost);
      }
      this.failures = 0;
    } catch (err) {
      if (this.failures++ === 0) this.deps.logger.warn(`lease renewal failed (retrying): ${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
  }
}
