import { randomBytes } from 'node:crypto';
import { InvalidOptionsError, QueueClosedError } from './errors.js';
import { systemClock, type Clock } from './clock.js';
import { Emitter } from './events.js';
import { resolveConnectionOptions, resolveTracing, type ConnectionOptions, type ResolvedConnectionOptions, type TracingOptions } from './options.js';
import { EntryFailures } from './entry-failures.js';
import { EntryTimer, type RedisTimeEstimate } from './entry-timer.js';
import { HealthTracker, type ComponentHealth } from './health-tracker.js';
import { claimAt, planTicks } from './plan-ticks.js';
import { ScheduleBroker } from './redis/schedule-broker.js';
import { int } from './validation.js';
import { sharedContext } from './redis/redis-context.js';
import { TickFirer, type EarlyTick } from './tick-firer.js';
import { createJobTracer, type JobTracer } from './tracing/job-tracer.js';
import { nextTick } from './spec/parse-schedule.js';
import { toMs, type Duration } from './spec/duration.js';
import { resolvePeriodicEntry, type PeriodicEntry, type PeriodicOptions } from './periodic-entry.js';

/** Options of a {@link Scheduler}. */
export interface SchedulerOptions extends ConnectionOptions, TracingOptions {
  /** This instance's name in `lastBy` (default: a random id). */
  instanceId?: string;
  /** This process's clock (default: the system clock). Ticks follow the Redis clock whatever it says; for tests. */
  clock?: Clock;
  /**
   * Forget (delete the shared state of) entries that no instance has registered for this long: entries removed from
   * code. Running instances re-register theirs every hour. Default 7 days.
   */
  forgetAfter?: Duration;
  /** How many recent ticks each entry's history keeps, for `Inspector.periodic` (default 100). */
  tickHistory?: number;
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
  'tick:skipped': { entry: string; tick: number; reason: 'overlap' | 'unique' | 'paused' };
  /** Ticks nobody fired were left out by the misfire policy (`ticks`: the most recent, at most 100). */
  'tick:missed': { entry: string; ticks: number[] };
}

interface Entry extends PeriodicEntry {
  /** The entry's one timer: its next tick, a retry, or a wait Redis asked for. */
  timer: EntryTimer;
}

/** How often a running instance re-registers its entries. */
const REREGISTER_MS = 3_600_000;
/** Delay before a failed catch-up (Redis away at start) is tried again. */
const RETRY_MS = 1000;

/**
 * Distributed cron: every instance registers the same entries and every instance can fire every tick; a tick
 * fires once, through one atomic compare-and-set on (entry, tick time) that also creates the tick's job (id
 * `tick:<entry>:<tickMs>`). Ticks are computed on the Redis clock (instances with skewed clocks agree) and
 * `@every D` ticks lie on multiples of D since the epoch, so nothing drifts and no instance is a leader that
 * could fail. Any period works, `@yearly` included: waits longer than Node's timers allow are chained. Run the
 * jobs with a {@link WorkerPool} like any other job.
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
  private readonly broker: ScheduleBroker;
  private readonly clock: Clock;
  private readonly instanceId: string;
  private readonly entriesByName = new Map<string, Entry>();
  private readonly events: Emitter<SchedulerEvents>;
  private readonly failures: EntryFailures;
  private readonly firer: TickFirer;
  private readonly redisTime: RedisTimeEstimate;
  private schedulerState: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  private stateSince = Date.now();
  private readonly tracker = new HealthTracker();
  private get state(): 'new' | 'starting' | 'running' | 'stopped' {
    return this.schedulerState;
  }
  private set state(state: 'new' | 'starting' | 'running' | 'stopped') {
    if (state !== this.schedulerState) this.stateSince = Date.now();
    this.schedulerState = state;
  }
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  private readonly forgetAfterMs: number;
  private registerTimer?: NodeJS.Timeout;
  private inFlight = new Set<Promise<void>>();
  private readonly tracing: boolean;
  /** Set by `start()` with `tracing: true`. */
  private tracer?: JobTracer;

  /**
   * @param options - Redis connection, namespace, logger, instance id, tracing
   * @throws {@link InvalidOptionsError} if an option is invalid
   */
  constructor(options: SchedulerOptions = {}) {
    this.options = resolveConnectionOptions(options, 'Scheduler');
    this.tracing = resolveTracing(options, 'Scheduler');
    this.clock = options.clock ?? systemClock;
    const { redis, owned } = sharedContext(options, this.options, this.clock);
    this.broker = new ScheduleBroker(redis, owned);
    if (options.instanceId !== undefined && (typeof options.instanceId !== 'string' || options.instanceId === '')) {
      throw new InvalidOptionsError('Scheduler.instanceId must be a non-empty string');
    }
    this.instanceId = options.instanceId ?? randomBytes(6).toString('base64url');
    this.forgetAfterMs = options.forgetAfter === undefined ? 7 * 86_400_000 : toMs(options.forgetAfter, 'Scheduler.forgetAfter', { allowZero: false });
    this.events = new Emitter((err) => this.options.logger.error(`a scheduler event listener threw: ${(err as Error).message}`));
    this.failures = new EntryFailures(this.options.logger);
    this.firer = new TickFirer({
      broker: this.broker, events: this.events, logger: this.options.logger, instanceId: this.instanceId, running: () => this.state === 'running',
      tracer: () => this.tracer,
      historySize: int(options.tickHistory, 'Scheduler.tickHistory', InvalidOptionsError, { min: 1, max: 10_000, fallback: 100 }),
    });
    this.redisTime = { now: () => this.redisNow(), toLocal: (at) => at - (this.broker.clockOffset() ?? 0) };
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
    this.entriesByName.set(entry.name, { ...entry, timer: new EntryTimer(this.redisTime, this.clock) });
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
   * Unsubscribes from a scheduler event.
   * @param event - the event name
   * @param listener - the listener given to `on`
   * @returns this scheduler
   */
  off<K extends keyof SchedulerEvents>(event: K, listener: (payload: SchedulerEvents[K]) => void): this {
    this.events.off(event, listener);
    return this;
  }

  /**
   * Registers the entries in Redis, learns the Redis clock, fires what the misfire policies ask for, and starts
   * waiting for each entry's next tick (a scheduler with no entries starts and does nothing). A failed start may be
   * tried again. If {@link Scheduler.stop} is called
   * before start has finished, stop wins (as with `WorkerPool.start`): start resolves without starting anything.
   * @throws {@link QueueClosedError} if the scheduler was stopped before start() was called
   * @throws {@link RedisUnavailableError} if Redis cannot be reached
   * @throws {@link InvalidOptionsError} with `tracing: true`, if `@opentelemetry/api` cannot be loaded
   */
  async start(): Promise<void> {
    if (this.state === 'stopped') throw new QueueClosedError('Scheduler');
    if (this.tracing) this.tracer ??= await createJobTracer('Scheduler.tracing');
    if (this.entriesByName.size === 0) {
      this.state = 'running'; // nothing to fire: no connection, nothing registered
      return;
    }
    this.starting ??= this.boot();
    await this.starting;
  }

  private async boot(): Promise<void> {
    this.state = 'starting';
    try {
      await this.announce();
      await this.broker.redisNow();
      const forgotten = await this.broker.forgetEntries(Date.now() - this.forgetAfterMs);
      if (forgotten.length) this.options.logger.warn(`forgot periodic entries no instance registered for ${this.forgetAfterMs} ms: ${forgotten.join(', ')}`);
    } catch (err) {
      if (this.stopping) return;
      this.state = 'new';
      this.starting = undefined;
      throw err;
    }
    if (this.stopping) return; // stop() was called meanwhile: it waits for us, then closes the connection
    this.state = 'running';
    this.registerTimer = setInterval(() => this.track(this.announce()), REREGISTER_MS);
    this.registerTimer.unref();
    for (const entry of this.entriesByName.values()) this.track(this.catchUp(entry));
  }

  /**
   * Stops waiting for ticks, lets the work in flight (a start, a claim) finish, and closes the connections.
   * Idempotent; every call resolves when the scheduler is stopped.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.state = 'stopped';
      clearInterval(this.registerTimer);
      for (const e of this.entriesByName.values()) e.timer.cancel();
      await Promise.allSettled([this.starting, ...this.inFlight]);
      await this.broker.close();
    })();
    return this.stopping;
  }

  /**
   * Where this scheduler stands, for health checks: `new` until started, `running`, `degraded` while an entry cannot
   * catch up (its state cannot be read, e.g. Redis away at start) and is retried every second, `stopped` once
   * stopping; since when, and its latest error. A tick that could not be fired is left to the entry's next tick (see
   * the misfire policy): it shows as `lastError` only. Reads local state only (no Redis call).
   * @returns the scheduler's health
   */
  health(): ComponentHealth {
    return this.tracker.report(this.state, this.stateSince);
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
    return this.broker.registerEntries(
      [...this.entriesByName.values()].map((e) => ({
        name: e.name, spec: e.schedule.spec, job: e.job, args: e.args, extra: e.extra,
        timeZone: e.schedule.kind === 'cron' ? e.schedule.timeZone : undefined,
        offsetMs: e.schedule.kind === 'every' ? e.schedule.offsetMs : undefined,
      })),
    );
  }

  private track(p: Promise<void>): void {
    const q = p
      .catch((err: unknown) => {
        this.tracker.note(err);
        this.options.logger.error(`scheduler: ${(err as Error).message}`);
      })
      .finally(() => this.inFlight.delete(q));
    this.inFlight.add(q);
  }

  /** Redis time now, estimated from the learned clock offset. */
  private redisNow(): number {
    return this.clock.now() + (this.broker.clockOffset() ?? 0);
  }

  /** Waits for the first tick after `after` (Redis time), however far away it is. */
  private armNext(entry: Entry, after: number): void {
    this.armTick(entry, nextTick(entry.schedule, after));
  }

  /** Waits until `tick` may be claimed (Redis time, as estimated when the timer wakes), then runs it. */
  private armTick(entry: Entry, tick: number): void {
    if (this.state === 'running') entry.timer.armAt(claimAt(entry.schedule, entry.overlap, tick), () => this.track(this.onTick(entry, tick)));
  }

  /** Runs `step` after `ms` (a retry, or a wait Redis asked for), in place of the entry's tick timer. */
  private armIn(entry: Entry, ms: number, step: () => Promise<void>): void {
    if (this.state === 'running') entry.timer.armIn(ms, () => this.track(step()));
  }

  /**
   * On start (and after a failed attempt): fires missed ticks as the entry's misfire policy says, then waits for
   * the next one. A failure (Redis away) is retried every second until it succeeds or the scheduler stops.
   */
  private async catchUp(entry: Entry): Promise<void> {
    if (this.state !== 'running') return;
    try {
      const now = this.redisNow();
      const state = await this.broker.readEntry(entry.name);
      // an entry no instance has fired yet starts at its next tick: it missed nothing
      const plan = state.lastTick === undefined ? undefined : planTicks(entry.schedule, entry.misfire, entry.misfireLimit, state.lastTick, now);
      const early = plan && (await this.firer.fire(entry, plan, state.lastJob));
      this.failures.succeeded(entry.name);
      this.tracker.succeeded(entry.name);
      if (early) this.armIn(entry, early.waitMs, () => this.onTick(entry, early.tick));
      else this.armNext(entry, now);
    } catch (err) {
      this.failed(entry, err);
      if (this.state === 'running') this.tracker.failed(entry.name, err); // retried every second: degraded meanwhile
      this.armIn(entry, RETRY_MS, () => this.catchUp(entry));
    }
  }

  /**
   * When a timer wakes for a tick: re-checks the time (a timer may wake early, and an estimate of the Redis clock
   * can move), fires the tick and the missed ones the policy asks for, then waits for the next tick whatever
   * happened. A tick is never claimed before its claim time: Redis, which has the last word, answers EARLY.
   */
  private async onTick(entry: Entry, tick: number): Promise<void> {
    if (this.state !== 'running') return;
    const now = this.redisNow();
    if (now < claimAt(entry.schedule, entry.overlap, tick)) return this.armTick(entry, tick); // woke early: wait again
    let early: EarlyTick | undefined;
    let after = Math.max(now, tick); // a tick claimed ahead of its time is planned as of the tick
    try {
      const state = await this.broker.readEntry(entry.name);
      early = await this.firer.fire(entry, planTicks(entry.schedule, entry.misfire, entry.misfireLimit, state.lastTick ?? tick - 1, after), state.lastJob);
      this.failures.succeeded(entry.name);
    } catch (err) {
      // Redis away: this tick is not fired here (another instance may fire it; if none does, the next tick that
      // fires applies the misfire policy). Wait for the next tick from now, not for each one that passed.
      this.failed(entry, err);
      after = Math.max(tick, this.redisNow());
    }
    if (early) this.armIn(entry, early.waitMs, () => this.onTick(entry, early.tick));
    else this.armNext(entry, after);
  }

  /** Records a failure of an entry (quietly once stopping: a failure then is the shutdown's doing). */
  private failed(entry: Entry, err: unknown): void {
    if (this.state !== 'running') return;
    this.failures.failed(entry.name, err);
    this.tracker.note(err);
  }
}
