import { Injectable } from '@nestjs/common';
import { JobHandler, Middleware, type Job, type Next } from 'jobcraft';
import { NonRetryableError } from 'jobcraft/core';

/** Args of the `analyze` job. */
export interface AnalyzeArgs {
  text: string;
}

/** What `analyze` stores as the job's result. */
export interface Analysis {
  words: number;
  longest: string;
  /** The process that ran the handler, so the check can tell it was not the one that enqueued. */
  pid: number;
  /** The middleware ran around the handler. */
  wrapped: boolean;
}

/** The app's typed job map: `Enqueuer<Jobs>` refuses other names and args at compile time. */
export type Jobs = { analyze: AnalyzeArgs };

/** An ordinary service, injected into the handler's provider. */
@Injectable()
export class WordCounter {
  count(text: string): Pick<Analysis, 'words' | 'longest'> {
    const words = text.split(/\s+/).filter(Boolean);
    return { words: words.length, longest: words.reduce((a, b) => (b.length > a.length ? b : a), '') };
  }
}

/** The handler provider: `@JobHandler` and `@Middleware` methods, with DI. */
@Injectable()
export class AnalysisJobs {
  private readonly wrapping = new Set<string>();

  constructor(private readonly counter: WordCounter) {}

  @Middleware()
  async mark(job: Job, next: Next): Promise<unknown> {
    this.wrapping.add(job.id);
    try {
      return await next();
    } finally {
      this.wrapping.delete(job.id);
    }
  }

  @JobHandler('analyze', { maxFails: 2, timeout: '30s' })
  async analyze(job: Job<AnalyzeArgs>): Promise<Analysis> {
    if (typeof job.args.text !== 'string') throw new NonRetryableError('text must be a string');
    await job.progress(50);
    return { ...this.counter.count(job.args.text), pid: process.pid, wrapped: this.wrapping.has(job.id) };
  }
}
