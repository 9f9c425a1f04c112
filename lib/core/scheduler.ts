import { randomBytes } from 'node:crypto';
import { InvalidOptionsError, QueueClosedError } from './errors.js';
import { systemClock, type Clock } from './clock.js';
import { Emitter } from './events.js';
import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from './options.js';
import { Broker, type TickReply } from './redis/broker.js';
import { argsFields } from './redis/codec.js';
import { nextTick, parseSchedule, previousTick, type Schedule } from './spec/parse-schedule.js';
import { toMs, type Duration } from './spec/duration.js';
import type { JsonValue } from './types.js';
import { encodeArgs, validateJobName } from './validate.js';

/** What to do with ticks that nobody fired (all instances down, or the process paused). */
export type MisfirePolicy = 'once' | 'skip' | 'all';

/** Options of one periodic entry (`scheduler.register`). */
export interface PeriodicOptions {
  /** Job name each tick enqueues (default: the entry's name). */
  job?: string;
  /** The job's args (default null). */
  args?: JsonValue;
  /** Time zone of a cron spec (IANA, e.g. 'Asia/Seoul'; default UTC). */
  timeZone?: string;
  /** For `@every`: shift of the grid from the Unix epoch (default 0). */
  offset?: Duration;
  /** Missed ticks: `'once'` (default: one late job, then back on the grid), `'skip'`, or `'all'` (up to `misfireLimit`). */
  misfire?: MisfirePolicy;
  /** Most missed ticks fired by `misfire: 'all'` (default 10; the most recent ones). */
  misfireLimit?: number;
  /** `'allow'` (default): a tick fires while the previous tick's job runs; `'skip'`: it does not, while that job is unfinished. */
  overlap?: 'allow' | 'skip';
  /** No second job of this entry within this window after a fired tick (ms or '1.5s'). */
  unique?: Duration;
  /** Failed attempts allowed for the tick's job. */
  maxFails?: number;
  /** Retention of the tick's finished job record. */
  retention?: Duration;
}

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
  /** This instance fired a tick (created its job). */
  'tick:fired': { entry: string; tick: number; jobId: string; lateMs: number };
  /** A tick was skipped by the overlap or unique-window policy. */
  'tick:skipped': { entry: string; tick: number; reason: 'overlap' | 'unique' };
  /** Ticks nobody fired were left out by the misfire policy (`ticks`: the most recent, at most 100). */
  'tick:missed': { entry: string; ticks: number[] };
}

interface Entry {
  name: string;
  schedule: Schedule;
  job: string;
  args: string[];
  extra: string[];
  misfire: MisfirePolicy;
  misfireLimit: number;
  overlap: 'allow' | 'skip';
  uniqueWindowMs: number;
  timer?: NodeJS.Timeout;
}

const ENTRY_NAME = /^[^\s\p{Cc}{}|]{1,128}$/u;
/** How often a running instance re-registers its entries. */
const REREGISTER_MS = 3_600_000;
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

  /**
   * @param options - Redis connection, namespace, logger, instance id
   * @throws {InvalidOptionsError} if an option is invalid
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
   * @throws {InvalidScheduleError} naming the spec and the entry, if the spec cannot be parsed
   * @throws {InvalidOptionsError} if an option is invalid, the name is taken, or the scheduler has started
   */
  register(name: string, spec: string, options: PeriodicOptions = {}): this {
    if (this.state !== 'new') throw new InvalidOptionsError('entries must be registered before start()');
    if (typeof name !== 'string' || !ENTRY_NAME.test(name)) {
      throw new InvalidOptionsError(`Periodic entry name must be 1-128 characters without whitespace, control characters, "{", "}" or "|", got ${String(name)}`);
    }
    if (this.entriesByName.has(name)) throw new InvalidOptionsError(`Periodic entry "${name}" is already registered`);
    const schedule = parseSchedule(spec, name, { timeZone: options.timeZone, offset: options.offset });
    const job = options.job ?? name;
    validateJobName(job, `register("${name}").job`, InvalidOptionsError);
    const misfire = options.misfire ?? 'once';
    if (!['once', 'skip', 'all'].includes(misfire)) throw new InvalidOptionsError(`register("${name}").misfire must be 'once', 'skip' or 'all'`);
    const overlap = options.overlap ?? 'allow';
    if (overlap !== 'allow' && overlap !== 'skip') throw new InvalidOptionsError(`register("${name}").overlap must be 'allow' or 'skip'`);
    const extra: string[] = [];
    if (options.maxFails !== undefined) extra.push('mf', String(options.maxFails));
    if (options.retention !== undefined) extra.push('rt', String(toMs(options.retention, `register("${name}").retention`)));
    const args = argsFields(encodeArgs(options.args, `register("${name}").args`));
    this.entriesByName.set(name, {
      name,
      schedule,
      job,
      args,
      extra,
      misfire,
      misfireLimit: options.misfireLimit ?? 10,
      overlap,
      uniqueWindowMs: options.unique === undefined ? 0 : toMs(options.unique, `register("${name}").unique`),
    });
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
   * @throws {RedisUnavailableError} if Redis cannot be reached
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

  private arm(entry: Entry, after: number): void {
    if (this.state !== 'running') return;
    const tick = nextTick(entry.schedule, after);
    const local = this.broker.localTime(tick) ?? this.clock.now() + (tick - this.redisNow());
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.track(this.onTick(entry, tick)), Math.max(0, local - this.clock.now()));
  }

  /** On start: fires missed ticks as the entry's misfire policy says, then waits for the next one. */
  private async catchUp(entry: Entry): Promise<void> {
    const now = this.redisNow();
    const latest = previousTick(entry.schedule, now);
    const state = await this.broker.readEntry(entry.name);
    if (latest !== undefined && state.lastTick !== undefined && latest > state.lastTick) {
      await this.fireDue(entry, state.lastTick, latest, now, state.lastJob);
    }
    this.arm(entry, now);
  }

  private async onTick(entry: Entry, tick: number): Promise<void> {
    if (this.state !== 'running') return;
    const now = Math.max(this.redisNow(), tick);
    const state = await this.broker.readEntry(entry.name);
    const from = state.lastTick ?? tick - 1;
    const latest = previousTick(entry.schedule, now) ?? tick;
    if (latest > from) await this.fireDue(entry, from, latest, now, state.lastJob);
    this.arm(entry, Math.max(tick, latest));
  }

  /**
   * Fires the ticks in (from, latest] that the misfire policy keeps: the on-time one, and missed ones per policy.
   * Walks back from `latest`, so a long outage of a fast entry costs at most ~100 steps, not one per missed tick.
   */
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
        args: entry.args[1]!,
        extra: [...entry.args.slice(2), ...entry.extra],
        instanceId: this.instanceId,
        overlap: entry.overlap,
        previousJob,
        notBefore: tick,
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
          // our estimate of the Redis clock ran ahead: wait for the tick on Redis time
          await new Promise((r) => setTimeout(r, Math.max(1, tick - reply.now)));
          continue;
        case 'STALE':
          previousJob = reply.lastJob; // another instance fired an earlier tick meanwhile
          continue;
      }
    }
    this.options.logger.warn(`periodic "${entry.name}": gave up claiming tick ${tick} after 5 attempts`);
  }
}
