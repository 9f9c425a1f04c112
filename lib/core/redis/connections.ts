import type { Redis } from 'ioredis';
import { QueueClosedError, RedisScriptError, RedisUnavailableError } from '../errors.js';
import type { RedisConnection } from '../options.js';
import { createConnection } from './connection.js';
import { ConnectionGuard, ConnectionLostError } from './connection-guard.js';
import type { LuaScript } from './lua.generated.js';

/** A script or command argument. @internal */
export type Arg = string | number;
type ScriptCall = (...args: Arg[]) => Promise<unknown>;

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Tells whether an error means the connection failed (so the call may be retried once Redis answers), as opposed
 * to a reply error (Redis refused the call) or a bug in our code, which must surface as itself and never be
 * retried as an outage.
 * @internal
 */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof ConnectionLostError || err instanceof RedisUnavailableError) return true;
  if (!(err instanceof Error) || err.name === 'ReplyError') return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  // what ioredis rejects commands with while it is not connected
  return /^Connection is closed|^Stream isn't writeable/.test(err.message);
}

/**
 * The Redis connections of one runtime, each made for its role: one for commands and scripts (auto-pipelined), and
 * lazily one that blocks waiting for work and one subscriber. Every call settles in bounded time (see
 * {@link ConnectionGuard}) and fails with a typed error: {@link RedisUnavailableError} when the connection failed,
 * {@link RedisScriptError} when Redis refused a script; anything else (a bug) surfaces as itself.
 * @internal
 */
export class Connections {
  private client: Redis;
  private blocker?: Redis;
  private subscriber?: Redis;
  private closed = false;
  private readonly guard: ConnectionGuard;
  private readonly listeners = new Map<string, Set<(message: string) => void>>();
  private readonly subscribing = new Map<string, Promise<void>>();

  /**
   * @param redis - the user's Redis setting (a URL, options, or an instance to duplicate)
   * @param commandTimeoutMs - longest a call may take
   */
  constructor(
    private readonly redis: RedisConnection,
    private readonly commandTimeoutMs: number,
  ) {
    this.guard = new ConnectionGuard(commandTimeoutMs, () => this.closed);
    this.client = this.openCommandConnection();
  }

  /**
   * The connection for commands and scripts. When it drops after having been ready, it is replaced rather than
   * left to ioredis's reconnect: ioredis drops (never settles) the commands in flight at the drop, and its
   * auto-pipelining then waits on that dropped pipeline forever, queueing every later command behind it.
   */
  private openCommandConnection(): Redis {
    const c = createConnection(this.redis, 'command');
    let wasReady = false;
    c.on('ready', () => {
      wasReady = true;
    });
    c.on('close', () => {
      if (!wasReady || this.closed || this.client !== c) return;
      this.client = this.openCommandConnection(); // connects on first use, with ioredis's retries from there on
      this.guard.abandon(c);
    });
    return c;
  }

  /** Resolves once the command connection is ready, or rejects with RedisUnavailableError after commandTimeout. */
  async ready(): Promise<void> {
    await this.guard.waitReady(this.client, 'connect');
  }

  /**
   * The command connection once ready. If it is replaced while we wait (it dropped), waits for its replacement
   * instead of failing with the abandoned one.
   */
  private async readyClient(operation: string): Promise<Redis> {
    for (;;) {
      const client = this.client;
      if (client.status === 'ready') return client;
      try {
        await this.guard.waitReady(client, operation);
        return client;
      } catch (err) {
        if (this.closed || client === this.client || !(err instanceof QueueClosedError)) throw err;
      }
    }
  }

  /** Runs one Lua script (registered on the command connection under its content-hashed name). */
  async script(script: LuaScript, keys: readonly string[], argv: readonly Arg[]): Promise<unknown> {
    const client = this.client.status === 'ready' ? this.client : await this.readyClient(script.command);
    const fn = (client as unknown as Record<string, ScriptCall>)[script.command]!;
    try {
      const pending = script.numberOfKeys === undefined ? fn.call(client, keys.length, ...keys, ...argv) : fn.call(client, ...keys, ...argv);
      return await this.guard.call(client, pending);
    } catch (err) {
      if (isConnectionError(err)) throw new RedisUnavailableError(script.command, err);
      if (err instanceof Error && err.name === 'ReplyError') throw new RedisScriptError(script.command, err.message, err);
      throw err;
    }
  }

  /** Runs plain commands (reads, or a MULTI) on the command connection. */
  async command<T>(operation: string, run: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.client.status === 'ready' ? this.client : await this.readyClient(operation);
    try {
      return await this.guard.call(client, run(client));
    } catch (err) {
      if (isConnectionError(err)) throw new RedisUnavailableError(operation, err);
      throw err;
    }
  }

  /**
   * Runs one blocking command on the blocking connection, bounded by its own timeout plus commandTimeout (for a
   * half-open socket).
   */
  async block<T>(operation: string, blockMs: number, run: (client: Redis) => Promise<T>): Promise<T> {
    if (this.closed) throw new QueueClosedError(`Redis connection for ${operation}`);
    const blocker = (this.blocker ??= createConnection(this.redis, 'blocking'));
    if (blocker.status !== 'ready') await this.guard.waitReady(blocker, operation);
    try {
      return await this.guard.call(blocker, run(blocker), blockMs + this.commandTimeoutMs);
    } catch (err) {
      if (isConnectionError(err) || err instanceof QueueClosedError) throw new RedisUnavailableError(operation, err);
      throw err;
    }
  }

  /** Disconnects the blocking connection at once (interrupts a pending wait); the next `block` opens a new one. */
  interruptBlock(): void {
    const blocker = this.blocker;
    this.blocker = undefined;
    if (blocker) this.guard.abandon(blocker);
  }

  /**
   * Subscribes to a sharded pub/sub channel on the subscriber connection. ioredis's own re-subscribe is off (its
   * promise goes unhandled); this re-subscribes on every 'ready'. A failed first subscription is not cached: the
   * next call retries.
   * @param channel - the channel
   * @param listener - called with each message
   */
  subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    if (this.closed) return Promise.reject(new QueueClosedError('Redis connection for subscribe'));
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    let pending = this.subscribing.get(channel);
    if (!pending) {
      pending = this.ssubscribe(channel).catch((err: unknown) => {
        this.subscribing.delete(channel);
        throw err instanceof RedisUnavailableError || err instanceof QueueClosedError ? err : new RedisUnavailableError('subscribe', err);
      });
      this.subscribing.set(channel, pending);
    }
    return pending;
  }

  private async ssubscribe(channel: string): Promise<void> {
    let sub = this.subscriber;
    if (!sub) {
      const s = (sub = this.subscriber = createConnection(this.redis, 'subscriber'));
      s.on('smessage', (ch: string, message: string) => this.listeners.get(ch)?.forEach((l) => l(message)));
      // after a reconnect, subscribe again (messages sent meanwhile are the caller's to cover, e.g. by re-reading)
      s.on('ready', () => {
        const channels = [...this.subscribing.keys()];
        if (channels.length) s.ssubscribe(...channels).catch(() => {});
      });
    }
    await this.guard.waitReady(sub, 'subscribe');
    await this.guard.call(sub, sub.ssubscribe(channel));
  }

  /** Closes every connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      [this.client, this.blocker, this.subscriber].map(async (c) => {
        if (!c) return;
        if (c.status === 'ready') await c.quit().catch(() => this.guard.abandon(c));
        else this.guard.abandon(c);
      }),
    );
  }
}
