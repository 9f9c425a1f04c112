import type { HistoryBucket, HistoryRange, RecentCounts } from './inspector-types.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** How a history range is bucketed: unit, bucket length and count. @internal */
export interface BucketPlan {
  unit: 'm' | 'h';
  size: number;
  /** Bucket starts, oldest first; the last one holds `now`. */
  starts: number[];
}

/**
 * The buckets of a range: minutes for `1h` (60) and `24h` (1,440), hours for `7d` (168) and `30d` (720).
 * @internal
 */
export function planBuckets(range: HistoryRange, now: number): BucketPlan {
  const [unit, size, count] = ({ '1h': ['m', MINUTE, 60], '24h': ['m', MINUTE, 1440], '7d': ['h', HOUR, 168], '30d': ['h', HOUR, 720] } as const)[range];
  const last = now - (now % size);
  return { unit, size, starts: Array.from({ length: count }, (_, i) => last - (count - 1 - i) * size) };
}

/**
 * Parses stored buckets ("processed,failed,runSum,runMax,waitSum,waitMax"; null or unreadable = empty).
 * @internal
 */
export function parseBuckets(starts: readonly number[], stored: readonly (string | null)[]): HistoryBucket[] {
  return starts.map((at, i) => {
    const v = (stored[i] ?? '').split(',').map(Number);
    const n = (k: number) => (Number.isFinite(v[k]) ? v[k]! : 0);
    return { at, processed: n(0), failed: n(1), runMs: { sum: n(2), max: n(3) }, waitMs: { sum: n(4), max: n(5) } };
  });
}

/**
 * Sums what finished within the last `windowMs` of `now` from buckets of length `size` (oldest first, the last one
 * holding `now`): whole buckets inside the window, and the oldest one prorated by the part of it in the window.
 * @internal
 */
export function sumRecent(buckets: readonly HistoryBucket[], size: number, now: number, windowMs: number, pick: (b: HistoryBucket) => number): number {
  const from = now - windowMs;
  let total = 0;
  for (const b of buckets) {
    const end = b.at + size;
    if (end <= from) continue;
    const share = b.at >= from ? 1 : (end - from) / size;
    total += pick(b) * share;
  }
  return Math.round(total);
}

/**
 * Recent counts from the minute buckets of the last hour (plus one) and the hour buckets of the last day (plus one).
 * @internal
 */
export function recentCounts(minutes: readonly HistoryBucket[], hours: readonly HistoryBucket[], now: number, pick: (b: HistoryBucket) => number): RecentCounts {
  return {
    lastMinute: sumRecent(minutes, MINUTE, now, MINUTE, pick),
    lastHour: sumRecent(minutes, MINUTE, now, HOUR, pick),
    lastDay: sumRecent(hours, HOUR, now, 24 * HOUR, pick),
  };
}

/** Starts of the buckets `recentCounts` reads: 61 minutes and 25 hours. @internal */
export function recentStarts(now: number): { minutes: number[]; hours: number[] } {
  const m = now - (now % MINUTE);
  const h = now - (now % HOUR);
  return {
    minutes: Array.from({ length: 61 }, (_, i) => m - (60 - i) * MINUTE),
    hours: Array.from({ length: 25 }, (_, i) => h - (24 - i) * HOUR),
  };
}
