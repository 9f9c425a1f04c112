import type { Emitter, WorkerPoolEvents } from './events.js';
import type { HealthSource } from './health-tracker.js';
import type { Logger } from './logger.js';
import { LongTimer } from './long-timer.js';
import type { JobBroker } from './redis/job-broker.js';
import { jobIdOf } from './redis/wire.js';

const BATCH = 200;

/**
 * Returns jobs whose lease expired (their worker was killed, crashed or froze) to the front of their queue.
 * It sleeps until the earliest lease deadline it saw (never longer than one lease), so a dead worker's jobs
 * are requeued moments after its lease runs out, with no fixed polling interval. Every pool runs one;
 * the recover script re-checks each lease, so racing recoverers are harmless.
 * @internal
 */
export class Recoverer {
  private readonly timer = new LongTimer();
  private stopped = true;
  private running?: Promise<void>;
  private failures = 0;

  constructor(
    private readonly deps: {
      broker: JobBroker;
      logger: Logger;
      events: Emitter<WorkerPoolEvents>;
      names: string[];
      leaseMs: number;
      defaults: (name: string) => { maxFails: number; retentionMs: number };
      health?: HealthSource;
    },
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer.cancel();
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer.armIn(ms, () => {
      this.running = this.run().finally(() => (this.running = undefined));
    });
  }

  private async run(): Promise<void> {
    const { broker, names, leaseMs } = this.deps;
    let next = leaseMs;
    try {
      const found = await broker.findExpired(names, BATCH);
      let more = false;
      for (const n of found.names) {
        if (n.expired.length) {
          await this.recover(n.name, n.expired);
          more ||= n.expired.length === BATCH;
        }
        if (n.earliest !== undefined) next = Math.min(next, n.earliest - found.now + 2);
      }
      if (more) next = 0;
      this.failures = 0;
      this.deps.health?.succeeded();
    } catch (err) {
      this.deps.health?.failed(err);
      if (this.failures++ === 0) this.deps.logger.warn(`recovering expired leases failed (retrying): ${(err as Error).message}`);
      next = Math.min(1000, leaseMs);
    }
    this.schedule(Math.max(0, next));
  }

  private async recover(name: string, members: string[]): Promise<void> {
    const ids = members.map(jobIdOf);
    const uniqueKeys = await this.deps.broker.readUniqueKeys(ids);
    const outcomes = await this.deps.broker.recoverJobs(
      name,
      this.deps.defaults(name),
      members.map((member, i) => ({ member, uniqueKey: uniqueKeys[i] })),
    );
    outcomes.forEach((o, i) => {
      if (o === 'REQUEUED' || o === 'DEAD') {
        const outcome = o === 'REQUEUED' ? 'requeued' : 'dead';
        this.deps.logger.warn(`job "${ids[i]}" (${name}) lost its worker; ${outcome === 'dead' ? 'that was its last attempt: dead' : 'requeued'}`);
        this.deps.events.emit('job:recovered', { id: ids[i]!, name, outcome });
      }
    });
  }
}
