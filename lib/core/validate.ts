import { InvalidJobError, type JobcraftError } from './errors.js';
import { describe, toMs } from './spec/duration.js';
import type { BackoffSpec, EnqueueOptions } from './types.js';

type ErrorClass = new (message: string) => JobcraftError;

// no whitespace or control characters (records are packed with \0), no braces (hash tags) or | (lease members)
const NAME = /^[^\s\p{Cc}{}|]{1,128}$/u;
const ID = /^[^\s\p{Cc}{}|]{1,200}$/u;
/** Largest job args accepted: 1 MiB of JSON (UTF-8). Bigger data belongs in a blob store, with a reference in the args. */
export const MAX_ARGS_BYTES = 1024 * 1024;

/**
 * Checks a job name: 1-128 characters, no whitespace, braces or `|`.
 * @internal
 */
export function validateJobName(name: unknown, field: string, E: ErrorClass = InvalidJobError): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new E(`${field} must be 1-128 characters with no whitespace, control characters, "{", "}" or "|", got ${describe(name)}`);
  }
}

/**
 * Serialises args to JSON, refusing anything that would not survive the round trip:
 * BigInt, functions, symbols, cycles, non-finite numbers, `undefined` in arrays, and non-plain objects
 * (Date, Map, class instances). `undefined` object properties are dropped, as JSON does; omitted args are `null`.
 * @internal
 */
export function encodeArgs(args: unknown, field = 'args'): string {
  if (args === undefined) return 'null';
  check(args, field, new Set());
  const json = JSON.stringify(args);
  // a UTF-16 unit is at most 3 bytes of UTF-8: count the bytes only when the length alone cannot tell
  if (json.length * 3 > MAX_ARGS_BYTES) {
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_ARGS_BYTES) throw new InvalidJobError(`${field} is ${bytes} bytes of JSON (UTF-8); the limit is ${MAX_ARGS_BYTES}`);
  }
  return json;
}

function check(v: unknown, path: string, seen: Set<object>): void {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(v)) throw new InvalidJobError(`${path} is ${v}, which JSON cannot represent`);
      return;
    case 'bigint':
      throw new InvalidJobError(`${path} is a BigInt, which JSON cannot represent; pass it as a string`);
    case 'function':
      throw new InvalidJobError(`${path} is a function; job args must be JSON data`);
    case 'symbol':
      throw new InvalidJobError(`${path} is a symbol; job args must be JSON data`);
    case 'undefined':
      throw new InvalidJobError(`${path} is undefined; job args must be JSON data (use null)`);
  }
  if (v === null) return;
  const obj = v as object;
  if (seen.has(obj)) throw new InvalidJobError(`${path} refers back to itself (a cycle); job args must be a tree of JSON data`);
  seen.add(obj);
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) check(obj[i], `${path}[${i}]`, seen);
  } else {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (obj as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      throw new InvalidJobError(`${path} is a ${kind}, not plain JSON data${kind === 'Date' ? ' (pass date.toISOString())' : ''}`);
    }
    for (const [k, val] of Object.entries(obj)) {
      if (val !== undefined) check(val, `${path}.${k}`, seen);
    }
  }
  seen.delete(obj);
}

/**
 * Checks a backoff spec.
 * @internal
 */
export function validateBackoff(b: unknown, field: string, E: ErrorClass = InvalidJobError): asserts b is BackoffSpec {
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new E(`${field} must be { type: 'exponential' | 'fixed', delay?, maxDelay? }, got ${describe(b)}`);
  const spec = b as Record<string, unknown>;
  if (spec.type !== 'exponential' && spec.type !== 'fixed') throw new E(`${field}.type must be 'exponential' or 'fixed', got ${describe(spec.type)}`);
  for (const k of Object.keys(spec)) if (!['type', 'delay', 'maxDelay'].includes(k)) throw new E(`${field}: unknown option "${k}"`);
  try {
    if (spec.delay !== undefined) toMs(spec.delay as number, `${field}.delay`);
    if (spec.maxDelay !== undefined) toMs(spec.maxDelay as number, `${field}.maxDelay`);
  } catch (err) {
    throw new E((err as Error).message);
  }
}

/** Enqueue options after validation. @internal */
export interface ValidEnqueueOptions {
  id?: string;
  delayMs?: number;
  runAtMs?: number;
  uniqueKey?: string;
  unique: boolean;
  priority?: number;
  maxFails?: number;
  backoff?: BackoffSpec;
  timeoutMs?: number;
  retentionMs?: number;
}

const OPTION_KEYS = new Set(['id', 'delay', 'runAt', 'unique', 'uniqueKey', 'maxFails', 'backoff', 'timeout', 'retention', 'priority']);

/**
 * Validates enqueue options, naming the bad field.
 * @internal
 */
export function validateEnqueueOptions(o: unknown, field = 'options'): ValidEnqueueOptions {
  if (o === undefined) return { unique: false };
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new InvalidJobError(`${field} must be an object, got ${describe(o)}`);
  const opts = o as EnqueueOptions & Record<string, unknown>;
  for (const k of Object.keys(opts)) {
    if (!OPTION_KEYS.has(k)) throw new InvalidJobError(`${field}: unknown option "${k}"`);
  }
  const out: ValidEnqueueOptions = { unique: false };
  const ms = (v: unknown, name: string, allowZero = true) => {
    try {
      return toMs(v as number, `${field}.${name}`, { allowZero });
    } catch (err) {
      throw new InvalidJobError((err as Error).message);
    }
  };
  if (opts.id !== undefined) {
    if (typeof opts.id !== 'string' || !ID.test(opts.id)) {
      throw new InvalidJobError(`${field}.id must be 1-200 characters with no whitespace, control characters, "{", "}" or "|", got ${describe(opts.id)}`);
    }
    out.id = opts.id;
  }
  if (opts.delay !== undefined && opts.runAt !== undefined) throw new InvalidJobError(`${field}: give delay or runAt, not both`);
  if (opts.delay !== undefined) out.delayMs = ms(opts.delay, 'delay');
  if (opts.runAt !== undefined) {
    if (!(opts.runAt instanceof Date) || Number.isNaN(opts.runAt.getTime())) throw new InvalidJobError(`${field}.runAt must be a valid Date, got ${describe(opts.runAt)}`);
    out.runAtMs = opts.runAt.getTime();
  }
  if (opts.unique !== undefined && typeof opts.unique !== 'boolean') throw new InvalidJobError(`${field}.unique must be a boolean, got ${describe(opts.unique)}`);
  if (opts.uniqueKey !== undefined) {
    if (typeof opts.uniqueKey !== 'string' || opts.uniqueKey.length < 1 || opts.uniqueKey.length > 200 || /\p{Cc}/u.test(opts.uniqueKey)) {
      throw new InvalidJobError(`${field}.uniqueKey must be a string of 1-200 characters without control characters, got ${describe(opts.uniqueKey)}`);
    }
    out.uniqueKey = opts.uniqueKey;
  }
  out.unique = opts.unique === true || out.uniqueKey !== undefined;
  if (opts.priority !== undefined) {
    if (typeof opts.priority !== 'number' || !Number.isInteger(opts.priority) || opts.priority < 1 || opts.priority > 1_000_000_000) {
      throw new InvalidJobError(`${field}.priority must be an integer from 1 to 1e9 (higher runs first), got ${describe(opts.priority)}`);
    }
    if (out.delayMs || out.runAtMs !== undefined) throw new InvalidJobError(`${field}: priority cannot be combined with delay or runAt`);
    out.priority = opts.priority;
  }
  if (opts.maxFails !== undefined) {
    if (typeof opts.maxFails !== 'number' || !Number.isInteger(opts.maxFails) || opts.maxFails < 1 || opts.maxFails > 1_000_000) {
      throw new InvalidJobError(`${field}.maxFails must be an integer from 1 to 1000000, got ${describe(opts.maxFails)}`);
    }
    out.maxFails = opts.maxFails;
  }
  if (opts.backoff !== undefined) {
    validateBackoff(opts.backoff, `${field}.backoff`);
    out.backoff = opts.backoff;
  }
  if (opts.timeout !== undefined) out.timeoutMs = ms(opts.timeout, 'timeout', false);
  if (opts.retention !== undefined) out.retentionMs = ms(opts.retention, 'retention');
  return out;
}
