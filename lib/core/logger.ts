import { format } from 'node:util';

/** The minimal logger jobcraft writes to; Nest's `Logger` and `console` both fit. */
export interface Logger {
  /** Routine detail. */
  debug?(message: string, ...meta: unknown[]): void;
  /** Something unexpected that jobcraft recovered from. */
  warn(message: string, ...meta: unknown[]): void;
  /** Something failed; jobcraft keeps running. */
  error(message: string, ...meta: unknown[]): void;
}

/** Writes one line to stderr, formatted as `console.error` would (`util.format`). */
function toStderr(message: string, meta: unknown[]): void {
  process.stderr.write(`${format(`[jobcraft] ${message}`, ...meta)}\n`);
}

/**
 * Default logger outside Nest: warnings and errors to stderr (as `console.warn`/`console.error` would print them,
 * prefixed `[jobcraft]`), no debug output. In a Nest app the default is Nest's `Logger` instead (context `jobcraft`).
 */
export const consoleLogger: Logger = {
  warn: (message, ...meta) => toStderr(message, meta),
  error: (message, ...meta) => toStderr(message, meta),
};

/** A logger that drops everything. */
export const silentLogger: Logger = { warn: () => {}, error: () => {} };
