// Text for numbers, sizes, durations and times, as the page shows them.

const counts = new Intl.NumberFormat('en-US');
const compacts = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** `12,345`. */
export function formatCount(n: number): string {
  return counts.format(n);
}

/** `12.3K`, for narrow cells and chart axes. */
export function formatCompact(n: number): string {
  return compacts.format(n);
}

/** `512 B`, `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** A duration in one or two units: `350 ms`, `4.2 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) return `${(Math.floor(abs / 100) / 10).toString()} s`;
  const two = (big: number, bigUnit: string, small: number, smallUnit: string) => {
    const whole = Math.floor(abs / big);
    const rest = Math.floor((abs % big) / small);
    return rest ? `${whole} ${bigUnit} ${rest} ${smallUnit}` : `${whole} ${bigUnit}`;
  };
  if (abs < 3_600_000) return two(60_000, 'min', 1000, 's');
  if (abs < 86_400_000) return two(3_600_000, 'h', 60_000, 'min');
  return two(86_400_000, 'd', 3_600_000, 'h');
}

/** A time relative to `now`: `just now`, `12 s ago`, `3 min ago`, `in 5 h`, `2 d ago` (one unit, rounded down). */
export function formatRelative(at: number, now: number): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 1000) return diff <= 0 ? 'just now' : 'in 1 s';
  const text =
    abs < 60_000 ? `${Math.floor(abs / 1000)} s`
    : abs < 3_600_000 ? `${Math.floor(abs / 60_000)} min`
    : abs < 86_400_000 ? `${Math.floor(abs / 3_600_000)} h`
    : `${Math.floor(abs / 86_400_000)} d`;
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The local date and time to the millisecond: `2026-03-02 14:05:09.120`. */
export function formatAbsolute(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The local time of day, `14:05:09` (with the date, `03-02 14:05`, when not today). */
export function formatClock(at: number): string {
  const d = new Date(at);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return d.toDateString() === new Date().toDateString() ? time : `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** The first line of a text (an error message's head), cut at `max` characters. */
export function firstLine(text: string, max = 160): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** JSON on one line, cut at `max` characters (`undefined` shows as nothing). */
export function formatJsonShort(value: unknown, max = 80): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value) ?? '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** JSON indented by two spaces, for `<pre>`. */
export function formatJson(value: unknown): string {
  return value === undefined ? '' : (JSON.stringify(value, null, 2) ?? String(value));
}

/** A job's progress in a cell: `42%` for a number from 0 to 100, else its JSON, cut short; `—` when none. */
export function formatProgress(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'number' && value >= 0 && value <= 100) return `${Math.round(value)}%`;
  return formatJsonShort(value, 24);
}
