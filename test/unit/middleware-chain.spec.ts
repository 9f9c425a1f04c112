// HandlerRegistry's middleware chain: middleware wrap every handler in the order added, results flow back out
// through them, and a middleware cannot run the rest of the chain twice.
import { InvalidOptionsError } from '../../lib/core/errors.js';
import { HandlerRegistry } from '../../lib/core/handler-registry.js';
import type { Job, Middleware } from '../../lib/core/types.js';

function job(name = 'mail'): Job {
  return { id: 'j1', name, args: null, attempt: 1, enqueuedAt: 0, signal: new AbortController().signal, progress: async () => {} };
}

/** Compiles the registry and returns the chain of `name`. */
function chainOf(registry: HandlerRegistry, name = 'mail'): (job: Job) => Promise<unknown> {
  const entry = registry.compile().get(name);
  if (!entry) throw new Error(`no handler "${name}"`);
  return entry.run;
}

describe('HandlerRegistry middleware chain', () => {
  it('runs middleware in the order added, around the handler', async () => {
    const calls: string[] = [];
    const registry = new HandlerRegistry();
    const named = (n: string): Middleware => async (_job, next) => {
      calls.push(`${n} before`);
      const r = await next();
      calls.push(`${n} after`);
      return r;
    };
    registry.use(named('first'));
    registry.use(named('second'));
    registry.handle('mail', () => {
      calls.push('handler');
    });
    await chainOf(registry)(job());
    expect(calls).toEqual(['first before', 'second before', 'handler', 'second after', 'first after']);
  });

  it('wraps every handler in the same chain', async () => {
    const seen: string[] = [];
    const registry = new HandlerRegistry();
    registry.use(async (j, next) => {
      seen.push(j.name);
      return next();
    });
    registry.handle('mail', () => 'mailed');
    registry.handle('sms', () => 'texted');
    await expect(chainOf(registry, 'mail')(job('mail'))).resolves.toBe('mailed');
    await expect(chainOf(registry, 'sms')(job('sms'))).resolves.toBe('texted');
    expect(seen).toEqual(['mail', 'sms']);
  });

  it("flows the handler's result back out through each middleware", async () => {
    const registry = new HandlerRegistry();
    registry.use(async (_job, next) => ((await next()) as number) * 10);
    registry.use(async (_job, next) => ((await next()) as number) + 1);
    registry.handle('mail', async () => 1);
    await expect(chainOf(registry)(job())).resolves.toBe(20);
  });

  it('runs the handler alone when no middleware was added', async () => {
    const registry = new HandlerRegistry();
    registry.handle('mail', (j) => `ran ${j.id}`);
    await expect(chainOf(registry)(job())).resolves.toBe('ran j1');
  });

  it('lets a middleware answer without calling next(), so the handler does not run', async () => {
    let handled = 0;
    const registry = new HandlerRegistry();
    registry.use(async () => 'short-circuited');
    registry.handle('mail', () => ++handled);
    await expect(chainOf(registry)(job())).resolves.toBe('short-circuited');
    expect(handled).toBe(0);
  });

  it("passes the handler's error out through the middleware, which may catch it", async () => {
    const registry = new HandlerRegistry();
    registry.use(async (_job, next) => {
      try {
        return await next();
      } catch (err) {
        return `caught ${(err as Error).message}`;
      }
    });
    registry.handle('mail', () => {
      throw new Error('boom');
    });
    await expect(chainOf(registry)(job())).resolves.toBe('caught boom');
  });

  it.each([
    { label: 'the outer middleware', position: 0 },
    { label: 'the inner middleware', position: 1 },
  ])('rejects a second next() call from $label, and runs the handler once', async ({ position }) => {
    let handled = 0;
    const registry = new HandlerRegistry();
    for (let i = 0; i < 2; i++) {
      registry.use(
        i === position
          ? async (_job, next) => {
              await next();
              return next();
            }
          : async (_job, next) => next(),
      );
    }
    registry.handle('mail', async () => ++handled);
    await expect(chainOf(registry)(job())).rejects.toThrow('next() called more than once');
    expect(handled).toBe(1);
  });

  it('runs each job through a fresh chain (the double-next() guard is per job)', async () => {
    const registry = new HandlerRegistry();
    registry.use(async (_job, next) => next());
    registry.handle('mail', () => 'ok');
    const run = chainOf(registry);
    await expect(run(job())).resolves.toBe('ok');
    await expect(run(job())).resolves.toBe('ok');
  });
});

describe('HandlerRegistry after compile()', () => {
  it.each([
    { label: 'use', add: (r: HandlerRegistry) => r.use(async (_job, next) => next()) },
    { label: 'handle', add: (r: HandlerRegistry) => r.handle('late', () => null) },
  ])('$label throws InvalidOptionsError', ({ add }) => {
    const registry = new HandlerRegistry();
    registry.handle('mail', () => null);
    registry.compile();
    expect(() => add(registry)).toThrow(InvalidOptionsError);
  });

  it('returns the same handlers when compiled again', () => {
    const registry = new HandlerRegistry();
    registry.handle('mail', () => null);
    expect(registry.compile()).toBe(registry.compile());
  });
});
