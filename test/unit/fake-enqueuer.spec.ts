// The testing kit's FakeEnqueuer without Nest and without Redis: it stands in for every Enqueuer method, runs jobs
// through handlers and middleware as a worker would (progress, timeout, retries), and importing the main entry
// point does not load the kit's process-spawning code.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Enqueuer, InvalidOptionsError, JobTimeoutError, WaitTimeoutError, QueueClosedError, DuplicateHandlerError, type Job } from '../../lib/core/index.js';
import { FakeEnqueuer } from '../../lib/testing/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every lib file reachable from `entry` through static and dynamic relative imports. */
function importGraph(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = readFileSync(entry, 'utf8');
  for (const m of source.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)\.js['"]/g)) importGraph(resolve(dirname(entry), `${m[1]}.ts`), seen);
  return seen;
}

describe('FakeEnqueuer', () => {
  it('overrides every public method of Enqueuer, so none of them can reach Redis', () => {
    // public methods as declared in the source (TypeScript's private ones are not called by the overrides)
    const source = readFileSync(join(root, 'lib/core/enqueuer.ts'), 'utf8');
    const declared = [...source.matchAll(/^ {2}(?:async )?(\w+)\s*[<(]/gm)].map((m) => m[1]!).filter((n) => n !== 'constructor');
    expect(declared).toEqual(expect.arrayContaining(['close', 'enqueue', 'enqueueMany', 'getJob', 'waitFor']));
    // a public method added to Enqueuer fails here until FakeEnqueuer overrides it (lib/testing/fake-enqueuer.ts)
    const own = Object.getOwnPropertyNames(FakeEnqueuer.prototype);
    expect(declared.filter((m) => !own.includes(m))).toEqual([]);
  });

  it('runs a job through middleware and handler with progress, retries it as a worker would, and honours its timeout', async () => {
    const steps: string[] = [];
    let calls = 0;
    const fake = new FakeEnqueuer({ namespace: 'unit', maxFails: 3 })
      .use(async (job, next) => {
        steps.push(`mw:${job.name}:${job.attempt}`);
        return next();
      })
      .handle('flaky', async (job: Job<{ n: number }>) => {
        await job.progress({ pct: 50 });
        if (++calls < 2) throw new Error('first time');
        return job.args.n * 2;
      })
      .handle('slow', (job) => new Promise((r) => job.signal.addEventListener('abort', r)), { timeout: 20 });
    expect(fake.namespace).toBe('unit');
    const job = await fake.enqueue('flaky', { n: 21 });
    const waiting = fake.waitFor(job.id, { timeout: '10s' });
    await expect(fake.run(job.id)).rejects.toThrow('first time');
    expect(await fake.getJob(job.id)).toMatchObject({ state: 'retrying', attempts: 1, progress: { pct: 50 } });
    await expect(fake.runAll()).resolves.toMatchObject([{ id: job.id, state: 'completed', attempts: 2, result: 42, error: { message: 'first time' } }]);
    await expect(waiting).resolves.toMatchObject({ state: 'completed', result: 42 });
    expect(steps).toEqual(['mw:flaky:1', 'mw:flaky:2']);
    const slow = await fake.enqueue('slow');
    await expect(fake.run(slow.id)).rejects.toThrow(JobTimeoutError);
    await expect(fake.run(job.id)).rejects.toThrow(/the job is completed; only queued, scheduled or retrying jobs run/);
  });

  it('validates its own options and registrations like a pool, and closes', async () => {
    expect(() => new FakeEnqueuer({ namespace: 'has space' })).toThrow(InvalidOptionsError);
    expect(() => new FakeEnqueuer({ retries: 1 } as never)).toThrow(/unknown option "retries"/);
    const fake = new FakeEnqueuer().handle('a', async () => null);
    expect(() => fake.handle('a', async () => null)).toThrow(DuplicateHandlerError);
    await fake.runAll(); // compiles the handlers; registering later still works
    fake.handle('b', async () => 'b');
    const b = await fake.enqueue('b');
    await expect(fake.run(b.id)).resolves.toMatchObject({ result: 'b' });
    await expect(fake.waitFor('nope-unknown', { timeout: 10 })).rejects.toThrow(/does not exist/);
    const a = await fake.enqueue('a');
    await expect(fake.waitFor(a.id, { timeout: 10 })).rejects.toThrow(WaitTimeoutError);
    await fake.close();
    await expect(fake.enqueue('a')).rejects.toThrow(QueueClosedError);
  });

  it("is all the main entry point loads of the kit: importing 'jobcraft' never reaches startTestRedis or drain", () => {
    const graph = [...importGraph(join(root, 'lib/index.ts'))].map((f) => f.slice(root.length + 1));
    expect(graph).toContain('lib/testing/fake-enqueuer.ts');
    expect(graph.filter((f) => f.startsWith('lib/testing/'))).toEqual(['lib/testing/fake-enqueuer.ts']);
    expect(graph.filter((f) => /child_process/.test(readFileSync(join(root, f), 'utf8')))).toEqual([]);
  });
});
