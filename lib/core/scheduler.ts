import { randomBytes } from 'node:crypto';
import { InvalidOptionsError, QueueClosedError } from './errors.js';
import { systemClock, type Clock } from './clock.js';
import { Emitter } from './events.js';
import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from './options.js';
import { Broker, type TickReply } from './redis/broker.js';
import { nextTick, previousTick } from './spec/parse-schedule.js';
import { toMs, type Duration } from './spec/duration.js';
import { resolvePeriodicEntry, type PeriodicEntry, type PeriodicOptions } from './periodic-entry.js';

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions extends ConnectionOptions {
  /** This instance's name in `lastBy` (default: a random id). */
  instanceId?: string;
  /** This process's clock (default: the system clock). Ticks follow the Redis clock whatever it says; for tests. */
  clock?: Clock;
  /**
   * Forget (delete the shared state of) entries that no instance has registered for this long: entries removed from
   * code. Running instances re-register theirs every hour. Default 7 days.
   */
  forgetAfter?: Duration;
}

/** One entry as `scheduler.entries()` reports it. */
export interface EntryInfo {
  /** The entry's name. */
  name: string;
  /** Its spec. */
  spec: string;
  /** The job name its ticks enqueue. */
  job: string;
  /** The last tick fired (ms since epoch, Redis clock), by any instance. */
  lastTick?: number;
  /** The job that tick created. */
  lastJob?: string;
  /** The instance that fired it. */
  lastBy?: string;
  /** When it was fired (Redis clock). */
  lastFiredAt?: number;
  /** The next tick due. */
  nextTick: number;
}

/** Events a {@link Scheduler} emits. */
export interface SchedulerEvents {
  /**
   * This instance fired a tick (created its job). `lateMs`: Redis time of the claim minus the tick; negative when
   * the tick was claimed ahead of its time (up to 200 ms, a quarter of the period at most, not with overlap 'skip'):
   * its job then waits, scheduled, and starts at the tick.
   */
  'tick:fired': { entry: string; tick: number; jobId: string; lateMs: number };
  /** A tick was skipped by the overlap or unique-window policy. */
  'tick:skipped': { entry: string; tick: number; reason: 'overlap' | 'unique' };
  /** Ticks nobody fired were left out by the misfire policy (`ticks`: the most recent, at most 100). */
  'tick:missed': { entry: string; ticks: number[] };
}

interface Entry extends PeriodicEntry {
  timer?: NodeJS.Timeout;
}

/** How often a running instance re-registers its entries. */
const REREGISTER_MS = 3_600_000;
/** Delay before a failed catch-up (Redis away at start) is tried again. */
const RETRY_MS = 1000;
/** Longest a tick is claimed ahead of its time (a quarter of the period at most). */
const MAX_LEAD_MS = 200;
/** Most missed ticks listed in a `tick:missed` event (the most recent ones). */
const MISSED_REPORTED = 100;

/**
 * Distributed cron: every instance registers the same entries and every instance can fire every tick; a tick
 * fires once, through one atomic compare-and-set on (entry, tick time) that also creates the tick's job (id
 * `tick:<entry>:<tickMs>`). Ticks are computed on the Redis clock (instances with skewed clocks agree) and
 * `@every D` ticks lie on multiples of D since the epoch, so nothing drifts and no instance is a leader that
 * could fail. Run the jobs with a {@link WorkerPool} like any other job.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler({ redis, namespace: 'bowl' });
 * scheduler.register('log-tick', '@every 1.5s', { args: { title: 'title1' } });
 * scheduler.register('nightly-report', '0 3 * * *', { timeZone: 'Asia/Seoul' });
 * await scheduler.start();
 * ```
 */
export class Scheduler {
  private readonly options: ResolvedConnectionOptions;
  private readonly broker: Broker;
  private readonly clock: Clock;
  private readonly instanceId: string;
  private readonly entriesByName = new Map<string, Entry>();
  private readonly events: Emitter<SchedulerEvents>;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private readonly forgetAfterMs: number;
  private registerTimer?: NodeJS.Timeout;
  private inFlight = new Set<Promise<void>>();
  private failing = false;

  /**
   * @param options - Redis connection, namespace, logger, instance id
   * @throws {@link InvalidOptionsError} if an option is invalid
   */
  constructor(options: SchedulerOptions = {}) {
    this.options = resolveConnectionOptions(options, 'Scheduler');
    this.clock = options.clock ?? systemClock;
    this.broker = new Broker(this.options, this.clock);
    if (options.instanceId !== undefined && (typeof options.instanceId !== 'string' || options.instanceId === '')) {
      throw new InvalidOptionsError('Scheduler.instanceId must be a non-empty string');
    }
    this.instanceId = options.instanceId ?? randomBytes(6).toString('base64url');
    this.forgetAfterMs = options.forgetAfter === undefined ? 7 * 86_400_000 : toMs(options.forgetAfter, 'Scheduler.forgetAfter', { allowZero: false });
    this.events = new Emitter((err) => this.options.logger.error(`a scheduler event listener threw: ${(err as Error).message}`));
  }

  /**
   * Declares a periodic entry. Every instance should register the same entries; each tick fires once.
   * @param name - the entry's name: its identity across instances
   * @param spec - `@every <duration>`, a 5- or 6-field cron, or `@hourly`/`@daily`/`@weekly`/`@monthly`/`@yearly`
   * @param options - job name, args, time zone, offset, misfire, overlap, unique window, job options
   * @returns this scheduler
   * @throws {@link InvalidScheduleError} naming the spec and the entry, if the spec cannot be parsed
   * @throws {@link InvalidOptionsError} if an option is invalid, the name is taken, or the scheduler has started
   */
  register(name: string, spec: string, options: PeriodicOptions = {}): this {
    if (this.state !== 'new') throw new InvalidOptionsError('entries must be registered before start()');
    const entry = resolvePeriodicEntry(name, spec, options, `register("${String(name)}")`);
    if (this.entriesByName.has(entry.name)) throw new InvalidOptionsError(`Periodic entry "${entry.name}" is already registered`);
    this.entriesByName.set(entry.name, entry);
    return this;
  }

  /**
   * Subscribes to a scheduler event.
   * @param event - the event name
   * @param listener - called with the event's payload
   * @returns this scheduler
   */
  on<K extends keyof SchedulerEvents>(event: K, listener: (payload: SchedulerEvents[K]) => void): this {
    this.events.on(event, listener);
    return this;
  }

  /**
   * Registers the entries in Redis, learns the Redis clock, fires what the misfire policies ask for, and starts
   * waiting for each entry's next tick.
   * @throws {@link RedisUnavailableError} if Redis cannot be reached
   */
  async start(): Promise<void> {
    if (this.state === 'running') return;
    if (this.state === 'stopped') throw new QueueClosedError('Scheduler');
    await this.announce();
    await this.broker.redisNow();
    const forgotten = await this.broker.forgetEntries(Date.now() - this.forgetAfterMs);
    if (forgotten.length) this.options.logger.warn(`forgot periodic entries no instance registered for ${this.forgetAfterMs} ms: ${forgotten.join(', ')}`);
    this.state = 'running';
    this.registerTimer = setInterval(() => this.track(this.announce()), REREGISTER_MS);
    this.registerTimer.unref();
    for (const entry of this.entriesByName.values()) this.track(this.catchUp(entry));
  }

  /** Stops waiting for ticks and closes the connections. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearInterval(this.registerTimer);
    for (const e of this.entriesByName.values()) clearTimeout(e.timer);
    await Promise.allSettled([...this.inFlight]);
    await this.broker.close();
  }

  /**
   * Lists this instance's entries with the shared state of their last tick and their next tick.
   * @returns one record per registered entry
   */
  async entries(): Promise<EntryInfo[]> {
    const now = this.redisNow();
    return Promise.all(
      [...this.entriesByName.values()].map(async (e) => {
        const s = await this.broker.readEntry(e.name);
        return { name: e.name, spec: e.schedule.spec, job: e.job, ...s, nextTick: nextTick(e.schedule, now) };
      }),
    );
  }

  /** Records (again) that this instance runs its entries, so they are never forgotten while it runs. */
  private announce(): Promise<void> {
    return this.broker.registerEntries([...this.entriesByName.values()].map((e) => ({ name: e.name, spec: e.schedule.spec })));
  }

  private track(p: Promise<void>): void {
    const q = p.catch((err: unknown) => this.options.logger.error(`scheduler: ${(err as Error).message}`)).finally(() => this.inFlight.delete(q));
    this.inFlight.add(q);
  }

  /** Redis time now, estimated from the learned clock offset. */
  private redisNow(): number {
    return this.clock.now() + (this.broker.clockOffset() ?? 0);
  }

  /**
   * When a tick is claimed (Redis time): up to 200 ms (a quarter of the period at most) before it. Its job is then
   * created scheduled at the tick, and the workers' due timers start it within a few ms of the tick, instead of
   * after the claim's and the claim-and-start round trips. At the tick itself with overlap 'skip', whose check
   * must see the previous job as it is at the tick.
   */
  private claimTime(entry: Entry, tick: number): number {
    if (entry.overlap === 'skip') return tick;
    return tick - Math.min(MAX_LEAD_MS, Math.floor((nextTick(entry.schedule, tick) - tick) / 4));
  }

  private arm(entry: Entry, after: number): void {
    if (this.state !== 'running') return;
    const tick = nextTick(entry.schedule, after);
    const at = this.claimTime(entry, tick);
    const local = this.broker.localTime(at) ?? this.clock.now() + (at - this.redisNow());
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.track(this.onTick(entry, tick)), Math.max(0, local - this.clock.now()));
  }

  /**
   * On start (and after a failed attempt): fires missed ticks as the entry's misfire policy says, then waits for
   * the next one. A failure (Redis away) is retried every second until it succeeds or the scheduler stops.
   */
  private async catchUp(entry: Entry): Promise<void> {
    if (this.state !== 'running') return;
    try {
      const now = this.redisNow();
      const latest = previousTick(entry.schedule, now);
      const state = await this.broker.readEntry(entry.name);
      if (latest !== undefined && state.lastTick !== undefined && latest > state.lastTick) {
        await this.fireDue(entry, state.lastTick, latest, now, state.lastJob);
      }
      this.recovered();
      this.arm(entry, now);
    } catch (err) {
      this.failed(entry, err);
      if (this.state !== 'running') return;
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => this.track(this.catchUp(entry)), RETRY_MS);
    }
  }

  /** At a tick (or its lead time): fires it, and missed ones per policy, then waits for the next tick, whatever happened. */
  private async onTick(entry: Entry, tick: number): Promise<void> {
    if (this.state !== 'running') return;
    let after = tick;
    try {
      const now = Math.max(this.redisNow(), this.claimTime(entry, tick));
      const state = await this.broker.readEntry(entry.name);
      const from = state.lastTick ?? tick - 1;
      const latest = previousTick(entry.schedule, Math.max(now, tick)) ?? tick;
      if (latest > from) await this.fireDue(entry, from, latest, now, state.lastJob);
      this.recovered();
      after = Math.max(tick, latest);
    } catch (err) {
      // Redis away: this tick is not fired here (another instance may fire it; if none does, the next tick that
      // fires applies the misfire policy). Wait for the next tick from now, not for each one that passed.
      this.failed(entry, err);
      after = Math.max(tick, this.redisNow());
    } finally {
      this.arm(entry, after);
    }
  }

  /** Logs the first failure of an outage (later ones until a success stay quiet). */
  private failed(entry: Entry, err: unknown): void {
    if (this.failing || this.state !== 'running') return;
    this.failing = true;
    this.options.logger.warn(`periodic "${entry.name}": firing ticks failed, retrying at the next tick: ${(err as Error).message}`);
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.options.logger.warn('periodic entries: Redis is back, firing ticks again');
  }

  private async fireDue(entry: Entry, from: number, latest: number, now: number, lastJob: string | undefined): Promise<void> {
    const cap = Math.max(entry.misfireLimit, MISSED_REPORTED);
    const due: number[] = []; // the most recent ticks in (from, latest], oldest first
    for (let t: number | undefined = latest; t !== undefined && t > from && due.length < cap; t = previousTick(entry.schedule, t - 1)) due.unshift(t);
    if (due.length === 0) return;
    const period = nextTick(entry.schedule, latest) - latest;
    const onTime = now - latest < Math.min(1000, Math.max(1, period / 2));
    let fire: number[];
    if (due.length === 1 && onTime) fire = due;
    else if (entry.misfire === 'all') fire = due.slice(-entry.misfireLimit);
    else if (entry.misfire === 'once') fire = [latest];
    else fire = onTime ? [latest] : [];
    const missed = due.filter((t) => !fire.includes(t)).slice(-MISSED_REPORTED);
    if (missed.length) {
      this.options.logger.warn(`periodic "${entry.name}": ${missed.length}${due.length === cap ? '+' : ''} tick(s) missed (misfire: ${entry.misfire})`);
      this.events.emit('tick:missed', { entry: entry.name, ticks: missed });
    }
    for (const t of fire) await this.claim(entry, t, lastJob);
  }

  private async claim(entry: Entry, tick: number, lastJob: string | undefined): Promise<void> {
    let previousJob = lastJob ?? '';
    for (let attempt = 0; attempt < 5; attempt++) {
      const reply: TickReply = await this.broker.claimTick({
        entry: entry.name,
        tick,
        jobId: `tick:${entry.name}:${tick}`,
        jobName: entry.job,
        args: entry.args,
        extra: entry.extra,
        instanceId: this.instanceId,
        overlap: entry.overlap,
        previousJob,
        notBefore: this.claimTime(entry, tick),
        uniqueWindowMs: entry.uniqueWindowMs,
      });
      switch (reply.status) {
        case 'FIRED':
          this.events.emit('tick:fired', { entry: entry.name, tick, jobId: reply.jobId, lateMs: reply.now - tick });
          return;
        case 'SKIPPED':
          this.events.emit('tick:skipped', { entry: entry.name, tick, reason: entry.overlap === 'skip' ? 'overlap' : 'unique' });
          return;
        case 'TAKEN':
          return;
        case 'EARLY':
          // our estimate of the Redis clock ran ahead: wait for the claim time on Redis time
          await new Promise((r) => setTimeout(r, Math.max(1, this.claimTime(entry, tick) - reply.now)));
          continue;
        case 'STALE':
          previousJob = reply.lastJob; // another instance fired an earlier tick meanwhile
          continue;
      }
    }
    this.options.logger.warn(`periodic "${entry.name}": gave up claiming tick ${tick} after 5 attempts`);
  }
}
