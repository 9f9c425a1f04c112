import type { Job, JsonValue, TickInfo } from './types.js';

/**
 * The job a handler receives. Its AbortController is created only when a handler reads `signal`
 * (most never do), so running a job costs little; an abort before that is remembered and applied on first read.
 * @internal
 */
export class JobContext implements Job {
  private controller?: AbortController;
  private abortReason?: { reason: unknown };

  constructor(
    readonly id: string,
    readonly name: string,
    readonly args: JsonValue,
    readonly attempt: number,
    readonly enqueuedAt: number,
    readonly tick: TickInfo | undefined,
    private readonly report: (value: JsonValue) => Promise<void>,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason.reason);
    }
    return this.controller.signal;
  }

  progress(value: JsonValue): Promise<void> {
    return this.report(value);
  }

  /** Aborts the signal (timeout, lease lost, shutdown); only the first reason counts. */
  abort(reason: unknown): void {
    if (this.abortReason) return;
    this.abortReason = { reason };
    this.controller?.abort(reason);
  }
}
