import { randomBytes } from 'node:crypto';
import { isJobcraftError } from './errors.js';
import type { HealthSource } from './health-tracker.js';
import type { Logger } from './logger.js';
import { LongTimer, nodeTimers } from './long-timer.js';
import type { ClaimReply, JobBroker, StartedRecord } from './redis/job-broker.js';
import { leaseMember } from './redis/wire.js';

/** Longest a worker blocks waiting for a wake-up before it looks for work anyway (a safety net). */
const BLOCK_MS = 5000;

/** A claimed job, its lease member and its record as start-jobs read it. @internal */
export interface StartedJob {
  name: string;
  id: string;
  member: string;
  record: StartedRecord;
  /** Redis time of the claim (ms). */
  claimedAt: number;
}

/** What a {@link Claimer} needs from its pool. @internal */
export interface ClaimerDeps {
  broker: JobBroker;
  logger: Logger;
  leaseMs: number;
  concurrency: number;
  /** The job names to claim, with each one's cluster-wide cap (0 = none). */
  caps: ReadonlyMap<string, number>;
  /** Jobs running now (their slots are taken). */
  busy: () => number;
  /** Takes just-started jobs; called synchronously with every batch, during shutdown too (to hand them back). */
  onStarted: (jobs: StartedJob[]) => void;
  /** Where failed and successful claims are reported, for the pool's health. */
  health?: HealthSource;
}

/**
 * Claims jobs for a pool, never more than its free slots: leases a batch (claim-jobs), reads and starts the records
 * (start-jobs) and hands them over. Up to two claims are in flight, each for at most half the slots, so one batch's
 * Redis work overlaps another's run. When idle it blocks on the names' marker zsets and claims on a wake-up; when
 * a batch came back full (a backlog) it claims again as slots free instead of blocking; for delayed and retrying
 * jobs it arms a timer for the earliest due time the claim reported (on the Redis clock). Failures are retried with
 * backoff, and any failure ends the backlog, so the pool never waits for a slot nobody will free.
 * @internal
 */
export class Claimer {
  /** This pool's id: the prefix of its claim tokens, and its id in the workers list. */
  readonly id = randomBytes(6).toString('base64url');
  private readonly names: string[];
  private running = false;
  private claimSeq = 0;
  private rotation = 0;
  /** Slots reserved by claims in flight and by claimed jobs not yet handed over. */
  private starting = 0;
  private claimsInFlight = 0;
  private readonly claims = new Set<Promise<void>>();
  private claimAgain = false;
  private failures = 0;
  /** The last claim filled its batch, so more jobs are probably waiting: claim as slots free, no need to block. */
  private backlog = false;
  private readonly dueTimer = new LongTimer();
  private readonly retryTimer = new LongTimer(undefined, nodeTimers(true));
  private wakeLoop?: Promise<void>;
  private slotWaiter?: () => void;

  /** @param deps - the broker, the pool's limits and callbacks */
  constructor(private readonly deps: ClaimerDeps) {
    this.names = [...deps.caps.keys()];
  }

  /** Starts the wake loop and claims at once. */
  start(): void {
    if (this.running || this.names.length === 0) return;
    this.running = true;
    this.wakeLoop = this.runWakeLoop();
    this.request();
  }

  /** Stops claiming; resolves once no claim is in flight (jobs they started were handed to `onStarted`). */
  async stop(): Promise<void> {
    this.running = false;
    this.dueTimer.cancel();
    this.retryTimer.cancel();
    this.deps.broker.interruptWait();
    this.slotFreed();
    await this.wakeLoop;
    while (this.claims.size) await Promise.allSettled([...this.claims]);
  }

  /** A slot was freed (a job finished or was given up): wakes the loop, which may claim or block for work. */
  slotFreed(): void {
    const w = this.slotWaiter;
    this.slotWaiter = undefined;
    w?.();
  }

  /** Claims now if a slot is free and fewer than two claims are in flight; else right after the current one. */
  request(): void {
    if (!this.running) return;
    if (this.claimsInFlight >= this.maxClaimsInFlight || this.free <= 0) {
      this.claimAgain = true;
      return;
    }
    this.track(this.claim());
  }

  private get free(): number {
    return this.deps.concurrency - this.deps.busy() - this.starting;
  }

  private get maxClaimsInFlight(): number {
    return this.deps.concurrency > 1 ? 2 : 1;
  }

  private async claim(): Promise<void> {
    this.claimsInFlight++;
    try {
      do {
        this.claimAgain = false;
        const room = Math.min(this.free, Math.ceil(this.deps.concurrency / this.maxClaimsInFlight));
        if (room <= 0 || !this.running) break;
        await this.claimBatch(room);
      } while (this.claimAgain);
      this.failures = 0;
      this.deps.health?.succeeded();
    } catch (err) {
      this.backlog = false; // whatever failed, nothing we claimed will free a slot by itself: look for work again
      this.retryLater(err);
    } finally {
      this.claimsInFlight--;
      this.slotFreed();
    }
  }

  /** One claim round trip, with `room` slots reserved; the start round trip runs on its own (tracked). */
  private async claimBatch(room: number): Promise<void> {
    const names = this.rotatedNames();
    const token = `${this.id}.${(this.claimSeq++).toString(36)}`;
    this.starting += room; // a second claim in flight meanwhile must not count these slots as free
    let reply: ClaimReply;
    try {
      reply = await this.deps.broker.claimJobs(token, this.deps.leaseMs, room, names.map((name) => ({ name, room, cap: this.deps.caps.get(name)! })));
    } finally {
      this.starting -= room;
    }
    this.armDueTimer(reply);
    const claimed = reply.names.flatMap((n) => n.ids.map((id) => ({ name: n.name, id, member: leaseMember(id, token) })));
    this.backlog = claimed.length >= room;
    if (claimed.length === 0) return;
    this.starting += claimed.length;
    this.track(this.startBatch(claimed, reply.now));
    // a full batch means more may be waiting: let a second claim run alongside this one
    if (this.backlog && this.claimsInFlight < this.maxClaimsInFlight) this.request();
  }

  /** Reads and starts claimed records and hands them over; if that fails, their leases expire and they are recovered. */
  private async startBatch(claimed: { name: string; id: string; member: string }[], now: number): Promise<void> {
    let records: StartedRecord[];
    try {
      records = await this.deps.broker.startJobs(claimed.map((c) => c.id), now);
    } catch (err) {
      this.starting -= claimed.length;
      this.deps.logger.warn(`starting ${claimed.length} claimed job(s) failed; they will be recovered: ${(err as Error).message}`);
      this.deps.health?.failed(err);
      this.backlog = false; // these slots are free again, and nothing else would claim into them
      this.slotFreed();
      this.request(); // a claim that fails too backs off until Redis answers
      return;
    }
    this.starting -= claimed.length;
    this.deps.onStarted(claimed.map((c, i) => ({ ...c, record: records[i]!, claimedAt: now })));
    this.slotFreed();
  }

  private track(p: Promise<void>): void {
    const q = p.finally(() => this.claims.delete(q));
    this.claims.add(q);
  }

  private retryLater(err: unknown): void {
    if (!this.running) return;
    this.deps.health?.failed(err);
    const outage = isJobcraftError(err) && err.code === 'REDIS_UNAVAILABLE';
    if (this.failures++ === 0 || !outage) {
      const log = outage ? this.deps.logger.warn : this.deps.logger.error;
      log.call(this.deps.logger, `claiming jobs failed (retrying${outage ? ' until Redis answers' : ''}): ${(err as Error).message}`);
    }
    this.retryTimer.armIn(Math.min(1000, 50 * this.failures), () => this.request());
  }

  private rotatedNames(): string[] {
    const n = this.names.length;
    if (n === 1) return this.names;
    const k = this.rotation++ % n;
    return [...this.names.slice(k), ...this.names.slice(0, k)];
  }

  /** Arms a timer for the earliest future due job, measured against Redis time from the claim reply. */
  private armDueTimer(reply: ClaimReply): void {
    if (!this.running) return; // a claim that lands during shutdown must not leave a timer behind
    let earliest = Infinity;
    for (const n of reply.names) if (n.nextDue !== undefined && n.nextDue > reply.now) earliest = Math.min(earliest, n.nextDue);
    if (earliest === Infinity) return;
    const at = this.deps.broker.localTime(earliest) ?? Date.now() + (earliest - reply.now);
    const armed = this.dueTimer.at;
    if (armed !== undefined && at >= armed) return;
    this.dueTimer.armAt(at, () => this.request());
  }

  private async runWakeLoop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      if (this.free <= 0 || this.backlog) {
        // busy, or jobs are waiting anyway: the next ack or free slot triggers a claim; block on Redis only when idle
        await new Promise<void>((r) => (this.slotWaiter = r));
        continue;
      }
      try {
        const name = await this.deps.broker.waitForWake(this.names, BLOCK_MS);
        failures = 0;
        if (!this.running) {
          if (name) await this.deps.broker.wake(name).catch(() => {});
          break;
        }
        if (name && this.free <= 0) await this.deps.broker.wake(name); // pass it on to a worker with room
        this.request();
      } catch (err) {
        if (!this.running) break;
        if (failures++ === 0) this.deps.logger.warn(`waiting for jobs failed (reconnecting): ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * failures)));
        this.request(); // after a reconnect, look for work we may have missed
      }
    }
  }
}
