import { Injectable, Logger } from '@nestjs/common';
import { Periodic, type Job } from '../../lib/index.js';
import { SampleConfig } from '../sample-config.js';

/**
 * A periodic job: every 1.5 s, across all instances of the app together, one instance fires the tick (creates
 * its job) and one worker runs it, so the whole deployment logs one line per tick.
 */
@Injectable()
export class TickJobs {
  private readonly logger = new Logger('tick');

  constructor(private readonly config: SampleConfig) {}

  /**
   * The entry is `TickJobs.logTick`; each tick's job id is `tick:TickJobs.logTick:<tick ms>`, and `job.tick` says
   * which tick it is and which instance fired it (`manual` when an operator ran it: `jobcraft cron run`).
   */
  @Periodic('@every 1.5s', 1500)
  async logTick(job: Job): Promise<void> {
    const at = job.tick?.at.toISOString() ?? 'no tick';
    this.logger.log(`${at} fired by ${job.tick?.firedBy ?? 'nobody'}, run by ${this.config.instanceId} (pid ${process.pid})`);
  }
}
