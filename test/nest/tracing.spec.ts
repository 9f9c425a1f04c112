// QueueModule's `tracing` option reaches the runtime's enqueuer, pool and scheduler (run against Nest 12 ESM and
// Nest 11 CommonJS, so the lazy @opentelemetry/api import works from both module systems).
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Enqueuer, InvalidOptionsError, JobHandler, QueueModule, silentLogger, type Job } from '../../lib/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';

@Injectable()
class EchoJobs {
  @JobHandler('nest-traced')
  echo(job: Job) {
    return job.args;
  }
}

describe('QueueModule tracing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let app: INestApplicationContext | undefined;
  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('with tracing: true, traces the enqueue and the run, the run a child of the enqueue', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [QueueModule.forRoot({ redis: redisUrl(), namespace: randomNamespace('nest-trace'), logger: silentLogger, tracing: true })],
      providers: [EchoJobs],
    }).compile();
    moduleRef.useLogger(false);
    app = await moduleRef.init();
    const enqueuer = app.get(Enqueuer);
    const job = await enqueuer.enqueue('nest-traced', { n: 1 });
    await enqueuer.waitFor(job.id, { timeout: '15s' });
    const spans = exporter.getFinishedSpans().filter((s) => s.attributes['messaging.message.id'] === job.id);
    const producer = spans.find((s) => s.kind === SpanKind.PRODUCER);
    const consumer = spans.find((s) => s.kind === SpanKind.CONSUMER);
    expect(producer?.name).toBe('send nest-traced');
    expect(consumer?.name).toBe('process nest-traced');
    expect(consumer?.spanContext().traceId).toBe(producer?.spanContext().traceId);
    expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
  });

  it('refuses a tracing option that is not a boolean, naming QueueModule.tracing', async () => {
    const options = { redis: redisUrl(), namespace: randomNamespace('nest-trace'), logger: silentLogger, tracing: 'yes' as unknown as boolean };
    const attempt = Test.createTestingModule({ imports: [QueueModule.forRoot(options)] }).compile();
    await expect(attempt).rejects.toThrow(InvalidOptionsError);
    await expect(attempt).rejects.toThrow('QueueModule.tracing must be a boolean, got "yes"');
  });
});
