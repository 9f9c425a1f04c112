import type { JobRecord } from './codec.js';

/**
 * The wire format between the brokers and the Lua scripts, written once: lease members, the `\0`-packed records
 * start-jobs replies with, and the compact per-job spec strings some scripts take instead of one argument per field.
 * (The job record's own fields and state codes belong to `codec.ts`.)
 * @internal
 */

/** The lease member of one claim of a job: `<id>|<token>` (ids never contain `|`). @internal */
export function leaseMember(id: string, token: string): string {
  return `${id}|${token}`;
}

/** The job id of a lease member `<id>|<token>`. @internal */
export function jobIdOf(member: string): string {
  return member.slice(0, member.lastIndexOf('|'));
}

/** The claim token of a lease member `<id>|<token>`. @internal */
export function tokenOf(member: string): string {
  return member.slice(member.lastIndexOf('|') + 1);
}

/**
 * Unpacks a record packed as `field\0value\0…` (start-jobs): names, ids and keys hold no control characters and
 * JSON escapes them, so `\0` never occurs in a value. An odd count means a value did hold one: the record gets an
 * empty field, which decoding reports as corrupt.
 * @internal
 */
export function unpackRecord(packed: string): JobRecord {
  const parts = packed.split('\0');
  const rec: JobRecord = {};
  for (let i = 0; i + 1 < parts.length; i += 2) rec[parts[i]!] = parts[i + 1]!;
  if (parts.length % 2 === 1) rec[''] = '';
  return rec;
}

/** Parses a script's optional number reply ('' or nil = none). @internal */
export function parseOptional(v: unknown): number | undefined {
  return v === '' || v === null || v === undefined ? undefined : Number(v);
}
