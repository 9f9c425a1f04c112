// The producer process: an HTTP app (NestFactory.create, Express) that boots QueueModule.forRoot with `workers: false`
// next to QueueDashboardModule, enqueues one `analyze` job through an injected, typed Enqueuer, reads the job back
// by id once it has finished and prints it as `RESULT <json>`; then requests the dashboard's page, script and
// overview over HTTP and prints what it got as `DASHBOARD <json>` (the package check judges both lines).
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Enqueuer, QueueDashboardModule, QueueModule, type JobInfo } from 'jobcraft';
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
  imports: [
    QueueModule.forRoot({ redis: env('REDIS_URL'), namespace: env('JOBCRAFT_NAMESPACE'), workers: false, scheduler: false }),
    QueueDashboardModule.forRoot({ path: '/jobs' }),
  ],
  providers: [Submitter],
})
class ProducerModule {}

/** One response as the check sees it. */
interface Seen {
  status: number;
  contentType: string | null;
  bytes: number;
}

async function get(origin: string, path: string): Promise<{ seen: Seen; text: string }> {
  const res = await fetch(`${origin}${path}`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { seen: { status: res.status, contentType: res.headers.get('content-type'), bytes: Buffer.byteLength(text) }, text };
}

/** The dashboard's page, script and overview, fetched the way a browser would. */
async function dashboard(origin: string): Promise<Record<string, unknown>> {
  const page = await get(origin, '/jobs');
  const appJs = await get(origin, '/jobs/assets/app.js');
  const overview = await get(origin, '/jobs/api/overview');
  let names: unknown = null;
  let readOnly: unknown = null;
  try {
    const body = JSON.parse(overview.text) as { names?: { name?: unknown }[]; readOnly?: unknown };
    names = Array.isArray(body.names) ? body.names.map((n) => n?.name) : null;
    readOnly = body.readOnly;
  } catch {
    names = `not JSON: ${overview.text.slice(0, 200)}`;
  }
  return {
    page: { ...page.seen, base: /<meta name="jobcraft-base" content="([^"]*)">/.exec(page.text)?.[1] ?? null },
    appJs: appJs.seen,
    overview: { ...overview.seen, names, readOnly },
  };
}

async function main(): Promise<void> {
  const app = await NestFactory.create(ProducerModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  try {
    const info = await app.get(Submitter).analyze('what users install must work');
    console.log(`RESULT ${JSON.stringify({ ...info, producerPid: process.pid })}`);
    console.log(`DASHBOARD ${JSON.stringify(await dashboard(`http://127.0.0.1:${port}`))}`);
  } finally {
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
