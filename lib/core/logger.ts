/** The minimal logger jobcraft writes to; Nest's `Logger` and `console` both fit. */
export interface Logger {
  /** Routine detail. */
  debug?(message: string, ...meta: unknown[]): void;
  /** Something unexpected that jobcraft recovered from. */
  warn(message: string, ...meta: unknown[]): void;
  /** Something failed; jobcraft keeps running. */
  error(message: string, ...meta: unknown[]): void;
}

/** Default logger: warnings and errors to the console, no debug output. */
export const consoleLogger: Logger = {
  warn: (message, ...meta) => console.warn(`[jobcraft] ${message}`, ...meta),
  error: (message, ...meta) => console.error(`[jobcraft] ${message}`, ...meta),
};

/** A logger that drops everything. */
export const silentLogger: Logger = { warn: () => {}, error: () => {} };
