// The producer process: boots QueueModule.forRoot with `workers: false`, enqueues one `analyze` job through an
// injected, typed Enqueuer, reads the job back by id once it has finished, and prints it as `RESULT <json>`.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Enqueuer, QueueModule, type JobInfo } from 'jobcraft';
import type { Analysis, AnalyzeArgs, Jobs } from './analysis.jobs.js';
import { env } from './env.js';

/** Enqueues through the Enqueuer the module provides, injected by class. */
@Injectable()
class Submitter {
  constructor(private readonly enqueuer: Enqueuer<Jobs>) {}

  async analyze(text: string): Promise<JobInfo<AnalyzeArgs, Analysis> | null> {
    const job = await this.enqueuer.enqueue('analyze', { text });
    // @ts-expect-error the typed job map refuses a name it does not declare
    void (() => this.enqueuer.enqueue('unknown', { text }));
    // @ts-expect-error ... and args of the wrong shape
    void (() => this.enqueuer.enqueue('analyze', { words: 3 }));
    await this.enqueuer.waitFor(job.id, { timeout: '20s' });
    return this.enqueuer.getJob<AnalyzeArgs, Analysis>(job.id);
  }
}

@Module({
  imports: [QueueModule.forRoot({ redis: env('REDIS_URL'), namespace: env('JOBCRAFT_NAMESPACE'), workers: false, scheduler: false })],
  providers: [Submitter],
})
class ProducerModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(ProducerModule, { logger: ['error', 'warn'] });
  const info = await app.get(Submitter).analyze('what users install must work');
  console.log(`RESULT ${JSON.stringify({ ...info, producerPid: process.pid })}`);
  await app.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
