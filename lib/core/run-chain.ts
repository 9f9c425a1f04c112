import { JobTimeoutError } from './errors.js';
import type { JobContext } from './job-context.js';
import { LongTimer } from './long-timer.js';
import type { Job } from './types.js';

/**
 * Runs a job's middleware chain and handler. With a timeout (any length), the attempt fails when it elapses, its
 * signal aborted with {@link JobTimeoutError}, even if the handler ignores the signal and keeps running.
 * @param ctx - the job as the handler sees it
 * @param chain - the compiled middleware chain and handler
 * @param timeoutMs - the attempt's timeout, if any
 * @returns what the handler returned
 * @internal
 */
export function runChain(ctx: JobContext, chain: (job: Job) => Promise<unknown>, timeoutMs: number | undefined): Promise<unknown> {
  if (timeoutMs === undefined) return chain(ctx);
  return new Promise((resolve, reject) => {
    const timer = new LongTimer();
    timer.armIn(timeoutMs, () => {
      const err = new JobTimeoutError(timeoutMs);
      ctx.abort(err);
      reject(err);
    });
    chain(ctx).then(
      (v) => { timer.cancel(); resolve(v); },
      (e) => { timer.cancel(); reject(e); },
    );
  });
}
