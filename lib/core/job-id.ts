import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * A new job id: 9 base-36 characters of ms time, then 10 random ones (≈51 bits), so ids sort by creation
 * time (FIFO among equal priorities) and stay short in Redis.
 * @internal
 */
export function newJobId(now: number = Date.now()): string {
  if (offset + 10 > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  let s = now.toString(36).padStart(9, '0');
  for (let i = 0; i < 10; i++) s += ALPHABET[pool[offset++]! % 36];
  return s;
}

/**
 * The unique key suffix for `unique: true`: a hash of the args' canonical JSON (object keys sorted), so
 * `{a, b}` and `{b, a}` are the same job.
 * @internal
 */
export function argsFingerprint(argsJson: string): string {
  return createHash('sha1').update(canonical(JSON.parse(argsJson))).digest('base64url');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
