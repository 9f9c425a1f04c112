import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants } from 'node:zlib';

const compress = promisify(brotliCompress);

/** What the analysis of a text file produces (the job's stored result). */
export interface Analysis {
  /** Lines, counted like an editor does: a last line without a newline counts too. */
  lines: number;
  /** Runs of letters, digits and apostrophes. */
  words: number;
  /** Size of the text in UTF-8. */
  bytes: number;
  /** SHA-256 of the text's UTF-8 bytes, hex. */
  sha256: string;
  /** Size after Brotli (quality 11, in blocks of ~64 KiB): how repetitive the text is. */
  compressedBytes: number;
  /** The ten most frequent words, lower-cased. */
  topWords: { word: string; count: number }[];
}

/** Text handled per step; a step ends at a line break, so no word or character is ever split between steps. */
const STEP = 64 * 1024;

/**
 * Analyses a text step by step: counts, hash, word frequencies and its compressed size. The Brotli pass is the
 * slow part (about 2 s per MiB on a laptop core); it runs on libuv's thread pool, so the event loop stays free
 * to renew the job's lease and serve HTTP.
 * @param text - the text
 * @param onProgress - called after each step with the percentage done (0-100)
 * @param signal - aborts between steps (the job timed out or was cancelled, or the worker is shutting down)
 * @returns the analysis
 */
export async function analyzeText(
  text: string,
  onProgress: (percent: number) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<Analysis> {
  const hash = createHash('sha256');
  const counts = new Map<string, number>();
  let lines = 0;
  let words = 0;
  let compressedBytes = 0;
  for (let at = 0; at < text.length; ) {
    signal?.throwIfAborted();
    const lineEnd = text.indexOf('\n', at + STEP);
    const end = lineEnd === -1 ? text.length : lineEnd + 1;
    const part = text.slice(at, end);
    const bytes = Buffer.from(part, 'utf8');
    hash.update(bytes);
    for (let i = 0; i < part.length; i++) if (part.charCodeAt(i) === 10) lines++;
    for (const w of part.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []) {
      words++;
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    compressedBytes += (await compress(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })).length;
    at = end;
    await onProgress(Math.round((at / text.length) * 100));
  }
  if (text.length > 0 && !text.endsWith('\n')) lines++;
  const topWords = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 10)
    .map(([word, count]) => ({ word, count }));
  return { lines, words, bytes: Buffer.byteLength(text), sha256: hash.digest('hex'), compressedBytes, topWords };
}
