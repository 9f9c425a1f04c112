import type { SpanContext } from '@opentelemetry/api';
import type { OtelApi } from './load-otel.js';

/** A W3C trace-context `traceparent`, version 00, with an optional tracestate after one space. */
const TRACE_PARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?: (.+))?$/;

/**
 * The value of a job record's `tp` field for a span context: its W3C `traceparent`
 * (`00-<trace id>-<span id>-<flags>`, 55 characters, so the record keeps Redis's compact hash encoding), followed by
 * one space and the `tracestate` when there is one. jobcraft writes this itself rather than through the global
 * propagator: the record is our own format, and the API's default propagator writes nothing.
 * @param ctx - the span context to carry
 * @param api - the OpenTelemetry API, to check the context
 * @returns the field's value, or undefined if the context is invalid (nothing to carry)
 * @internal
 */
export function formatTraceParent(ctx: SpanContext, api: Pick<OtelApi, 'isSpanContextValid'>): string | undefined {
  if (!api.isSpanContextValid(ctx)) return undefined;
  const flags = (ctx.traceFlags & 0xff).toString(16).padStart(2, '0');
  const parent = `00-${ctx.traceId}-${ctx.spanId}-${flags}`;
  const state = ctx.traceState?.serialize();
  return state ? `${parent} ${state}` : parent;
}

/**
 * Reads a job record's `tp` field back into the remote span context it carries. Never throws: a value that is not
 * a valid traceparent is ignored (the consumer span then starts a new trace).
 * @param value - the field's value (undefined when the record has none)
 * @param api - the OpenTelemetry API, to check the context and parse the tracestate
 * @returns the span context (marked remote), or undefined
 * @internal
 */
export function parseTraceParent(value: string | undefined, api: Pick<OtelApi, 'isSpanContextValid' | 'createTraceState'>): SpanContext | undefined {
  if (value === undefined) return undefined;
  const m = TRACE_PARENT.exec(value);
  if (!m) return undefined;
  const ctx: SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true };
  if (m[4] !== undefined) ctx.traceState = api.createTraceState(m[4]);
  return api.isSpanContextValid(ctx) ? ctx : undefined;
}
