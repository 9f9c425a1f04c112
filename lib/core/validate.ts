import { InvalidJobError } from './errors.js';
import type { BackoffSpec } from './types.js';
import { describe, duration, flag, identifier, int, object, oneOf, text, type ErrorClass } from './validation.js';

/** Largest job args accepted: 1 MiB of JSON (UTF-8). Bigger data belongs in a blob store, with a reference in the args. */
export const MAX_ARGS_BYTES = 1024 * 1024;
/** Longest custom job id, in characters. */
const MAX_ID_LENGTH = 200;
const UNIQUE_KEY = /^\P{Cc}{1,200}$/u;
/** Longest delay: as far as a Date reaches (about 273,790 years). A due time must print as digits for the enqueue script. */
const MAX_DELAY_MS = 8_640_000_000_000_000;

/**
 * Checks a job name: 1-128 characters, no whitespace, control characters, braces or `|`.
 * @param value - the name given
 * @param field - the field's name in messages
 * @param E - the error class to throw (default {@link InvalidJobError})
 * @throws {@link InvalidJobError} (or `E`) naming the field
 * @internal
 */
export function validateJobName(value: unknown, field: string, E: ErrorClass = InvalidJobError): asserts value is string {
  identifier(value, field, E);
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
 * @param value - the spec given
 * @param field - the field's name in messages
 * @param E - the error class to throw (default {@link InvalidJobError})
 * @throws {@link InvalidJobError} (or `E`) naming the field
 * @internal
 */
export function validateBackoff(value: unknown, field: string, E: ErrorClass = InvalidJobError): asserts value is BackoffSpec {
  const b = object(value, field, E, ['type', 'delay', 'maxDelay'], { label: field, expected: "{ type: 'exponential' | 'fixed', delay?, maxDelay? }" });
  oneOf(b.type, `${field}.type`, E, ['exponential', 'fixed']);
  duration(b.delay, `${field}.delay`, E);
  duration(b.maxDelay, `${field}.maxDelay`, E);
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

/**
 * Validates enqueue options, naming the bad field.
 * @param input - the options given (may be omitted)
 * @param field - how messages name the options (`enqueue("x"): options`)
 * @returns the validated options
 * @throws {@link InvalidJobError} naming the field
 * @internal
 */
export function validateEnqueueOptions(input: unknown, field = 'options'): ValidEnqueueOptions {
  if (input === undefined) return { unique: false };
  const E = InvalidJobError;
  const o = object(
    input, field, E,
    ['id', 'delay', 'runAt', 'unique', 'uniqueKey', 'maxFails', 'backoff', 'timeout', 'retention', 'priority'],
    { label: field },
  );
  if (o.delay !== undefined && o.runAt !== undefined) throw new E(`${field}: give delay or runAt, not both`);
  if (o.backoff !== undefined) validateBackoff(o.backoff, `${field}.backoff`, E);
  const uniqueKey = text(o.uniqueKey, `${field}.uniqueKey`, E, {
    pattern: UNIQUE_KEY,
    expected: 'a string of 1-200 characters without control characters',
  });
  const out: ValidEnqueueOptions = {
    id: o.id === undefined ? undefined : identifier(o.id, `${field}.id`, E, MAX_ID_LENGTH),
    delayMs: duration(o.delay, `${field}.delay`, E, { max: MAX_DELAY_MS }),
    runAtMs: dueTime(o.runAt, `${field}.runAt`),
    uniqueKey,
    unique: flag(o.unique, `${field}.unique`, E, false) || uniqueKey !== undefined,
    priority: int(o.priority, `${field}.priority`, E, { min: 1, max: 1_000_000_000 }),
    maxFails: int(o.maxFails, `${field}.maxFails`, E, { min: 1, max: 1_000_000 }),
    backoff: o.backoff as BackoffSpec | undefined,
    timeoutMs: duration(o.timeout, `${field}.timeout`, E, { allowZero: false }),
    retentionMs: duration(o.retention, `${field}.retention`, E),
  };
  if (out.priority !== undefined && (out.delayMs || out.runAtMs !== undefined)) {
    throw new E(`${field}: priority cannot be combined with delay or runAt`);
  }
  return out;
}

/** One job as `enqueue` / `enqueueMany` accept it, validated. @internal */
export interface ValidJob {
  name: string;
  /** The args as JSON (`null` when omitted). */
  argsJson: string;
  options: ValidEnqueueOptions;
}

/**
 * Validates one job given to `enqueue`: its name, args and options, in that order. The real `Enqueuer` and
 * the testing kit's fake both call it, so both refuse the same input with the same messages.
 * @param name - the job name given
 * @param args - the args given
 * @param options - the options given
 * @param where - how messages name the call (`enqueue`, `jobs[2]`)
 * @returns the validated job
 * @throws {@link InvalidJobError} naming the field
 * @internal
 */
export function validateJob(name: unknown, args: unknown, options: unknown, where: string): ValidJob {
  validateJobName(name, `${where}: name`);
  const argsJson = encodeArgs(args, `${where}("${name}"): args`);
  return { name, argsJson, options: validateEnqueueOptions(options, `${where}("${name}"): options`) };
}

/**
 * Validates what `enqueueMany` was given: an array of `{ name, args?, options? }`, each checked as by
 * {@link validateJob}, in order.
 * @param jobs - the array given
 * @returns the validated jobs, in order
 * @throws {@link InvalidJobError} naming the first invalid job
 * @internal
 */
export function validateJobs(jobs: unknown): ValidJob[] {
  if (!Array.isArray(jobs)) throw new InvalidJobError(`enqueueMany takes an array of { name, args, options }`);
  return jobs.map((j: unknown, i) => {
    if (j === null || typeof j !== 'object') throw new InvalidJobError(`jobs[${i}] must be { name, args?, options? }`);
    const { name, args, options } = j as { name?: unknown; args?: unknown; options?: unknown };
    return validateJob(name, args, options, `jobs[${i}]`);
  });
}

/** A `runAt` Date as ms; a time before 1970 is in the past, so due now: 0 (the enqueue script reads digits only). */
function dueTime(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InvalidJobError(`${field} must be a valid Date, got ${describe(value)}`);
  return Math.max(0, value.getTime());
}
