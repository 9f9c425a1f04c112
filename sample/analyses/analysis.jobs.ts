import { Injectable, Logger } from '@nestjs/common';
import { JobHandler, type Job } from '../../lib/index.js';
import { analyzeText, type Analysis } from './analyze-text.js';

/** Args of the `analyze` job: the uploaded text itself (job args are capped at 1 MiB of JSON). */
export interface AnalyzeArgs {
  /** The file's name as uploaded, or null for a raw body. */
  filename: string | null;
  /** The file's content. */
  text: string;
}

/** Runs file analyses in the background, on whichever instance claims the job. */
@Injectable()
export class AnalysisJobs {
  private readonly logger = new Logger(AnalysisJobs.name);

  /**
   * Analyses an uploaded text, reporting progress in percent; the returned {@link Analysis} is stored as the
   * job's result and kept for 7 days, readable by id from any instance.
   */
  @JobHandler('analyze', { maxFails: 3, timeout: '10m', retention: '7d' })
  async analyze(job: Job<AnalyzeArgs>): Promise<Analysis> {
    const started = Date.now();
    let reported = -1;
    const result = await analyzeText(
      job.args.text,
      async (percent) => {
        if (percent === reported) return;
        reported = percent;
        await job.progress(percent);
      },
      job.signal,
    );
    const name = job.args.filename ?? 'raw body';
    this.logger.log(`analysis ${job.id} (${name}): ${result.lines} lines, ${result.words} words in ${Date.now() - started} ms`);
    return result;
  }
}
