/**
 * The option-checking toolkit: one small check per kind of field (object, integer, duration, one of, flag,
 * identifier, text). Each names the field in its message and throws the error class of its boundary
 * ({@link InvalidJobError} at enqueue, {@link InvalidOptionsError} for constructor, module and decorator options),
 * so that a `resolveXxx` / `validateXxx` reads as a list of its fields.
 *
 * Convention: `undefined` means "not given" and yields the check's `fallback` (or `undefined` without one), except
 * where a check says otherwise.
 * @packageDocumentation
 */
import type { JobcraftError } from './errors.js';
import { describe, toMs, type Duration } from './spec/duration.js';

export { describe };

/**
 * The error a check throws: the class of its boundary ({@link InvalidJobError} or {@link InvalidOptionsError}).
 * @internal
 */
export type ErrorClass = new (message: string) => JobcraftError;

/**
 * An options object checked by {@link object}: each known key, its value still to be checked.
 * @internal
 */
export type Fields<K extends string> = { readonly [P in K]?: unknown };

/** How {@link object} words its errors and treats keys it does not know. @internal */
export interface ObjectSpec {
  /** How "must be" names the value (default `<where>: options`). */
  label?: string;
  /** What the value must be (default `an object`). */
  expected?: string;
  /** Keys not in the list: `'reject'` them (default), or `'ignore'` them (options shared with another reader). */
  others?: 'reject' | 'ignore';
}

/**
 * Checks an options object: a non-null, non-array object whose keys are all known. `undefined` is not an object
 * here: where options may be omitted, the caller decides what that means.
 * @param value - the options given
 * @param where - how messages name the call or field (`handle("x")`), before `: unknown option "k"`
 * @param E - the error class to throw
 * @param known - the keys the options may have
 * @param spec - `label` and `expected` of the "must be" message, and what to do with `others` (unknown keys)
 * @returns the options, each known key's value typed `unknown` until checked
 * @throws {@link JobcraftError} of class `E`: `<label> must be an object, got …` or `<where>: unknown option "k"`
 * @internal
 */
export function object<const K extends string>(
  value: unknown,
  where: string,
  E: ErrorClass,
  known: readonly K[],
  spec: ObjectSpec = {},
): Fields<K> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new E(`${spec.label ?? `${where}: options`} must be ${spec.expected ?? 'an object'}, got ${describe(value)}`);
  }
  if (spec.others !== 'ignore') {
    const keys: readonly string[] = known;
    for (const k of Object.keys(value)) if (!keys.includes(k)) throw new E(`${where}: unknown option "${k}"`);
  }
  return value as Fields<K>;
}

/** Bounds of an {@link int}. @internal */
export interface IntSpec {
  /** Smallest value accepted. */
  min: number;
  /** Largest value accepted. */
  max: number;
  /** What `undefined` gives (need not lie within the bounds, e.g. `0` for "no cap"). */
  fallback?: number;
}

/**
 * Checks an integer option within bounds.
 * @param value - the value given
 * @param field - the field's name in messages
 * @param E - the error class to throw
 * @param spec - `min`, `max` and `fallback`
 * @returns the integer, or the fallback when `value` is undefined
 * @throws {@link JobcraftError} of class `E`: `<field> must be an integer from <min> to <max>, got …`
 * @internal
 */
export function int(value: unknown, field: string, E: ErrorClass, spec: IntSpec & { fallback: number }): number;
export function int(value: unknown, field: string, E: ErrorClass, spec: IntSpec): number | undefined;
export function int(value: unknown, field: string, E: ErrorClass, spec: IntSpec): number | undefined {
  if (value === undefined) return spec.fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new E(`${field} must be an integer from ${spec.min} to ${spec.max}, got ${describe(value)}`);
  }
  return value;
}

/**
 * Checks a finite number option.
 * @param value - the value given
 * @param field - the field's name in messages
 * @param E - the error class to throw
 * @param fallback - what `undefined` gives
 * @returns the number, or the fallback when `value` is undefined
 * @throws {@link JobcraftError} of class `E`: `<field> must be a finite number, got …`
 * @internal
 */
export function number(value: unknown, field: string, E: ErrorClass, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new E(`${field} must be a finite number, got ${describe(value)}`);
  return value;
}

/** What a {@link duration} accepts. @internal */
export interface DurationSpec {
  /** Whether `0` is accepted (default true). */
  allowZero?: boolean;
  /** Fewest milliseconds accepted (default none). */
  min?: number;
  /** Most milliseconds accepted (default none). */
  max?: number;
  /** What `undefined` gives, in ms. */
  fallback?: number;
}

/**
 * Checks a {@link Duration} option (ms number or `'1.5s'`, `'1h30m'`) and converts it to whole milliseconds.
 * @param value - the value given
 * @param field - the field's name in messages
 * @param E - the error class to throw
 * @param spec - `allowZero`, `min`, `max` and `fallback`
 * @returns whole ms, or the fallback when `value` is undefined
 * @throws {@link JobcraftError} of class `E`: `<field> must be a non-negative duration …` (or `positive`), or
 * `<field> must be at least <min> ms, got … ms` (or `at most <max> ms`)
 * @internal
 */
export function duration(value: unknown, field: string, E: ErrorClass, spec: DurationSpec & { fallback: number }): number;
export function duration(value: unknown, field: string, E: ErrorClass, spec?: DurationSpec): number | undefined;
export function duration(value: unknown, field: string, E: ErrorClass, spec: DurationSpec = {}): number | undefined {
  if (value === undefined) return spec.fallback;
  const ms = toMs(value as Duration, field, { allowZero: spec.allowZero }, E);
  if (spec.min !== undefined && ms < spec.min) throw new E(`${field} must be at least ${spec.min} ms, got ${ms} ms`);
  if (spec.max !== undefined && ms > spec.max) throw new E(`${field} must be at most ${spec.max} ms, got ${ms} ms`);
  return ms;
}

/**
 * Checks that an option is one of a few strings. Unlike the other checks, a value is required when there is no
 * fallback: an enumeration has no "not given" member.
 * @param value - the value given
 * @param field - the field's name in messages
 * @param E - the error class to throw
 * @param values - the values accepted
 * @param fallback - what `undefined` gives
 * @returns the value
 * @throws {@link JobcraftError} of class `E`: `<field> must be 'a', 'b' or 'c', got …`
 * @internal
 */
export function oneOf<const V extends string>(value: unknown, field: string, E: ErrorClass, values: readonly V[], fallback?: V): V {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!(values as readonly unknown[]).includes(value)) {
    const quoted = values.map((v) => `'${v}'`);
    const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted.join('');
    throw new E(`${field} must be ${list}, got ${describe(value)}`);
  }
  return value as V;
}

/**
 * Checks a boolean option.
 * @param value - the value given
 * @param field - the field's name in messages
 * @param E - the error class to throw
 * @param fallback - what `undefined` gives
 * @returns the boolean
 * @throws {@link JobcraftError} of class `E`: `<field> must be a boolean, got …`
 * @internal
 */
export function flag(value: unknown, field: string, E: ErrorClass, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new E(`${field} must be a boolean, got ${describe(value)}`);
  return value;
}

/** What a {@link text} accepts. @internal */
export interface TextSpec {
  /** The pattern the whole string must match. */
  pattern: RegExp;
  /** What the string must be, for the message (`1-64 characters of letters, …`). */
  expected: string;
  /** What `undefined` gives. */
  fallback?: string;
}

/**
 * Checks a string option against a pattern.
 * @param value - the value given
 * @param field - the field's name in messages
 * @param E - the error class to throw
 * @param spec - `pattern`, `expected` and `fallback`
 * @returns the string, or the fallback when `value` is undefined
 * @throws {@link JobcraftError} of class `E`: `<field> must be <expected>, got …`
 * @internal
 */
export function text(value: unknown, field: string, E: ErrorClass, spec: TextSpec & { fallback: string }): string;
export function text(value: unknown, field: string, E: ErrorClass, spec: TextSpec): string | undefined;
export function text(value: unknown, field: string, E: ErrorClass, spec: TextSpec): string | undefined {
  if (value === undefined) return spec.fallback;
  if (typeof value !== 'string' || !spec.pattern.test(value)) throw new E(`${field} must be ${spec.expected}, got ${describe(value)}`);
  return value;
}

// no whitespace or control characters (records are packed with \0), no braces (hash tags) or | (lease members)
const IDENTIFIER = /^[^\s\p{Cc}{}|]+$/u;

/** Largest length of a job or entry name, in characters. @internal */
export const MAX_NAME_LENGTH = 128;

/**
 * Checks an identifier: a job name, a periodic entry's name (the same rule: 1-128 characters) or a job id
 * (`maxLength` 200). No whitespace, control characters, `{`, `}` or `|`. Required: `undefined` is refused.
 * @param value - the value given
 * @param field - the field's name in messages
 * @param E - the error class to throw
 * @param maxLength - most characters (code points) accepted (default 128)
 * @returns the identifier
 * @throws {@link JobcraftError} of class `E`: `<field> must be 1-128 characters with no whitespace, …, got …`
 * @internal
 */
export function identifier(value: unknown, field: string, E: ErrorClass, maxLength = MAX_NAME_LENGTH): string {
  if (typeof value !== 'string' || !atMostCodePoints(value, maxLength) || !IDENTIFIER.test(value)) {
    throw new E(`${field} must be 1-${maxLength} characters with no whitespace, control characters, "{", "}" or "|", got ${describe(value)}`);
  }
  return value;
}

function atMostCodePoints(s: string, max: number): boolean {
  if (s.length <= max) return true; // a code point is one or two UTF-16 units
  let n = 0;
  for (const _ of s) if (++n > max) return false;
  return true;
}
