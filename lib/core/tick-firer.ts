import type { Emitter } from './events.js';
import type { Logger } from './logger.js';
import type { PeriodicEntry } from './periodic-entry.js';
import { claimAt, type TickPlan } from './plan-ticks.js';
import { TRACE_FIELD } from './redis/codec.js';
import type { ScheduleBroker } from './redis/schedule-broker.js';
import type { SchedulerEvents } from './scheduler.js';
import type { JobTracer, TickClaimResult } from './tracing/job-tracer.js';

/** Claims of one tick before giving up, when other instances keep changing the entry's last job. */
const CLAIM_ATTEMPTS = 5;

/** A tick Redis said is not due yet (our estimate of its clock ran ahead), and how long to wait for it. @internal */
export interface EarlyTick {
  /** The tick. */
  tick: number;
  /** How long (local ms) Redis says its claim time is away. */
  waitMs: number;
}

/** What a {@link TickFirer} needs. @internal */
export interface TickFirerDeps {
  /** The broker whose claim-tick transition fires ticks. */
  broker: Pick<ScheduleBroker, 'claimTick'>;
  /** Where `tick:fired`, `tick:skipped` and `tick:missed` go. */
  events: Emitter<SchedulerEvents>;
  /** Where missed ticks and given-up claims are reported. */
  logger: Logger;
  /** This instance's name in the entry's `lastBy`. */
  instanceId: string;
  /** How many recent ticks each entry's history keeps (`Inspector.periodic`). */
  historySize: number;
  /** False once the scheduler stops: a catch-up in progress fires no further tick. */
  running: () => boolean;
  /** The tracer, with `tracing: true` once started: each claim is then a root `tick <entry>` span. */
  tracer?: () => JobTracer | undefined;
}

/** What one claim of a tick came to: the caller's result, what the claim did, and how late (Redis ms), if known. */
interface Claimed {
  result: string | EarlyTick;
  claim: TickClaimResult;
  lateMs?: number;
}

/**
 * Carries out a {@link TickPlan} for one entry: reports its missed ticks, then claims its ticks in order through
 * the claim-tick transition (one compare-and-set per tick across all instances), and emits what each claim did.
 * @internal
 */
export class TickFirer {
  /** @param deps - broker, events, logger, instance id, and whether the scheduler still runs */
  constructor(private readonly deps: TickFirerDeps) {}

  /**
   * Reports a plan's missed ticks and fires its ticks in order, each claim passing on the job the previous claim
   * left as the entry's last (so a catch-up of N ticks is N claims, not N stale ones and N retries).
   * @param entry - the entry
   * @param plan - what `planTicks` decided
   * @param lastJob - the entry's last job as read before planning
   * @returns the tick Redis said is not due yet, if one was (the plan's later ticks are left for then)
   * @throws {@link RedisUnavailableError} or {@link RedisScriptError} if a claim fails
   */
  async fire(entry: PeriodicEntry, plan: TickPlan, lastJob: string | undefined): Promise<EarlyTick | undefined> {
    if (plan.missedCount > 0) {
      this.deps.logger.warn(`periodic "${entry.name}": ${plan.missedCount}${plan.moreMissed ? '+' : ''} tick(s) missed (misfire: ${entry.misfire})`);
      this.deps.events.emit('tick:missed', { entry: entry.name, ticks: plan.missed });
    }
    let previousJob = lastJob ?? '';
    for (const tick of plan.fire) {
      if (!this.deps.running()) return undefined;
      const claimed = await this.claim(entry, tick, previousJob);
      if (typeof claimed !== 'string') return claimed;
      previousJob = claimed;
    }
    return undefined;
  }

  /**
   * Claims one tick; traced, inside a root `tick <entry>` span whose context the tick's job carries (`tp`, written by
   * the claim itself). Every instance that claims a tick records a span; only the one that fired it has
   * `jobcraft.periodic.claim = fired` and a job.
   * @returns the entry's last job after the claim, or the tick itself if Redis said it is not due yet
   */
  private async claim(entry: PeriodicEntry, tick: number, lastJob: string): Promise<string | EarlyTick> {
    const jobId = `tick:${entry.name}:${tick}`;
    const tracer = this.deps.tracer?.();
    const span = tracer?.tick(entry.name, entry.job, jobId, tick);
    if (!span) return (await this.claimOnce(entry, tick, jobId, lastJob, entry.extra)).result;
    const tp = tracer!.carrier(span);
    try {
      const c = await this.claimOnce(entry, tick, jobId, lastJob, tp === undefined ? entry.extra : [...entry.extra, TRACE_FIELD, tp]);
      tracer!.endTick(span, c.claim, c.lateMs);
      return c.result;
    } catch (err) {
      tracer!.endTick(span, 'failed', undefined, err);
      throw err;
    }
  }

  /** Claims one tick, retrying while other instances change the entry's last job under it. */
  private async claimOnce(entry: PeriodicEntry, tick: number, jobId: string, lastJob: string, extra: string[]): Promise<Claimed> {
    const { broker, events, instanceId } = this.deps;
    let previousJob = lastJob;
    const notBefore = claimAt(entry.schedule, entry.overlap, tick);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const reply = await broker.claimTick({
        entry: entry.name, tick, jobId, jobName: entry.job, args: entry.args, extra,
        instanceId, overlap: entry.overlap, previousJob, notBefore, uniqueWindowMs: entry.uniqueWindowMs, historySize: this.deps.historySize,
      });
      switch (reply.status) {
        case 'FIRED':
          events.emit('tick:fired', { entry: entry.name, tick, jobId: reply.jobId, lateMs: reply.now - tick });
          return { result: reply.jobId, claim: 'fired', lateMs: reply.now - tick };
        case 'SKIPPED':
          events.emit('tick:skipped', { entry: entry.name, tick, reason: reply.reason });
          return { result: reply.previousJob, claim: 'skipped', lateMs: reply.now - tick };
        case 'TAKEN':
          return { result: reply.lastJob, claim: 'taken' };
        case 'EARLY':
          // our estimate of the Redis clock ran ahead: the caller waits for the claim time as Redis tells it
          return { result: { tick, waitMs: Math.max(1, notBefore - reply.now) }, claim: 'early', lateMs: reply.now - tick };
        case 'STALE':
          previousJob = reply.lastJob; // another instance fired an earlier tick meanwhile
          continue;
      }
    }
    this.deps.logger.warn(`periodic "${entry.name}": gave up claiming tick ${tick} after ${CLAIM_ATTEMPTS} attempts`);
    return { result: previousJob, claim: 'gave_up' };
  }
}
