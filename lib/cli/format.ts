/**
 * Text formatting for the CLI's human output: aligned tables, relative times and short durations.
 * @packageDocumentation
 */

/** A column of a {@link table}. */
export interface Column {
  /** The header, printed in capitals as given. */
  header: string;
  /** How cells line up (default `left`; counts read best `right`). */
  align?: 'left' | 'right';
}

/**
 * Lays rows out under their headers, each column as wide as its widest cell, two spaces apart.
 * @param columns - the columns, in order
 * @param rows - one array of cells per row, in column order (missing cells print empty)
 * @returns the table, one line per row after the header line, without a trailing newline
 */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => (c.align === 'right' ? (cells[i] ?? '').padStart(widths[i]!) : (cells[i] ?? '').padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n');
}

/**
 * A short human duration: `250ms`, `4.2s`, `3m`, `2h`, `5d` (one unit, rounded down past a minute).
 * @param ms - the duration in milliseconds (its absolute value is used)
 */
export function shortDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)}ms`;
  if (abs < 60_000) return `${Math.floor(abs / 100) / 10}s`;
  if (abs < 3_600_000) return `${Math.floor(abs / 60_000)}m`;
  if (abs < 86_400_000) return `${Math.floor(abs / 3_600_000)}h`;
  return `${Math.floor(abs / 86_400_000)}d`;
}

/**
 * A time relative to now: `3s ago`, `in 2m`, or `now` within a second (seconds rounded, larger units floored).
 * @param at - the time (ms since epoch)
 * @param now - the current time (ms since epoch)
 */
export function relativeTime(at: number, now: number): string {
  const diff = at - now;
  if (Math.abs(diff) < 1000) return 'now';
  const seconds = Math.round(Math.abs(diff) / 1000);
  const text = seconds < 60 ? `${seconds}s` : shortDuration(Math.max(Math.abs(diff), 60_000));
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

/**
 * A time as an ISO string followed by its relative form: `2026-11-23T22:06:03.000Z (3s ago)`.
 * @param at - the time (ms since epoch)
 * @param now - the current time (ms since epoch)
 */
export function timestamp(at: number, now: number): string {
  return `${new Date(at).toISOString()} (${relativeTime(at, now)})`;
}

/**
 * One line of at most `width` characters: newlines become spaces, and a cut ends with `…`.
 * @param text - any text
 * @param width - the most characters to keep (at least 1)
 */
export function truncate(text: string, width: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Labelled values, one per line, the labels padded to one width: `state:     dead`.
 * @param pairs - label and value; pairs whose value is undefined are left out; a value's later lines are indented
 */
export function fields(pairs: readonly (readonly [string, string | undefined])[]): string {
  const shown = pairs.filter((p): p is readonly [string, string] => p[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length + 1));
  const indent = `\n${' '.repeat(width + 2)}`;
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value.split('\n').join(indent)}`).join('\n');
}
