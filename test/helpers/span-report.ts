// A finished OpenTelemetry span as a traced child process reports it to the test over IPC
// (test/fixtures/traced-worker.ts sends them; test/core/tracing.spec.ts reads them).
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** What the parent learns about one finished span. */
export interface SpanReport {
  type: 'span';
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Attributes;
  status: { code: number; message?: string };
  events: string[];
}

/** The report of a finished span. */
export function spanReport(s: ReadableSpan): SpanReport {
  return {
    type: 'span',
    name: s.name,
    kind: s.kind,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
    attributes: s.attributes,
    status: s.status,
    events: s.events.map((e) => e.name),
  };
}
