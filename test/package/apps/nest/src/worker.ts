// The worker process: boots QueueModule.forRootAsync (options from an injected service), runs `analyze` jobs,
// prints READY once it takes jobs, and drains on SIGTERM.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { QueueModule, WorkerPool } from 'jobcraft';
import { AnalysisJobs, WordCounter } from './analysis.jobs.js';
import { Settings, SettingsModule } from './settings.module.js';

@Module({
  imports: [
    QueueModule.forRootAsync({
      imports: [SettingsModule],
      inject: [Settings],
      useFactory: (settings: Settings) => ({ redis: settings.redisUrl, namespace: settings.namespace, concurrency: 2 }),
    }),
  ],
  providers: [WordCounter, AnalysisJobs],
})
class WorkerModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  app.get(WorkerPool).on('job:completed', (e) => console.log(`COMPLETED ${e.id}`));
  console.log('READY');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
