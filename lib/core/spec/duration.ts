import { InvalidOptionsError, type JobcraftError } from '../errors.js';

/** A duration: milliseconds as a number, or a string such as `'250ms'`, `'1.5s'`, `'1h30m'`, `'7d'`. */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/**
 * Parses a duration string (`'250ms'`, `'1.5s'`, `'1h30m'`, `'7d'`) into milliseconds.
 * Units must appear at most once each and from largest to smallest.
 * @param text - the duration text
 * @returns the duration in ms, or undefined if the text is not a duration
 */
export function parseDurationText(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  let total = 0;
  let pos = 0;
  let lastUnitMs = Infinity;
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (!m) return undefined;
    const unitMs = UNIT_MS[m[2]!]!;
    if (unitMs >= lastUnitMs) return undefined;
    lastUnitMs = unitMs;
    total += Number(m[1]) * unitMs;
    pos = PART.lastIndex;
  }
  return Math.round(total);
}

/**
 * Converts a {@link Duration} to whole milliseconds, validating it.
 * @param value - ms number or duration string
 * @param field - name of the option, used in the error message
 * @param opts - `allowZero` (default true)
 * @param E - the error class to throw (default {@link InvalidOptionsError}; `InvalidJobError` at enqueue)
 * @returns whole milliseconds, never negative
 * @throws {@link InvalidOptionsError} (or `E`) if the value is not a finite, non-negative duration
 */
export function toMs(
  value: Duration,
  field: string,
  opts: { allowZero?: boolean } = {},
  E: new (message: string) => JobcraftError = InvalidOptionsError,
): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? parseDurationText(value) : undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || (opts.allowZero === false && ms === 0)) {
    throw new E(
      `${field} must be a ${opts.allowZero === false ? 'positive' : 'non-negative'} duration (ms number or e.g. '1.5s', '1h30m'), got ${describe(value)}`,
    );
  }
  return Math.round(ms);
}

/**
 * Renders any value briefly for an error message.
 * @internal
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  try {
    const s = JSON.stringify(value);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
