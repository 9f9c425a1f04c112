import { InvalidJobError, InvalidOptionsError, Enqueuer, WorkerPool, MAX_ARGS_BYTES } from '../../lib/core/index.js';
import { encodeArgs, validateEnqueueOptions } from '../../lib/core/validate.js';

describe('enqueue input validation (before anything touches Redis)', () => {
  it('encodes plain JSON args and treats omitted args as null', () => {
    expect(encodeArgs({ a: [1, 'x', null, true], b: { c: 1.5 } })).toBe('{"a":[1,"x",null,true],"b":{"c":1.5}}');
    expect(encodeArgs(undefined)).toBe('null');
    expect(encodeArgs({ keep: 1, drop: undefined })).toBe('{"keep":1}');
  });

  it.each([
    [{ n: 10n }, /args\.n is a BigInt/],
    [{ f: () => 1 }, /args\.f is a function/],
    [[1, undefined], /args\[1\] is undefined/],
    [{ x: Number.NaN }, /args\.x is NaN/],
    [{ d: new Date(0) }, /args\.d is a Date.*toISOString/],
    [{ m: new Map() }, /args\.m is a Map/],
    [Symbol('s'), /args is a symbol/],
  ])('rejects %p with InvalidJobError naming the path', (args, message) => {
    expect(() => encodeArgs(args)).toThrow(InvalidJobError);
    expect(() => encodeArgs(args)).toThrow(message);
  });

  it('caps args at MAX_ARGS_BYTES bytes of UTF-8 JSON, not UTF-16 units', () => {
    const ascii = 'a'.repeat(MAX_ARGS_BYTES - 2); // with its quotes: exactly the limit
    expect(encodeArgs(ascii)).toHaveLength(MAX_ARGS_BYTES);
    expect(() => encodeArgs(ascii + 'a')).toThrow(InvalidJobError);
    const korean = '갈'.repeat(400_000); // 400,002 UTF-16 units, 1,200,002 bytes of UTF-8
    expect(() => encodeArgs(korean)).toThrow(/is 1200002 bytes of JSON \(UTF-8\); the limit is 1048576/);
  });

  it('rejects cycles but accepts the same object twice in a tree', () => {
    const shared = { v: 1 };
    expect(encodeArgs({ a: shared, b: shared })).toBe('{"a":{"v":1},"b":{"v":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeArgs(cyclic)).toThrow(/args\.self refers back to itself/);
  });

  it.each([
    [{ delay: '2 seconds' }, /delay/],
    [{ delay: 10, runAt: new Date() }, /delay or runAt/],
    [{ runAt: 'tomorrow' }, /runAt must be a valid Date/],
    [{ id: 'has space' }, /id must be/],
    [{ id: 'a|b' }, /id must be/],
    [{ maxFails: 0 }, /maxFails/],
    [{ priority: 1.5 }, /priority/],
    [{ backoff: { type: 'linear' } }, /backoff\.type/],
    [{ retention: -5 }, /retention/],
    [{ timeout: 0 }, /timeout/],
    [{ unique: 'yes' }, /unique must be a boolean/],
    [{ retries: 3 }, /unknown option "retries"/],
  ])('rejects options %p', (options, message) => {
    expect(() => validateEnqueueOptions(options)).toThrow(InvalidJobError);
    expect(() => validateEnqueueOptions(options)).toThrow(message);
  });

  it.each([
    ['one second before the epoch', new Date(-1000)],
    ['the last day of 1969', new Date('1969-12-31')],
  ])('treats a runAt %s as due now (0), which the enqueue script can read', (_what, runAt) => {
    expect(validateEnqueueOptions({ runAt })).toMatchObject({ runAtMs: 0 });
    expect(validateEnqueueOptions({ runAt: new Date(1500) })).toMatchObject({ runAtMs: 1500 });
  });

  it('refuses a delay too long to print as digits (1e21 ms prints as "1e+21"), which the enqueue script cannot read', () => {
    expect(validateEnqueueOptions({ delay: 8.64e15 })).toMatchObject({ delayMs: 8.64e15 });
    expect(() => validateEnqueueOptions({ delay: 1e21 })).toThrow(InvalidJobError);
    expect(() => validateEnqueueOptions({ delay: 1e21 })).toThrow(/options\.delay must be at most 8640000000000000 ms/);
  });

  it('rejects invalid constructor and handler options with InvalidOptionsError naming the field', () => {
    expect(() => new Enqueuer({ namespace: 'has{brace}' })).toThrow(/Enqueuer\.namespace/);
    expect(() => new WorkerPool({ concurrency: 0 })).toThrow(InvalidOptionsError);
    expect(() => new WorkerPool({ lease: '10ms' })).toThrow(/lease must be at least/);
    const pool = new WorkerPool({});
    expect(() => pool.handle('x', async () => 1, { concurrency: -1 })).toThrow(/handle\("x"\)\.concurrency/);
    expect(() => pool.handle('y', async () => 1, { timeout: 'never' } as never)).toThrow(/timeout/);
    expect(() => pool.handle('bad name', async () => 1)).toThrow(InvalidOptionsError);
    pool.handle('z', async () => 1);
    expect(() => pool.handle('z', async () => 2)).toThrow(/already registered/);
  });
});
