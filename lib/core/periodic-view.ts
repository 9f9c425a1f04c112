import type { PeriodicInfo, TickRecord } from './inspector-types.js';
import type { StoredEntry } from './redis/admin-broker.js';
import { decodeInfo, type JobRecord } from './redis/codec.js';
import { nextTick, parseSchedule, previousTick, type Schedule } from './spec/parse-schedule.js';

/** A tick not recorded this long after its time counts as missed (instances claim ticks ahead, never this late). */
const MISSED_AFTER_MS = 10_000;
/** Most missed ticks listed per entry (a long outage of a fast entry would otherwise list thousands). */
const MAX_MISSED = 100;

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
  let schedule: Schedule | undefined;
  try {
    schedule = parseSchedule(info.spec, name, { timeZone: info.timeZone, offset: Number(fields.off) || undefined });
    info.nextTick = nextTick(schedule, now);
  } catch {
    // a spec this version cannot read: listed without its next tick or missed ticks
  }
  let k = 0;
  const recorded = entry.history.map((line): TickRecord => {
    const [tick, jobId, firedBy, late, reason] = line.split('|');
    const rec = jobId ? records[k++] : undefined;
    const state = jobId ? (rec ? decodeInfo(jobId, rec).state : 'expired') : 'skipped';
    const t: TickRecord = { tick: Number(tick), firedBy: firedBy ?? '', lateMs: Number(late), state };
    if (jobId) t.jobId = jobId;
    if (reason) t.reason = reason as TickRecord['reason'];
    return t;
  });
  info.recent = schedule ? withMissed(recorded, schedule, now) : recorded;
  return info;
}

/**
 * Adds the ticks the schedule had between the oldest recorded one and now that nobody recorded (no instance was
 * running, or none could reach Redis) as `missed`, newest first, the latest {@link MAX_MISSED} of them.
 */
function withMissed(recorded: readonly TickRecord[], schedule: Schedule, now: number): TickRecord[] {
  if (recorded.length === 0) return [];
  const seen = new Set(recorded.map((t) => t.tick));
  const missed: TickRecord[] = [];
  const oldest = recorded[recorded.length - 1]!.tick;
  // walk back from the last overdue tick to the oldest recorded one: at most every recorded tick plus MAX_MISSED steps
  let steps = recorded.length + MAX_MISSED;
  for (let t = previousTick(schedule, now - MISSED_AFTER_MS); t !== undefined && t > oldest && missed.length < MAX_MISSED && steps-- > 0; t = previousTick(schedule, t - 1)) {
    if (!seen.has(t)) missed.push({ tick: t, firedBy: '', state: 'missed' });
  }
  return [...recorded, ...missed].sort((a, b) => b.tick - a.tick);
}
