// OpenTelemetry tracing across processes: this process registers an SDK (NodeTracerProvider, its default
// AsyncLocalStorage context manager, an in-memory exporter) and enqueues or fires ticks; a worker in a child process
// (test/fixtures/traced-worker.ts) with its own SDK runs the jobs and reports its finished spans over IPC.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Enqueuer, Inspector, Scheduler, WorkerPool, silentLogger } from '../../lib/core/index.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { spawnInstance, type Instance } from '../helpers/spawn-instance.js';
import { type SpanReport } from '../helpers/span-report.js';
import { waitFor } from '../helpers/wait-for.js';

const jobKey = (ns: string, id: string) => `jobcraft:{${ns}}:j:${id}`;

describe('tracing without an SDK', () => {
  it('with tracing on but no tracer provider registered, writes no tp field and runs as usual', async () => {
    trace.disable(); // no provider in this process (whatever ran before)
    const ns = randomNamespace('trace-nosdk');
    const enqueuer = new Enqueuer({ redis: redisUrl(), namespace: ns, tracing: true, logger: silentLogger });
    const pool = new WorkerPool({ redis: redisUrl(), namespace: ns, tracing: true, logger: silentLogger });
    const raw = rawClient();
    try {
      const one = await enqueuer.enqueue('plain', { n: 1 });
      const [many] = await enqueuer.enqueueMany([{ name: 'plain', args: { n: 2 } }]);
      const ids = [one.id, (many as { id: string }).id];
      for (const id of ids) {
        expect(await raw.hget(jobKey(ns, id), 'n')).toBe('plain');
        expect(await raw.hget(jobKey(ns, id), 'tp')).toBeNull();
      }
      pool.handle('plain', async (job) => ({ active: trace.getActiveSpan() !== undefined, args: job.args }));
      await pool.start();
      for (const id of ids) {
        expect(await enqueuer.waitFor(id, { timeout: '15s' })).toMatchObject({ state: 'completed', result: { active: false } });
      }
    } finally {
      await pool.stop();
      await enqueuer.close();
      await raw.quit();
    }
  });
});

describe('tracing with an SDK in this process and in the worker process', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let ns: string;
  let child: Instance;
  let enqueuer: Enqueuer;
  const raw = rawClient();

  beforeAll(async () => {
    provider.register(); // the default context manager: AsyncLocalStorage
    ns = randomNamespace('trace');
    enqueuer = new Enqueuer({ redis: redisUrl(), namespace: ns, tracing: true, logger: silentLogger });
    child = await spawnInstance('traced-worker.ts', { REDIS_URL: redisUrl(), NAMESPACE: ns });
  });
  afterAll(async () => {
    child.send({ type: 'stop' });
    await child.exited;
    await enqueuer.close();
    await raw.quit();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => exporter.reset());

  /** Runs `fn` inside an active span of this process, and ends it. */
  const underSpan = async <T>(name: string, fn: (span: Span) => Promise<T>): Promise<T> =>
    trace.getTracer('tracing.spec').startActiveSpan(name, async (span) => {
      try {
        return await fn(span);
      } finally {
        span.end();
      }
    });
  const finished = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);
  /** The child's span for one attempt of a job, once it has ended. */
  const consumerSpan = async (id: string, outcome: string, attempt = 1): Promise<SpanReport> =>
    (await child.message((m) => {
      const a = (m as unknown as SpanReport).attributes;
      return m.type === 'span' && a?.['messaging.message.id'] === id && a['jobcraft.job.attempt'] === attempt && a['jobcraft.job.outcome'] === outcome;
    })) as unknown as SpanReport;

  it('makes a PRODUCER span, child of the active span, and the worker continues its trace in a CONSUMER span', async () => {
    const { request, job } = await underSpan('request', async (span) => ({ request: span.spanContext(), job: await enqueuer.enqueue('traced-echo', { n: 1 }) }));

    const [producer] = finished('send traced-echo');
    expect(producer).toBeDefined();
    expect(producer!.kind).toBe(SpanKind.PRODUCER);
    expect(producer!.spanContext().traceId).toBe(request.traceId);
    expect(producer!.parentSpanContext?.spanId).toBe(request.spanId);
    expect(producer!.attributes).toEqual({
      'messaging.system': 'jobcraft',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'traced-echo',
      'messaging.message.id': job.id,
    });
    const { traceId, spanId } = producer!.spanContext();
    expect(await raw.hget(jobKey(ns, job.id), 'tp')).toBe(`00-${traceId}-${spanId}-01`);

    const consumer = await consumerSpan(job.id, 'completed');
    expect(consumer).toMatchObject({ name: 'process traced-echo', kind: SpanKind.CONSUMER, traceId, parentSpanId: spanId });
    expect(consumer.attributes).toEqual({
      'messaging.system': 'jobcraft',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'traced-echo',
      'messaging.message.id': job.id,
      'jobcraft.job.attempt': 1,
      'jobcraft.job.outcome': 'completed',
    });
    expect(consumer.status.code).toBe(SpanStatusCode.UNSET);
    // the handler ran inside the consumer span's context
    const done = await enqueuer.waitFor<unknown, { active: { traceId: string; spanId: string } }>(job.id, { timeout: '15s' });
    expect(done.result?.active).toEqual({ traceId, spanId: consumer.spanId });
  });

  it('ends a failed attempt with ERROR status, the exception and its outcome; every attempt is a child of the producer', async () => {
    const job = await underSpan('request', () => enqueuer.enqueue('traced-fail', null));
    const producer = finished('send traced-fail')[0]!.spanContext();

    const first = await consumerSpan(job.id, 'retrying', 1);
    const last = await consumerSpan(job.id, 'dead', 2);
    for (const span of [first, last]) {
      expect(span).toMatchObject({ name: 'process traced-fail', traceId: producer.traceId, parentSpanId: producer.spanId });
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
      expect(span.events).toContain('exception');
      expect(span.attributes['error.type']).toBe('Error');
    }
  });

  it('ends the span of an attempt an operator cancelled with outcome cancelled', async () => {
    const job = await enqueuer.enqueue('traced-hold', null);
    await child.message((m) => m.type === 'started' && m.id === job.id);
    const inspector = new Inspector({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    try {
      await inspector.cancel(job.id);
    } finally {
      await inspector.close();
    }
    const span = await consumerSpan(job.id, 'cancelled');
    expect(span).toMatchObject({ name: 'process traced-hold', parentSpanId: finished('send traced-hold')[0]!.spanContext().spanId });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('carries the context on: a job enqueued by a handler is traced as a child of that handler’s span', async () => {
    const job = await underSpan('request', () => enqueuer.enqueue('traced-chain', null));
    const traceId = finished('send traced-chain')[0]!.spanContext().traceId;
    const chain = await consumerSpan(job.id, 'completed');
    const innerId = (await enqueuer.waitFor<unknown, string>(job.id, { timeout: '15s' })).result!;

    // the child's producer span for the inner job is a child of the handler's consumer span
    const innerSend = (await child.message((m) => m.type === 'span' && (m as unknown as SpanReport).attributes['messaging.message.id'] === innerId && m.name === 'send traced-echo')) as unknown as SpanReport;
    expect(innerSend).toMatchObject({ kind: SpanKind.PRODUCER, traceId, parentSpanId: chain.spanId });
    const inner = await consumerSpan(innerId, 'completed');
    expect(inner).toMatchObject({ traceId, parentSpanId: innerSend.spanId });
  });

  it('enqueueMany: one PRODUCER span for the call, whose context every job carries', async () => {
    const jobs = (await underSpan('request', () => enqueuer.enqueueMany([
      { name: 'traced-echo', args: { n: 1 } },
      { name: 'traced-echo', args: { n: 2 } },
    ]))) as { id: string }[];

    const [batch] = finished('send traced-echo');
    expect(batch!.attributes).toMatchObject({ 'messaging.destination.name': 'traced-echo', 'messaging.batch.message_count': 2 });
    expect(batch!.attributes['messaging.message.id']).toBeUndefined();
    const { traceId, spanId } = batch!.spanContext();
    for (const { id } of jobs) {
      expect(await raw.hget(jobKey(ns, id), 'tp')).toBe(`00-${traceId}-${spanId}-01`);
      expect(await consumerSpan(id, 'completed')).toMatchObject({ traceId, parentSpanId: spanId });
    }
  });

  it('a periodic tick starts a new trace with a root tick span, and its job’s consumer span is that span’s child', async () => {
    const scheduler = new Scheduler({ redis: redisUrl(), namespace: ns, instanceId: 'spec', tracing: true, logger: silentLogger });
    scheduler.register('traced-tick', '@every 1s', { job: 'tick-job' });
    const fired = new Promise<{ jobId: string; tick: number }>((resolve) => scheduler.on('tick:fired', resolve));
    try {
      // started under an active span: ticks must not join that trace
      await underSpan('bootstrap', () => scheduler.start());
      const { jobId, tick } = await fired;
      const tickSpan = await waitFor(
        () => finished('tick traced-tick').find((s) => s.attributes['messaging.message.id'] === jobId),
        (s) => s !== undefined,
        { what: 'the tick span' },
      );
      expect(tickSpan!.parentSpanContext).toBeUndefined();
      expect(tickSpan!.kind).toBe(SpanKind.PRODUCER);
      expect(tickSpan!.attributes).toMatchObject({
        'messaging.system': 'jobcraft',
        'messaging.destination.name': 'tick-job',
        'jobcraft.periodic.entry': 'traced-tick',
        'jobcraft.periodic.tick_time': tick,
        'jobcraft.periodic.claim': 'fired',
      });
      expect(typeof tickSpan!.attributes['jobcraft.periodic.lateness_ms']).toBe('number');

      const consumer = await consumerSpan(jobId, 'completed');
      expect(consumer).toMatchObject({ name: 'process tick-job', traceId: tickSpan!.spanContext().traceId, parentSpanId: tickSpan!.spanContext().spanId });
      expect(consumer.attributes['jobcraft.periodic.entry']).toBe('traced-tick');
    } finally {
      await scheduler.stop();
    }
  });

  it('with tracing off, writes no tp field even under an active span, and makes no span', async () => {
    const plain = new Enqueuer({ redis: redisUrl(), namespace: ns, logger: silentLogger });
    try {
      const job = await underSpan('request', () => plain.enqueue('untraced', null));
      expect(await raw.hget(jobKey(ns, job.id), 'n')).toBe('untraced');
      expect(await raw.hget(jobKey(ns, job.id), 'tp')).toBeNull();
      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['request']);
    } finally {
      await plain.close();
    }
  });
});
