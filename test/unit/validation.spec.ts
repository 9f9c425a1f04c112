import { InvalidJobError, InvalidOptionsError } from '../../lib/core/index.js';
import { describe as describeValue, duration, flag, identifier, int, number, object, oneOf, text } from '../../lib/core/validation.js';

const E = InvalidOptionsError;

describe('the validation toolkit', () => {
  it('object: accepts a plain object of known keys and names an unknown key', () => {
    const input = { a: 1, b: 'x' };
    expect(object(input, 'thing', E, ['a', 'b', 'c'])).toBe(input);
    expect(() => object({ a: 1, z: 2 }, 'thing', E, ['a'])).toThrow('thing: unknown option "z"');
    expect(object({ a: 1, z: 2 }, 'thing', E, ['a'], { others: 'ignore' })).toEqual({ a: 1, z: 2 });
  });

  it.each([
    [null, 'null'],
    [[1], '[1]'],
    ['fast', '"fast"'],
    [undefined, 'undefined'],
    [() => 1, 'a function'],
  ])('object: refuses %p, describing it as %s', (value, shown) => {
    expect(() => object(value, 'handle("x")', E, ['a'])).toThrow(`handle("x"): options must be an object, got ${shown}`);
  });

  it('object: words "must be" with the label and expectation given', () => {
    expect(() => object(5, 'options', InvalidJobError, [], { label: 'enqueue("x"): options' })).toThrow('enqueue("x"): options must be an object, got 5');
    expect(() => object('no', 'b', E, [], { label: 'b', expected: '{ type }' })).toThrow('b must be { type }, got "no"');
  });

  it('throws the error class it is given', () => {
    expect(() => int(0, 'n', InvalidJobError, { min: 1, max: 2 })).toThrow(InvalidJobError);
    expect(() => int(0, 'n', InvalidOptionsError, { min: 1, max: 2 })).toThrow(InvalidOptionsError);
    expect(() => duration('soon', 'd', InvalidJobError)).toThrow(InvalidJobError);
  });

  it('int: keeps to its bounds, refuses fractions and non-numbers, and falls back when not given', () => {
    const spec = { min: 1, max: 10 };
    expect(int(1, 'n', E, spec)).toBe(1);
    expect(int(10, 'n', E, spec)).toBe(10);
    expect(int(undefined, 'n', E, spec)).toBeUndefined();
    expect(int(undefined, 'n', E, { ...spec, fallback: 0 })).toBe(0);
    for (const bad of [0, 11, 1.5, Number.NaN, '3', null]) {
      expect(() => int(bad, 'pool.size', E, spec)).toThrow(/^pool\.size must be an integer from 1 to 10, got /);
    }
    expect(() => int('3', 'n', E, spec)).toThrow('got "3"');
  });

  it('duration: converts ms numbers and strings, with allowZero, min and fallback', () => {
    expect(duration('1.5s', 'd', E)).toBe(1500);
    expect(duration(250, 'd', E)).toBe(250);
    expect(duration(0, 'd', E)).toBe(0);
    expect(duration(undefined, 'd', E)).toBeUndefined();
    expect(duration(undefined, 'd', E, { fallback: 7 })).toBe(7);
    expect(() => duration(0, 'stop.timeout', E, { allowZero: false })).toThrow(/^stop\.timeout must be a positive duration/);
    expect(() => duration(-5, 'd', E)).toThrow(/d must be a non-negative duration .*got -5/);
    expect(() => duration('1 fortnight', 'd', E)).toThrow(/got "1 fortnight"/);
    expect(() => duration('10ms', 'pool.lease', E, { min: 300 })).toThrow('pool.lease must be at least 300 ms, got 10 ms');
  });

  it('oneOf: lists the values accepted, falls back when not given, and requires a value without a fallback', () => {
    const values = ['once', 'skip', 'all'] as const;
    expect(oneOf('skip', 'm', E, values, 'once')).toBe('skip');
    expect(oneOf(undefined, 'm', E, values, 'once')).toBe('once');
    expect(() => oneOf('later', 'e.misfire', E, values, 'once')).toThrow(`e.misfire must be 'once', 'skip' or 'all', got "later"`);
    expect(() => oneOf(undefined, 'b.type', E, ['exponential', 'fixed'])).toThrow(`b.type must be 'exponential' or 'fixed', got undefined`);
  });

  it('flag and number: check the type and fall back when not given', () => {
    expect(flag(undefined, 'f', E, true)).toBe(true);
    expect(flag(false, 'f', E, true)).toBe(false);
    expect(() => flag('yes', 'Q.workers', E, true)).toThrow('Q.workers must be a boolean, got "yes"');
    expect(number(undefined, 'o', E, 0)).toBe(0);
    expect(number(-2.5, 'o', E, 0)).toBe(-2.5);
    expect(() => number(Infinity, 'order', E, 0)).toThrow('order must be a finite number, got Infinity');
  });

  it('text: matches the pattern, naming what it expects', () => {
    const spec = { pattern: /^[a-z]{1,3}$/, expected: '1-3 lowercase letters' };
    expect(text('ab', 't', E, spec)).toBe('ab');
    expect(text(undefined, 't', E, { ...spec, fallback: 'x' })).toBe('x');
    expect(() => text('ABCD', 'ns', E, spec)).toThrow('ns must be 1-3 lowercase letters, got "ABCD"');
  });

  it('identifier: one rule for job and entry names (1-128 characters), longer for ids', () => {
    expect(identifier('send-email:v2', 'name', E)).toBe('send-email:v2');
    expect(identifier('갈'.repeat(128), 'name', E)).toHaveLength(128);
    expect(identifier('😀'.repeat(128), 'name', E)).toHaveLength(256); // characters, not UTF-16 units
    for (const bad of ['', 'has space', 'tab\t', 'a{b}', 'a|b', 'nul\0', 'x'.repeat(129), 42, undefined]) {
      expect(() => identifier(bad, 'name', E)).toThrow(/^name must be 1-128 characters with no whitespace, control characters, "\{", "\}" or "\|", got /);
    }
    expect(identifier('x'.repeat(200), 'id', E, 200)).toHaveLength(200);
    expect(() => identifier('x'.repeat(201), 'id', E, 200)).toThrow(/id must be 1-200 characters/);
  });

  it('describe: renders values briefly for messages', () => {
    expect(describeValue('a')).toBe('"a"');
    expect(describeValue(10n)).toBe('10n');
    expect(describeValue({ a: 1 })).toBe('{"a":1}');
    expect(describeValue({ long: 'x'.repeat(100) })).toHaveLength(60);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('[object Object]');
  });
});
