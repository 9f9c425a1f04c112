import * as api from '@opentelemetry/api';
import { InvalidOptionsError } from '../../lib/core/index.js';
import { createOtelLoader, type OtelApi } from '../../lib/core/tracing/load-otel.js';
import { formatTraceParent, parseTraceParent } from '../../lib/core/tracing/trace-parent.js';

/** What Node throws when a package is not installed. */
function notInstalled(): Error {
  return Object.assign(new Error("Cannot find package '@opentelemetry/api' imported from /app/node_modules/jobcraft/dist/esm/core/tracing/load-otel.js"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
}

describe('the lazy @opentelemetry/api loader', () => {
  it('turns a missing package into an InvalidOptionsError naming the option and the package', async () => {
    const load = createOtelLoader(() => Promise.reject(notInstalled()));
    const err = await load('WorkerPool.tracing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidOptionsError);
    expect(err).toMatchObject({ code: 'INVALID_OPTIONS' });
    expect((err as Error).message).toMatch(/^WorkerPool\.tracing is true, but the optional peer dependency "@opentelemetry\/api" could not be loaded/);
    expect((err as Error).message).toContain('npm install @opentelemetry/api');
    expect((err as Error).message).toContain('Cannot find package');
  });

  it('imports the package once, however many components ask at once or later', async () => {
    let imports = 0;
    const load = createOtelLoader(async () => {
      imports++;
      return api as unknown as OtelApi;
    });
    const [a, b] = await Promise.all([load('Enqueuer.tracing'), load('WorkerPool.tracing')]);
    const c = await load('Scheduler.tracing');
    expect(imports).toBe(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
  });

  it('does not remember a failure: once the package can be loaded, the next call succeeds', async () => {
    let installed = false;
    const load = createOtelLoader(async () => {
      if (!installed) throw notInstalled();
      return api as unknown as OtelApi;
    });
    await expect(load('Enqueuer.tracing')).rejects.toBeInstanceOf(InvalidOptionsError);
    installed = true;
    await expect(load('Enqueuer.tracing')).resolves.toBeDefined();
  });
});

describe('the tp record field (W3C traceparent, then tracestate)', () => {
  const ctx: api.SpanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: api.TraceFlags.SAMPLED };

  it('writes a traceparent, with the tracestate after one space when there is one, and reads both back as remote', () => {
    expect(formatTraceParent(ctx, api)).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    const withState = { ...ctx, traceFlags: api.TraceFlags.NONE, traceState: api.createTraceState('vendor=a b,other=x') };
    const tp = formatTraceParent(withState, api)!;
    expect(tp).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00 vendor=a b,other=x');
    const back = parseTraceParent(tp, api)!;
    expect(back).toMatchObject({ traceId: ctx.traceId, spanId: ctx.spanId, traceFlags: 0, isRemote: true });
    expect(back.traceState?.get('vendor')).toBe('a b');
    expect(back.traceState?.serialize()).toBe('vendor=a b,other=x');
  });

  it('writes nothing for an invalid context', () => {
    expect(formatTraceParent(api.INVALID_SPAN_CONTEXT, api)).toBeUndefined();
  });

  it.each([
    ['missing', undefined],
    ['garbage', 'not a traceparent'],
    ['unknown version', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['upper case', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01'],
  ])('reads a %s value as no context, never throwing', (_, value) => {
    expect(parseTraceParent(value, api)).toBeUndefined();
  });
});
