import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { MAX_ARGS_BYTES } from '../../lib/index.js';
import type { AnalyzeArgs } from './analysis.jobs.js';

/** jobcraft refuses job args over 1 MiB of JSON; an analysis carries the whole file in its args, so this is also the upload limit. */
export { MAX_ARGS_BYTES };

/**
 * The 413 answered for a file the analysis job cannot carry.
 * @param detail - what was too large, e.g. `The file is 1234567 bytes`
 * @returns the exception to throw
 */
export function argsTooLarge(detail: string): PayloadTooLargeException {
  return new PayloadTooLargeException(
    `${detail}; the limit is ${MAX_ARGS_BYTES} bytes (1 MiB). An analysis carries the file in its job args, ` +
      `which jobcraft caps at 1 MiB of JSON: split the file, or keep large files in a blob store and enqueue a reference.`,
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Turns an upload into the `analyze` job's args, refusing what the job could not carry or analyse.
 * @param bytes - the file's content
 * @param filename - its name as uploaded, or null for a raw body
 * @returns the args
 * @throws {BadRequestException} if the file is empty or not UTF-8 text
 * @throws {PayloadTooLargeException} if the args would exceed 1 MiB of JSON
 */
export function toAnalyzeArgs(bytes: Buffer, filename: string | null): AnalyzeArgs {
  if (bytes.length === 0) throw new BadRequestException('The file is empty: there is nothing to analyse');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new BadRequestException('The file is not UTF-8 text');
  }
  const args: AnalyzeArgs = { filename, text };
  // JSON escapes quotes, backslashes and control characters, so a file under 1 MiB can still be too large.
  const json = Buffer.byteLength(JSON.stringify(args));
  if (json > MAX_ARGS_BYTES) throw argsTooLarge(`The file is ${bytes.length} bytes, ${json} bytes as job args (JSON)`);
  return args;
}
