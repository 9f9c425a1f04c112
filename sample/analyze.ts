import { createHash } from 'node:crypto';

/** What the analysis of a text file produces. */
export interface Analysis {
  lines: number;
  words: number;
  bytes: number;
  sha256: string;
  topWords: { word: string; count: number }[];
}

/**
 * Analyses a text in chunks, yielding to the event loop between them (so the worker keeps renewing its
 * leases) and reporting progress in percent.
 */
export async function analyzeText(text: string, onProgress: (pct: number) => Promise<void> | void, signal?: AbortSignal): Promise<Analysis> {
  const hash = createHash('sha256');
  const counts = new Map<string, number>();
  let lines = 0;
  let words = 0;
  const chunk = 64 * 1024;
  for (let at = 0; at < text.length; at += chunk) {
    signal?.throwIfAborted();
    const part = text.slice(at, at + chunk);
    hash.update(part);
    for (let i = 0; i < part.length; i++) if (part.charCodeAt(i) === 10) lines++;
    for (const w of part.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []) {
      words++;
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    await onProgress(Math.min(99, Math.round(((at + part.length) / text.length) * 100)));
    await new Promise((r) => setImmediate(r));
  }
  const topWords = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([word, count]) => ({ word, count }));
  return { lines, words, bytes: Buffer.byteLength(text), sha256: hash.digest('hex'), topWords };
}
