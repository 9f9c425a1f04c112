import type { Logger } from './logger.js';

/**
 * Failure state of each periodic entry, for the log: an entry's first failure is logged, its later failures stay
 * quiet until it succeeds again, and its recovery is logged once. Entries are tracked apart, so one entry that
 * keeps failing neither hides another's failure nor lets another's success announce that all is well.
 * @internal
 */
export class EntryFailures {
  private readonly failing = new Set<string>();

  /** @param logger - where failures and recoveries are reported */
  constructor(private readonly logger: Logger) {}

  /**
   * Records a failed attempt to fire an entry's ticks; logs it if the entry was not failing already.
   * @param entry - the entry's name
   * @param err - what went wrong
   */
  failed(entry: string, err: unknown): void {
    if (this.failing.has(entry)) return;
    this.failing.add(entry);
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.warn(`periodic "${entry}": firing ticks failed, retrying at the next tick: ${reason}`);
  }

  /**
   * Records a successful attempt; logs the recovery if the entry was failing (and, once no entry fails any more,
   * that all entries fire again).
   * @param entry - the entry's name
   */
  succeeded(entry: string): void {
    if (!this.failing.delete(entry)) return;
    if (this.failing.size === 0) this.logger.warn('periodic entries: Redis is back, firing ticks again');
    else this.logger.warn(`periodic "${entry}": firing ticks again (still failing: ${[...this.failing].join(', ')})`);
  }
}
