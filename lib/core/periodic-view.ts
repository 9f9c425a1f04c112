import type { PeriodicInfo, TickRecord } from './inspector-types.js';
import type { StoredEntry } from './redis/admin-broker.js';
import { decodeInfo, type JobRecord } from './redis/codec.js';
import { nextTick, parseSchedule } from './spec/parse-schedule.js';

/** The job ids an entry's tick history names, in order (skipped ticks name none). @internal */
export function tickJobIds(entry: StoredEntry): string[] {
  return entry.history.map((line) => line.split('|')[1] ?? '').filter(Boolean);
}

/**
 * A periodic entry as `Inspector.periodic` reports it: its registration, next tick, and recent ticks with the
 * state of the job each one created.
 * @param entry - the stored entry and its history lines ("tick|jobId|instance|lateMs|reason")
 * @param records - the records of `tickJobIds(entry)`, in that order (null where expired)
 * @param now - the time to compute the next tick from
 * @internal
 */
export function periodicInfo(entry: StoredEntry, records: readonly (JobRecord | null)[], now: number): PeriodicInfo {
  const { name, fields } = entry;
  const info: PeriodicInfo = { name, spec: fields.spec ?? '', paused: fields.paused === '1', recent: [] };
  if (fields.tz) info.timeZone = fields.tz;
  try {
    info.nextTick = nextTick(parseSchedule(info.spec, name, { timeZone: info.timeZone, offset: Number(fields.off) || undefined }), now);
  } catch {
    // a spec this version cannot read: listed without its next tick
  }
  let k = 0;
  info.recent = entry.history.map((line): TickRecord => {
    const [tick, jobId, firedBy, late, reason] = line.split('|');
    const rec = jobId ? records[k++] : undefined;
    const state = jobId ? (rec ? decodeInfo(jobId, rec).state : 'expired') : 'skipped';
    const t: TickRecord = { tick: Number(tick), firedBy: firedBy ?? '', lateMs: Number(late), state };
    if (jobId) t.jobId = jobId;
    if (reason) t.reason = reason as TickRecord['reason'];
    return t;
  });
  return info;
}
