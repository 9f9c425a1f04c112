import type { BackoffSpec, JobError, JobInfo, JobState, JsonValue, TickInfo } from '../types.js';

/**
 * A job record as stored in its hash. Short field names keep waiting jobs small:
 * n name, a (a1, a2, …) args JSON, t enqueuedAt, s state code, f failed attempts, st startedAt, ft finishedAt,
 * r result JSON, e last error JSON, p progress JSON, du due time of a delayed or retrying job; per-job options only when set: mf maxFails, bo backoff JSON, to timeout ms, rt retention ms,
 * u unique key; for a periodic entry's job: te entry, tt tick ms, tb the instance that fired it;
 * tp the producer's trace context, only when the enqueue or tick was traced (`tracing: true` and an OpenTelemetry
 * SDK registered): its W3C traceparent, then a space and the tracestate if any (see `tracing/trace-parent.ts`).
 * @internal
 */
export type JobRecord = Record<string, string>;

/** The one-letter code stored in `s` for each state. @internal */
export const STATE_CODES: Readonly<Record<JobState, string>> = {
  queued: 'q', scheduled: 's', active: 'a', retrying: 'r', completed: 'c', dead: 'd', cancelled: 'x',
};

const STATES = Object.fromEntries(Object.entries(STATE_CODES).map(([state, code]) => [code, state])) as Record<string, JobState>;

/**
 * Tells whether a record is finished (completed or dead): its job will not run again. The Lua side's twin is
 * `isLive` in `lua/include/is-live.lua`.
 * @internal
 */
export function isFinished(rec: JobRecord): boolean {
  return rec.s === 'c' || rec.s === 'd' || rec.s === 'x';
}

/** The tick a periodic job's record names (`te` entry, `tt` tick ms, `tb` fired by), if any. @internal */
export function tickOf(rec: JobRecord): TickInfo | undefined {
  const at = Number(rec.tt);
  if (rec.te === undefined || !Number.isFinite(at)) return undefined;
  return { entry: rec.te, at: new Date(at), firedBy: rec.tb ?? '' };
}

/** The record field holding the unique key a job holds. @internal */
export const UNIQUE_KEY_FIELD = 'u';

/** The record field holding the producer's trace context (W3C traceparent [+ ' ' + tracestate]). @internal */
export const TRACE_FIELD = 'tp';

/** Per-job options stored on a record, each only when set. @internal */
export interface RecordOptions {
  maxFails?: number;
  backoff?: BackoffSpec;
  timeoutMs?: number;
  retentionMs?: number;
  uniqueKey?: string;
}

/**
 * The record fields of a new job, as field/value pairs after its first args piece: the other args pieces, then
 * the options that are set (`mf`, `bo`, `to`, `rt`, `u`). Only this module writes those field names.
 * @param argsJson - the args, already JSON
 * @param o - the per-job options
 * @returns the first args piece and the other pairs
 * @internal
 */
export function encodeRecord(argsJson: string, o: RecordOptions): { args: string; extra: string[] } {
  const [, args, ...extra] = argsFields(argsJson);
  if (o.maxFails !== undefined) extra.push('mf', String(o.maxFails));
  if (o.backoff !== undefined) extra.push('bo', JSON.stringify(o.backoff));
  if (o.timeoutMs !== undefined) extra.push('to', String(o.timeoutMs));
  if (o.retentionMs !== undefined) extra.push('rt', String(o.retentionMs));
  if (o.uniqueKey !== undefined) extra.push(UNIQUE_KEY_FIELD, o.uniqueKey);
  return { args: args!, extra };
}

/**
 * Redis keeps a small hash compact (listpack) only while every value is at most 64 bytes
 * (`hash-max-listpack-value`); one longer value turns it into a hash table at about twice the memory.
 * So args of up to 2 KiB are stored in 64-byte pieces: `a`, `a1`, `a2`, … (joined back on read).
 * @internal
 */
export const ARGS_CHUNK_BYTES = 64;
const ARGS_CHUNKED_MAX_BYTES = 2048;

/**
 * Splits args JSON into the field/value pairs to store: one `a` field, or `a`, `a1`, … pieces of at most
 * 64 UTF-8 bytes that never split a character.
 * @internal
 */
export function argsFields(json: string): string[] {
  const bytes = json.length; // lower bound of the UTF-8 length
  if (bytes <= ARGS_CHUNK_BYTES && Buffer.byteLength(json) <= ARGS_CHUNK_BYTES) return ['a', json];
  if (bytes > ARGS_CHUNKED_MAX_BYTES) return ['a', json];
  const out: string[] = [];
  let start = 0;
  let size = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    const isHigh = c >= 0xd800 && c <= 0xdbff;
    const w = c < 0x80 ? 1 : c < 0x800 ? 2 : isHigh ? 4 : 3;
    if (size + w > ARGS_CHUNK_BYTES) {
      out.push(out.length === 0 ? 'a' : `a${out.length / 2}`, json.slice(start, i));
      start = i;
      size = 0;
    }
    size += w;
    if (isHigh) i++; // a surrogate pair is one 4-byte character
  }
  out.push(out.length === 0 ? 'a' : `a${out.length / 2}`, json.slice(start));
  return out;
}

/** Joins the args pieces of a record (`a`, `a1`, …); undefined if `a` is missing. */
function argsText(rec: JobRecord): string | undefined {
  let text = rec.a;
  if (text === undefined) return undefined;
  for (let i = 1; rec[`a${i}`] !== undefined; i++) text += rec[`a${i}`];
  return text;
}

/** A record decoded for running: everything the worker needs. @internal */
export interface RunnableJob {
  id: string;
  name: string;
  args: JsonValue;
  enqueuedAt: number;
  fails: number;
  maxFails?: number;
  backoff?: BackoffSpec;
  timeoutMs?: number;
  retentionMs?: number;
  uniqueKey?: string;
  /** When it was due (delayed or retrying jobs), for wait-time stats. */
  dueAt?: number;
  tick?: TickInfo;
  /** The producer's trace context (`tp`), when the enqueue was traced. */
  trace?: string;
}

/** Result of decoding: the job, or why the record is corrupt. Never throws. @internal */
export type Decoded = { ok: true; job: RunnableJob } | { ok: false; reason: string; uniqueKey?: string };

function parseJson(text: string | undefined): { ok: true; value: JsonValue } | { ok: false } {
  if (text === undefined) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch {
    return { ok: false };
  }
}

function optionalInt(rec: JobRecord, field: string): number | undefined | null {
  const v = rec[field];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/**
 * Decodes a record for running; a missing field or a wrong type is reported, never thrown.
 * @internal
 */
export function decodeRunnable(id: string, rec: JobRecord): Decoded {
  const uniqueKey = rec.u;
  const bad = (reason: string): Decoded => ({ ok: false, reason: `Corrupt job record "${id}": ${reason}`, uniqueKey });
  if (typeof rec.n !== 'string' || rec.n === '') return bad('missing name (n)');
  const args = parseJson(argsText(rec));
  if (!args.ok) return bad('args (a) is missing or not valid JSON');
  const enqueuedAt = Number(rec.t);
  if (!Number.isFinite(enqueuedAt)) return bad('enqueuedAt (t) is missing or not a number');
  const fails = rec.f === undefined ? 0 : Number(rec.f);
  if (!Number.isInteger(fails) || fails < 0) return bad('fails (f) is not a non-negative integer');
  const maxFails = optionalInt(rec, 'mf');
  const timeoutMs = optionalInt(rec, 'to');
  const retentionMs = optionalInt(rec, 'rt');
  if (maxFails === null || timeoutMs === null || retentionMs === null) return bad('an option field (mf/to/rt) is not an integer');
  let backoff: BackoffSpec | undefined;
  if (rec.bo !== undefined) {
    const b = parseJson(rec.bo);
    if (!b.ok || typeof b.value !== 'object' || b.value === null) return bad('backoff (bo) is not valid JSON');
    backoff = b.value as unknown as BackoffSpec;
  }
  return {
    ok: true,
    job: {
      id, name: rec.n, args: args.value, enqueuedAt, fails, maxFails, backoff, timeoutMs, retentionMs, uniqueKey,
      dueAt: optionalInt(rec, 'du') ?? undefined, tick: tickOf(rec), trace: rec[TRACE_FIELD],
    },
  };
}

/**
 * Decodes a record for `getJob`, leniently: fields that cannot be read are left out rather than failing.
 * @internal
 */
export function decodeInfo(id: string, rec: JobRecord): JobInfo {
  const state = STATES[rec.s ?? ''] ?? 'dead';
  const fails = Number(rec.f ?? 0) || 0;
  const args = parseJson(argsText(rec));
  const info: JobInfo = {
    id,
    name: rec.n ?? '',
    args: args.ok ? args.value : null,
    state,
    attempts: state === 'active' || state === 'completed' ? fails + 1 : fails,
    enqueuedAt: Number(rec.t) || 0,
  };
  if (rec.st !== undefined) info.startedAt = Number(rec.st);
  if (rec.ft !== undefined) info.finishedAt = Number(rec.ft);
  const progress = parseJson(rec.p);
  if (progress.ok) info.progress = progress.value;
  const result = parseJson(rec.r);
  if (result.ok) info.result = result.value;
  const error = parseJson(rec.e);
  if (error.ok && typeof error.value === 'object' && error.value !== null) info.error = error.value as unknown as JobError;
  const tick = tickOf(rec);
  if (tick) info.tick = tick;
  return info;
}

/**
 * Serialises an error thrown by a handler for storage: message, class name, stack head, attempt.
 * @internal
 */
export function encodeError(err: unknown, attempt: number): string {
  const e = err instanceof Error ? err : new Error(typeof err === 'string' ? err : `Non-error thrown: ${safeString(err)}`);
  const stack = e.stack?.split('\n').slice(0, 6).join('\n');
  return JSON.stringify({ message: e.message, name: e.name, stack, attempt } satisfies JobError);
}

function safeString(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
