/**
 * Where a long-running component ({@link WorkerPool}, {@link Scheduler}) stands:
 * - `new`: not started (in a Nest app after bootstrap: this process does not run it, e.g. `workers: false`);
 * - `running`;
 * - `degraded`: running, but some of its Redis work has kept failing since `since`, and it is retrying;
 * - `stopping`: draining at shutdown;
 * - `stopped`.
 */
export type ComponentState = 'new' | 'running' | 'degraded' | 'stopping' | 'stopped';

/** What a {@link WorkerPool} or a {@link Scheduler} says about itself, for health checks (`health()`). */
export interface ComponentHealth {
  /** Where it stands. */
  state: ComponentState;
  /** When it entered that state (ms since epoch, local clock). */
  since: number;
  /** Its latest failure, kept after it recovered: the message and when (ms since epoch). */
  lastError?: { message: string; at: number };
}

/** One loop of a component (claims, lease renewal…) reporting how its last attempt went. @internal */
export interface HealthSource {
  /** The last attempt failed; the loop retries. */
  failed(err: unknown): void;
  /** The last attempt succeeded. */
  succeeded(): void;
}

/**
 * Keeps a component's health: which of its loops are failing now (each since its first failure in a row), and its
 * latest error. A component is degraded while any loop is failing; it is running again, since then, once every loop
 * has succeeded again. Reads only; nothing here changes what the component does.
 * @internal
 */
export class HealthTracker {
  private readonly failing = new Map<string, number>();
  private lastError?: { message: string; at: number };
  private recoveredAt = 0;

  /**
   * A handle for one loop of the component.
   * @param name - the loop's name (`claim`, `lease`…); loops of one tracker need distinct names
   * @returns what the loop reports through
   */
  source(name: string): HealthSource {
    return { failed: (err) => this.failed(name, err), succeeded: () => this.succeeded(name) };
  }

  /**
   * Records a failure of a loop: the component is degraded until that loop succeeds.
   * @param name - the loop
   * @param err - what went wrong
   */
  failed(name: string, err: unknown): void {
    const at = Date.now();
    this.note(err, at);
    if (!this.failing.has(name)) this.failing.set(name, at);
  }

  /**
   * Records a success of a loop.
   * @param name - the loop
   */
  succeeded(name: string): void {
    if (this.failing.delete(name) && this.failing.size === 0) this.recoveredAt = Date.now();
  }

  /**
   * Records an error as the latest one without degrading the component (a failure it does not retry itself, such as
   * a tick left to the next one).
   * @param err - what went wrong
   * @param at - when (default now)
   */
  note(err: unknown, at = Date.now()): void {
    this.lastError = { message: err instanceof Error ? err.message : String(err), at };
  }

  /**
   * The component's health, from its own lifecycle state.
   * @param state - the component's lifecycle state (`starting` counts as `new`)
   * @param since - when it entered that state
   * @returns the health to report
   */
  report(state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped', since: number): ComponentHealth {
    const lastError = this.lastError ? { lastError: { ...this.lastError } } : {};
    if (state === 'running' && this.failing.size > 0) return { state: 'degraded', since: Math.min(...this.failing.values()), ...lastError };
    if (state === 'running') return { state, since: Math.max(since, this.recoveredAt), ...lastError };
    return { state: state === 'starting' ? 'new' : state, since, ...lastError };
  }
}
