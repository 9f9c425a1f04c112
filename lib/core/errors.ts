/**
 * Every error jobcraft throws, each with a literal `code`.
 * @packageDocumentation
 */

/** Every error code a {@link JobcraftError} can carry. */
export type ErrorCode =
  | 'INVALID_JOB'
  | 'INVALID_OPTIONS'
  | 'INVALID_SCHEDULE'
  | 'DUPLICATE_JOB'
  | 'DUPLICATE_HANDLER'
  | 'UNSUPPORTED_SCOPE'
  | 'JOB_NOT_FOUND'
  | 'WAIT_TIMEOUT'
  | 'QUEUE_CLOSED'
  | 'REDIS_UNAVAILABLE'
  | 'REDIS_SCRIPT'
  | 'NON_RETRYABLE'
  | 'JOB_TIMEOUT'
  | 'JOB_CANCELLED';

/** Base class of every jobcraft error: sets `name`, carries a literal `code` and passes `cause` through. */
export class JobcraftError extends Error {
  /** Machine-readable code of this error. */
  readonly code: ErrorCode;

  /**
   * @param code - the error's code
   * @param message - a sentence naming the problem
   * @param options - `cause`, when this error wraps another
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * Tells whether a value is a jobcraft error (of any class).
 * @param value - anything caught
 * @returns true if `value` is a {@link JobcraftError}
 */
export function isJobcraftError(value: unknown): value is JobcraftError {
  return value instanceof JobcraftError;
}

/** A job given to `enqueue` is invalid (name, args or options); nothing was written to Redis. */
export class InvalidJobError extends JobcraftError {
  /**
   * @param message - what is wrong, naming the field
   * @param options - the underlying cause, if any
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_JOB', message, options);
  }
}

/** Options given to a constructor, `handle`, or the Nest module are invalid. */
export class InvalidOptionsError extends JobcraftError {
  /** @param message - what is wrong, naming the field */
  constructor(message: string) {
    super('INVALID_OPTIONS', message);
  }
}

/** A schedule spec (cron or `@every`) cannot be parsed. */
export class InvalidScheduleError extends JobcraftError {
  /**
   * @param message - what is wrong, naming the spec and the entry
   * @param options - the parser's error, if any
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_SCHEDULE', message, options);
  }
}

/** A live job already holds the requested id or unique key; nothing was changed. */
export class DuplicateJobError extends JobcraftError {
  /** Id of the job that holds the id or unique key. */
  readonly existingId: string;
  /** Whether the clash is on the job id or on the unique key. */
  readonly reason: 'id' | 'unique';

  /**
   * @param existingId - id of the live job holding the id or key
   * @param reason - `'id'` for a custom id clash, `'unique'` for a unique-key clash
   * @param name - the job name being enqueued
   */
  constructor(existingId: string, reason: 'id' | 'unique', name: string) {
    super(
      'DUPLICATE_JOB',
      reason === 'id'
        ? `A live job with id "${existingId}" already exists; "${name}" was not enqueued`
        : `Job "${name}" is unique and job "${existingId}" already holds its unique key; nothing was enqueued`,
    );
    this.existingId = existingId;
    this.reason = reason;
  }
}

/** Two handlers were registered for one job name. */
export class DuplicateHandlerError extends JobcraftError {
  /** @param message - names the job and both handlers where known */
  constructor(message: string) {
    super('DUPLICATE_HANDLER', message);
  }
}

/** A request-scoped or transient provider declares job handlers, middleware or periodic entries. */
export class UnsupportedProviderScopeError extends JobcraftError {
  /** @param message - names the class and the method */
  constructor(message: string) {
    super('UNSUPPORTED_SCOPE', message);
  }
}

/** The job does not exist (never did, or its retention expired). */
export class JobNotFoundError extends JobcraftError {
  /** The id that was looked up. */
  readonly jobId: string;

  /** @param jobId - the id that was looked up */
  constructor(jobId: string) {
    super('JOB_NOT_FOUND', `Job "${jobId}" does not exist or its record expired`);
    this.jobId = jobId;
  }
}

/** `waitFor` reached its timeout before the job finished. */
export class WaitTimeoutError extends JobcraftError {
  /** The id waited for. */
  readonly jobId: string;

  /**
   * @param jobId - the id waited for
   * @param timeoutMs - the timeout that elapsed
   */
  constructor(jobId: string, timeoutMs: number) {
    super('WAIT_TIMEOUT', `Job "${jobId}" did not finish within ${timeoutMs} ms`);
    this.jobId = jobId;
  }
}

/** The Enqueuer or WorkerPool was closed; no new work is accepted. */
export class QueueClosedError extends JobcraftError {
  /** @param what - which component was closed */
  constructor(what: string) {
    super('QUEUE_CLOSED', `${what} is closed`);
  }
}

/**
 * Redis did not answer in time or the connection is down. For an enqueue this is ambiguous:
 * the job may or may not have been written; pass a custom `id` to make a retry safe.
 */
export class RedisUnavailableError extends JobcraftError {
  /**
   * @param operation - what was being done
   * @param cause - the client's error
   */
  constructor(operation: string, cause?: unknown) {
    super(
      'REDIS_UNAVAILABLE',
      `Redis is unavailable during ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** A Lua script failed or answered something unexpected. */
export class RedisScriptError extends JobcraftError {
  /** Name of the script. */
  readonly script: string;

  /**
   * @param script - the script's name
   * @param message - what went wrong
   * @param cause - the client's error, if any
   */
  constructor(script: string, message: string, cause?: unknown) {
    super('REDIS_SCRIPT', `Script ${script}: ${message}`, { cause });
    this.script = script;
  }
}

/** Thrown by a handler to send the job straight to the dead set, with no retry. */
export class NonRetryableError extends JobcraftError {
  /**
   * @param message - why the job cannot succeed
   * @param options - the underlying cause, if any
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super('NON_RETRYABLE', message, options);
  }
}

/** A job ran longer than its `timeout`; its signal was aborted with this error and the attempt failed. */
export class JobTimeoutError extends JobcraftError {
  /** @param timeoutMs - the timeout that elapsed */
  constructor(timeoutMs: number) {
    super('JOB_TIMEOUT', `Job timed out after ${timeoutMs} ms`);
  }
}

/** An operator cancelled the job (`Inspector.cancel`); a running job's signal is aborted with this error. */
export class JobCancelledError extends JobcraftError {
  /** The job id. */
  readonly jobId: string;
  /** @param jobId - the cancelled job */
  constructor(jobId: string) {
    super('JOB_CANCELLED', `Job "${jobId}" was cancelled`);
    this.jobId = jobId;
  }
}
