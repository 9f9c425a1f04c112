import type { HealthSource } from './health-tracker.js';
import type { Logger } from './logger.js';
import type { BuryItem, CompleteItem, JobBroker, LeaseOutcome, RetryItem } from './redis/job-broker.js';
import { jobIdOf } from './redis/wire.js';

/** What to do once an outcome is in Redis (emit its event), or when its lease turned out lost. @internal */
export interface AckHooks {
  /** The outcome is recorded. */
  recorded?: () => void;
  /** The attempt (1-based), reported with `job:lost` if the lease was gone; none for a release, where it is no news. */
  attempt?: number;
}

type Kind = 'complete' | 'retry' | 'bury' | 'release';
interface Pending<T> {
  item: T;
  hooks: AckHooks;
}
type Batches = { [K in Kind]: Map<string, Pending<ItemOf<K>>[]> };
type ItemOf<K extends Kind> = K extends 'complete' ? CompleteItem : K extends 'retry' ? RetryItem : K extends 'bury' ? BuryItem : string;

/** What an {@link AckBuffer} needs. @internal */
export interface AckBufferDeps {
  broker: JobBroker;
  logger: Logger;
  /** Default retention (complete-jobs sends only the retentions that differ from it). */
  retentionMs: number;
  /** Whether completing a job of this name must wake a worker (a capped name: the cap just freed). */
  wakeOnComplete: (name: string) => boolean;
  /** A job finished here after its lease was lost: another worker owns it; nothing was recorded. */
  lost: (name: string, id: string, attempt: number) => void;
  /** Called right after each batch of acks is sent (a claim then rides the same pipeline). */
  sent: () => void;
  /** Where each flush's success or failure is reported, for the pool's health. */
  health?: HealthSource;
}

/**
 * Buffers job outcomes (complete, retry, bury, release) and records them in batches: one script call per kind and
 * job name per flush, all sent in the same tick (asynq's syncer, batched). An outcome's hook runs only once Redis
 * has recorded it; a lease found lost is reported instead; a failed call is retried with backoff, outcomes kept in
 * order. Nothing is announced that is not in Redis.
 * @internal
 */
export class AckBuffer {
  private batches = AckBuffer.empty();
  private scheduled = false;
  private flushing?: Promise<void>;
  private giveUpAt = Infinity;

  /** @param deps - the broker, defaults and callbacks */
  constructor(private readonly deps: AckBufferDeps) {}

  private static empty(): Batches {
    return { complete: new Map(), retry: new Map(), bury: new Map(), release: new Map() };
  }

  /** Outcomes not yet recorded. */
  get size(): number {
    let n = 0;
    for (const kind of Object.values(this.batches)) for (const list of kind.values()) n += list.length;
    return n;
  }

  /** Queues a completion. */
  complete(name: string, item: CompleteItem, hooks: AckHooks): void {
    this.add('complete', name, item, hooks);
  }

  /** Queues a retry. */
  retry(name: string, item: RetryItem, hooks: AckHooks): void {
    this.add('retry', name, item, hooks);
  }

  /** Queues a burial. */
  bury(name: string, item: BuryItem, hooks: AckHooks): void {
    this.add('bury', name, item, hooks);
  }

  /** Queues handing a running job back to its queue (or only dropping its lease, if its record is gone or finished). */
  release(name: string, member: string, hooks: AckHooks): void {
    this.add('release', name, member, hooks);
  }

  /**
   * Records everything queued, retrying failures until `deadline` (local ms): for shutdown, where a Redis outage
   * must not hold the process past its shutdown timeout. Whatever is left then is given up: those jobs' leases
   * expire and they run again.
   */
  async drain(deadline: number): Promise<void> {
    this.giveUpAt = deadline;
    this.flush();
    while (this.flushing) await this.flushing;
  }

  private add<K extends Kind>(kind: K, name: string, item: ItemOf<K>, hooks: AckHooks): void {
    const map = this.batches[kind] as Map<string, Pending<ItemOf<K>>[]>;
    let list = map.get(name);
    if (!list) map.set(name, (list = []));
    list.push({ item, hooks });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    this.flushing ??= this.flushLoop().finally(() => (this.flushing = undefined)); // the running loop takes what arrived meanwhile
  }

  private async flushLoop(): Promise<void> {
    let failures = 0;
    while (this.size > 0) {
      const batches = this.batches;
      this.batches = AckBuffer.empty();
      const { broker } = this.deps;
      const calls: Promise<unknown>[] = [];
      for (const [name, list] of batches.complete) {
        calls.push(this.send(list, 'complete', name, () => broker.completeJobs(name, this.deps.wakeOnComplete(name), this.deps.retentionMs, list.map((p) => p.item))));
      }
      for (const [name, list] of batches.retry) calls.push(this.send(list, 'retry', name, () => broker.retryJobs(name, list.map((p) => p.item))));
      for (const [name, list] of batches.bury) calls.push(this.send(list, 'bury', name, () => broker.buryJobs(name, list.map((p) => p.item))));
      for (const [name, list] of batches.release) calls.push(this.send(list, 'release', name, () => broker.releaseJobs(name, list.map((p) => p.item))));
      this.deps.sent();
      const firstError = (await Promise.all(calls)).find((e) => e !== undefined);
      if (firstError === undefined) {
        failures = 0;
        this.deps.health?.succeeded();
        continue;
      }
      this.deps.health?.failed(firstError);
      if (failures++ === 0) this.deps.logger.warn(`recording job outcomes failed (will retry): ${(firstError as Error).message}`);
      const wait = Math.min(2000, 50 * 2 ** failures);
      if (Date.now() + wait > this.giveUpAt) {
        this.deps.logger.error(`giving up recording ${this.size} job outcome(s) at shutdown; their leases will expire and the jobs run again`);
        this.batches = AckBuffer.empty();
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /**
   * Sends one batch; on success runs each item's hook (or reports it lost), on failure puts the batch back first in
   * line and returns the error.
   */
  private async send<K extends Kind>(list: Pending<ItemOf<K>>[], kind: K, name: string, call: () => Promise<LeaseOutcome[]>): Promise<unknown> {
    let outcomes: LeaseOutcome[];
    try {
      outcomes = await call();
    } catch (err) {
      const map = this.batches[kind] as Map<string, Pending<ItemOf<K>>[]>;
      map.set(name, [...list, ...(map.get(name) ?? [])]);
      return err ?? new Error('unknown failure');
    }
    list.forEach(({ item, hooks }, i) => {
      if (outcomes[i] === 'OK') hooks.recorded?.();
      else if (hooks.attempt !== undefined) this.deps.lost(name, jobIdOf(typeof item === 'string' ? item : item.member), hooks.attempt);
    });
    return undefined;
  }
}
