import { Injectable, Logger } from '@nestjs/common';
import { Periodic, Scheduler, type Job } from '../../lib/index.js';
import { SampleConfig } from '../sample-config.js';

/**
 * A periodic job: every 1.5 s, across all instances of the app together, one instance fires the tick (creates
 * its job) and one worker runs it, so the whole deployment logs one line per tick.
 */
@Injectable()
export class TickJobs {
  private readonly logger = new Logger('tick');

  constructor(
    private readonly scheduler: Scheduler,
    private readonly config: SampleConfig,
  ) {}

  /** The entry is `TickJobs.logTick`; each tick's job id is `tick:TickJobs.logTick:<tick ms>`. */
  @Periodic('@every 1.5s', 1500)
  async logTick(job: Job): Promise<void> {
    const tick = Number(job.id.slice(job.id.lastIndexOf(':') + 1));
    this.logger.log(`${new Date(tick).toISOString()} fired by ${await this.firedBy(job.id)}, run by ${this.config.instanceId} (pid ${process.pid})`);
  }

  /** Who fired the tick: the entry's shared state names the instance that fired its latest tick. */
  private async firedBy(jobId: string): Promise<string> {
    try {
      const entry = (await this.scheduler.entries()).find((e) => e.lastJob === jobId);
      return entry?.lastBy ?? 'an instance (a later tick has fired since)';
    } catch {
      return 'an instance (the scheduler is shutting down)';
    }
  }
}
