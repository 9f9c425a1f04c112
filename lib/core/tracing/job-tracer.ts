import type { Attributes, Context, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import type { JobError, TickInfo } from '../types.js';
import { loadOtelApi, type OtelApi } from './load-otel.js';
import { formatTraceParent, parseTraceParent } from './trace-parent.js';

/** `messaging.system` of every span, and the tracer's name. */
const SYSTEM = 'jobcraft';

/** How a traced attempt ended (`jobcraft.job.outcome`). @internal */
export type ProcessOutcome = 'completed' | 'retrying' | 'dead' | 'cancelled' | 'lost' | 'released';

/** What claiming a tick did (`jobcraft.periodic.claim`). @internal */
export type TickClaimResult = 'fired' | 'taken' | 'skipped' | 'early' | 'gave_up' | 'failed';

/** The CONSUMER span of one attempt, and the context its handler runs in. @internal */
export interface ProcessTrace {
  /** The `process <name>` span. */
  readonly span: Span;
  /** The producer's context (from the record) with this span set: the handler's active context. */
  readonly context: Context;
}

/** A job as the consumer side needs it. @internal */
export interface TracedJob {
  /** The job id. */
  id: string;
  /** The job name. */
  name: string;
  /** The record's `tp` field: the producer's context. */
  trace?: string;
  /** The tick that created it, for a periodic entry's job. */
  tick?: TickInfo;
}

/**
 * jobcraft's spans, following the OpenTelemetry messaging semantic conventions: a PRODUCER span per enqueue
 * (`send <name>`), a CONSUMER span per attempt (`process <name>`, a child of the producer's context carried in the
 * record's `tp` field), and a root PRODUCER span per tick claim (`tick <entry>`). It uses the API only: with no tracer
 * provider registered, every method returns undefined at once and nothing is allocated, injected or extracted.
 * @internal
 */
export class JobTracer {
  private provider?: TracerProvider;
  private tracer?: Tracer;

  /** @param api - the loaded `@opentelemetry/api` */
  constructor(private readonly api: OtelApi) {}

  /**
   * The registered provider's tracer, or undefined while none is registered (the API's proxy has no delegate). Found
   * again only when the global provider changes, or while there is none (a provider may be registered later).
   */
  private active(): Tracer | undefined {
    const provider = this.api.trace.getTracerProvider() as TracerProvider & { getDelegateTracer?: (name: string) => Tracer | undefined };
    if (provider === this.provider && this.tracer) return this.tracer;
    // the API's ProxyTracerProvider: no delegate means no SDK, answered without allocating anything
    const tracer = typeof provider.getDelegateTracer === 'function' ? provider.getDelegateTracer(SYSTEM) : provider.getTracer(SYSTEM);
    this.provider = provider;
    this.tracer = tracer;
    return tracer;
  }

  /**
   * Starts the PRODUCER span of one enqueue, a child of the active context.
   * @param name - the job name
   * @param id - the job id
   * @returns the span, or undefined if no tracer provider is registered
   */
  send(name: string, id: string): Span | undefined {
    const tracer = this.active();
    if (!tracer) return undefined;
    return tracer.startSpan(`send ${name}`, {
      kind: this.api.SpanKind.PRODUCER,
      attributes: { ...messaging('send', 'send', name), 'messaging.message.id': id },
    });
  }

  /**
   * Starts the PRODUCER span of an `enqueueMany` call: one span for the batch, whose context every job carries.
   * @param names - the job names, in order
   * @returns the span, or undefined if no tracer provider is registered
   */
  sendBatch(names: readonly string[]): Span | undefined {
    const tracer = this.active();
    if (!tracer) return undefined;
    const name = names.every((n) => n === names[0]) ? names[0] : undefined;
    const attributes = name === undefined ? messaging('send', 'send') : messaging('send', 'send', name);
    attributes['messaging.batch.message_count'] = names.length;
    return tracer.startSpan(name === undefined ? 'send' : `send ${name}`, { kind: this.api.SpanKind.PRODUCER, attributes });
  }

  /**
   * Starts the root span of one tick claim (`tick <entry>`), whatever context is active: a tick starts a new trace.
   * Its job carries its context.
   * @param entry - the periodic entry
   * @param job - the job name its ticks enqueue
   * @param jobId - the tick's job id
   * @param tick - the tick time (ms)
   * @returns the span, or undefined if no tracer provider is registered
   */
  tick(entry: string, job: string, jobId: string, tick: number): Span | undefined {
    const tracer = this.active();
    if (!tracer) return undefined;
    return tracer.startSpan(`tick ${entry}`, {
      kind: this.api.SpanKind.PRODUCER,
      root: true,
      attributes: {
        ...messaging('send', 'tick', job),
        'messaging.message.id': jobId,
        'jobcraft.periodic.entry': entry,
        'jobcraft.periodic.tick_time': tick,
      },
    });
  }

  /**
   * The value of the record's `tp` field for a producer span (see {@link formatTraceParent}).
   * @param span - the producer or tick span
   * @returns the field's value, or undefined if the span's context is invalid
   */
  carrier(span: Span): string | undefined {
    return formatTraceParent(span.spanContext(), this.api);
  }

  /**
   * Starts the CONSUMER span of one attempt, a child of the producer's context read from the record (a job without
   * one starts a new trace; the context active in the pool never leaks in).
   * @param job - the job
   * @param attempt - the attempt (1-based)
   * @returns the span and the context the handler runs in, or undefined if no tracer provider is registered
   */
  process(job: TracedJob, attempt: number): ProcessTrace | undefined {
    const tracer = this.active();
    if (!tracer) return undefined;
    const { trace, ROOT_CONTEXT } = this.api;
    const remote = parseTraceParent(job.trace, this.api);
    const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
    const attributes = messaging('process', 'process', job.name);
    attributes['messaging.message.id'] = job.id;
    attributes['jobcraft.job.attempt'] = attempt;
    if (job.tick) attributes['jobcraft.periodic.entry'] = job.tick.entry;
    const span = tracer.startSpan(`process ${job.name}`, { kind: this.api.SpanKind.CONSUMER, attributes }, parent);
    return { span, context: trace.setSpan(parent, span) };
  }

  /**
   * Runs `fn` with an attempt's context active, so spans and enqueues made by the handler are its children.
   * @param t - the attempt's trace
   * @param fn - the middleware chain and handler
   * @returns what `fn` returns
   */
  within<T>(t: ProcessTrace, fn: () => T): T {
    return this.api.context.with(t.context, fn);
  }

  /**
   * Ends an attempt's span with its outcome; `retrying` and `dead` (with the handler's error) and `lost` are errors.
   * @param t - the attempt's trace
   * @param outcome - how the attempt ended
   * @param error - what the handler threw, for `retrying` and `dead`
   */
  endProcess(t: ProcessTrace, outcome: ProcessOutcome, error?: unknown): void {
    t.span.setAttribute('jobcraft.job.outcome', outcome);
    if (outcome === 'retrying' || outcome === 'dead') this.fail(t.span, error);
    else if (outcome === 'lost') t.span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: 'lease lost: another worker owns the job now' });
    t.span.end();
  }

  /**
   * Ends a producer span, as failed if `error` is given.
   * @param span - the span
   * @param error - why the enqueue failed, if it did
   */
  endSend(span: Span, error?: unknown): void {
    if (error !== undefined) this.fail(span, error);
    span.end();
  }

  /**
   * Ends a tick span with what its claim did.
   * @param span - the span
   * @param claim - what the claim did
   * @param lateMs - Redis time of the claim minus the tick, when Redis answered with its time
   * @param error - why the claim failed, if it did
   */
  endTick(span: Span, claim: TickClaimResult, lateMs?: number, error?: unknown): void {
    span.setAttribute('jobcraft.periodic.claim', claim);
    if (lateMs !== undefined) span.setAttribute('jobcraft.periodic.lateness_ms', lateMs);
    if (error !== undefined) this.fail(span, error);
    span.end();
  }

  /**
   * Marks a span failed: status ERROR, `error.type`, and the exception recorded.
   * @param error - what was thrown, or a stored {@link JobError} (name, message, stack head)
   */
  private fail(span: Span, error: unknown): void {
    const e = asException(error);
    span.recordException(e);
    span.setAttribute('error.type', e.name);
    span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: e.message });
  }
}

/** An error as a span records it: what was thrown, or the stored form of a handler's error. */
function asException(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) return error;
  const e = error as Partial<JobError> | null | undefined;
  if (e !== null && typeof e === 'object' && typeof e.message === 'string') {
    return { name: typeof e.name === 'string' ? e.name : 'Error', message: e.message, ...(typeof e.stack === 'string' ? { stack: e.stack } : {}) };
  }
  return { name: 'Error', message: typeof error === 'string' ? error : 'non-error thrown' };
}

/** The messaging attributes every span has. */
function messaging(type: 'send' | 'process', operation: string, destination?: string): Attributes {
  const a: Attributes = { 'messaging.system': SYSTEM, 'messaging.operation.type': type, 'messaging.operation.name': operation };
  if (destination !== undefined) a['messaging.destination.name'] = destination;
  return a;
}

/**
 * Loads the API (once per process) and creates a tracer for a component with `tracing: true`.
 * @param field - the option, named in the error (e.g. `WorkerPool.tracing`)
 * @returns the tracer
 * @throws {@link InvalidOptionsError} naming `field` and `@opentelemetry/api` if the package cannot be loaded
 * @internal
 */
export async function createJobTracer(field: string): Promise<JobTracer> {
  return new JobTracer(await loadOtelApi(field));
}
