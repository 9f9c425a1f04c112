import { Logger as NestLogger } from '@nestjs/common';
import { format } from 'node:util';
import type { Logger } from '../core/logger.js';

/** The context jobcraft's messages carry in a Nest app. @internal */
export const LOG_CONTEXT = 'jobcraft';

/**
 * jobcraft's default logger in a Nest app: Nest's `Logger` with context `jobcraft`, so what the app set up for its
 * own logs (levels, JSON output, a custom `LoggerService` given to `NestFactory.create` or `app.useLogger`) applies
 * to jobcraft's too. A `logger` given in the module options is used instead. Extra arguments are formatted into the
 * message (`util.format`), since Nest would read a trailing string argument as a context.
 * @returns the logger the runtime writes to
 * @internal
 */
export function nestLogger(): Logger {
  const logger = new NestLogger(LOG_CONTEXT);
  const text = (message: string, meta: unknown[]): string => (meta.length ? format(message, ...meta) : message);
  return {
    debug: (message, ...meta) => logger.debug(text(message, meta)),
    warn: (message, ...meta) => logger.warn(text(message, meta)),
    error: (message, ...meta) => logger.error(text(message, meta)),
  };
}
