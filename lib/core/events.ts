import type { JobError, JsonValue, TickInfo } from './types.js';

/** Identifies the job an event is about. */
export interface JobEventBase {
  /** The job id. */
  id: string;
  /** The job name. */
  name: string;
  /** The attempt (1-based). */
  attempt: number;
}

/** How long a finished attempt ran. */
export interface AttemptTiming {
  /** The handler's run time, middleware included (ms). */
  runMs: number;
}

/** Events a {@link WorkerPool} emits, by name. */
export interface WorkerPoolEvents {
  /**
   * A job attempt started: `waitMs` from when it was due (enqueued, or its delay or backoff over) until it was
   * claimed, on the Redis clock; `tick` for a periodic entry's job.
   */
  'job:active': JobEventBase & { waitMs: number; tick?: TickInfo };
  /** A job completed and its result was recorded. */
  'job:completed': JobEventBase & AttemptTiming & { result: JsonValue };
  /** An attempt failed; the job will run again after `delayMs`. */
  'job:retrying': JobEventBase & AttemptTiming & { error: JobError; delayMs: number };
  /** A job failed for good (out of attempts, non-retryable, or a corrupt record) and is in the dead set; `runMs` is 0 for a corrupt record that never ran. */
  'job:dead': JobEventBase & AttemptTiming & { error: JobError };
  /** This worker lost a job's lease (it was frozen past the lease); another worker owns the job now. */
  'job:lost': JobEventBase;
  /** A running job was cancelled by an operator (`Inspector.cancel`); its signal was aborted and nothing it returns is recorded. */
  'job:cancelled': JobEventBase & AttemptTiming;
  /** A running job was handed back to the queue at shutdown. */
  'job:released': JobEventBase;
  /** A job whose worker died was requeued (`requeued`) or, on its last attempt, buried (`dead`). */
  'job:recovered': { id: string; name: string; outcome: 'requeued' | 'dead' };
}

type Listener<T> = (payload: T) => void;

/**
 * A small typed event emitter; a throwing listener is isolated (reported, never propagated into the worker).
 * @internal
 */
export class Emitter<E extends object> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  has(event: keyof E): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        (l as Listener<E[K]>)(payload);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}
