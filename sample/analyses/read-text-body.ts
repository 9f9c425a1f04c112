import type { IncomingMessage } from 'node:http';
import { argsTooLarge } from './analyze-args.js';

/**
 * Reads a raw request body (e.g. `text/plain`, which Nest does not parse) up to `limit` bytes. A larger body is
 * still drained, so the client gets the 413 instead of a reset connection.
 * @param req - the request, its body not yet read
 * @param limit - most bytes accepted
 * @returns the body
 * @throws {PayloadTooLargeException} if the body is over `limit`
 */
export async function readTextBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw argsTooLarge(`The body is ${size} bytes`);
  return Buffer.concat(chunks);
}
