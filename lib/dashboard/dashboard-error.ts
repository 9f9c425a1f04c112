import { InvalidOptionsError, JobNotFoundError, isJobcraftError } from '../core/errors.js';
import type { ErrorResponse } from './api-types.js';

/**
 * A dashboard request that fails with an HTTP status: a bad parameter (400, naming it), a write in read-only mode
 * (403), an unknown job, name or entry (404).
 * @internal
 */
export class DashboardError extends Error {
  /**
   * @param status - the HTTP status
   * @param code - a machine-readable code (`BAD_PARAMETER`, `READ_ONLY`, `NOT_FOUND`, or a jobcraft error code)
   * @param message - a sentence for the page
   * @param param - the parameter at fault (400)
   */
  constructor(readonly status: number, readonly code: string, message: string, readonly param?: string) {
    super(message);
    this.name = 'DashboardError';
  }
}

/**
 * What an error answers: its own status for a {@link DashboardError}; 404 for an unknown job; 400 for options the
 * core refused; 503 when Redis is unavailable (the page shows a banner and keeps polling); 500 otherwise.
 * @internal
 */
export function errorResponse(err: unknown): { status: number; body: ErrorResponse } {
  const answer = (status: number, code: string, message: string, param?: string) => ({
    status, body: { error: { status, code, message, ...(param ? { param } : {}) } },
  });
  if (err instanceof DashboardError) return answer(err.status, err.code, err.message, err.param);
  if (err instanceof JobNotFoundError) return answer(404, err.code, err.message);
  if (err instanceof InvalidOptionsError) return answer(400, err.code, err.message);
  if (isJobcraftError(err) && (err.code === 'REDIS_UNAVAILABLE' || err.code === 'QUEUE_CLOSED')) {
    return answer(503, 'REDIS_UNAVAILABLE', `Redis unavailable: ${err.message}`);
  }
  return answer(500, 'INTERNAL', err instanceof Error ? err.message : String(err));
}
