import type { Redis } from 'ioredis';
import { QueueClosedError, RedisUnavailableError } from '../errors.js';
import { MAX_TIMEOUT_MS } from '../long-timer.js';

/**
 * A call whose connection closed under it, or that outlasted its timeout: the connection failed, not the call.
 * @internal
 */
export class ConnectionLostError extends Error {
  override name = 'ConnectionLostError';
}

/**
 * Makes every call on our ioredis connections settle in bounded time, whatever happens to the connection.
 * ioredis neither resends nor rejects the commands in flight when a connection drops (with
 * autoResendUnfulfilledCommands off, which we need so no script runs twice), and a connection disconnected
 * between reconnect attempts emits neither 'close' nor 'end'. So each call races the connection's 'close' and a
 * timer (cleared when it settles), waits for 'ready' are shared and bounded, and `abandon` fails everything still
 * waiting on a connection we give up on.
 * @internal
 */
export class ConnectionGuard {
  private readonly readyWaits = new WeakMap<Redis, Promise<void>>();
  private readonly closeSignals = new WeakMap<Redis, Promise<never>>();
  private readonly abandonHooks = new WeakMap<Redis, Set<(err: Error) => void>>();

  /**
   * @param timeoutMs - longest a call or a wait for 'ready' may take (commandTimeout)
   * @param isClosed - true once the owner closed: then nothing (re)connects or waits
   */
  constructor(
    private readonly timeoutMs: number,
    private readonly isClosed: () => boolean,
  ) {}

  /** Settles with the call, or rejects when the connection closes or after `timeoutMs`, whichever comes first. */
  async call<T>(client: Redis, pending: Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    pending.catch(() => {}); // if the connection closed first, this call's own late rejection is of no interest
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConnectionLostError(`Command timed out after ${timeoutMs} ms`)), Math.min(timeoutMs, MAX_TIMEOUT_MS));
    });
    try {
      return await Promise.race([pending, this.closeSignal(client), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits (up to the timeout) for a connection to be ready, connecting a lazy one; concurrent callers share one wait. */
  waitReady(client: Redis, operation: string): Promise<void> {
    if (client.status === 'ready') return Promise.resolve();
    if (this.isClosed() || client.status === 'end') return Promise.reject(new QueueClosedError(`Redis connection for ${operation}`));
    let wait = this.readyWaits.get(client);
    if (!wait) {
      if (client.status === 'wait') client.connect().catch(() => {});
      wait = new Promise<void>((resolve, reject) => {
        const done = (err?: Error) => {
          clearTimeout(timer);
          client.off('ready', onReady);
          client.off('end', onEnd);
          this.hooks(client).delete(onEnd);
          this.readyWaits.delete(client);
          if (err) reject(err);
          else resolve();
        };
        const onReady = () => done();
        const onEnd = () => done(new QueueClosedError(`Redis connection for ${operation}`)); // disconnected for good
        this.hooks(client).add(onEnd);
        const timer = setTimeout(
          () => done(new RedisUnavailableError(operation, new Error(`not connected after ${this.timeoutMs} ms`))),
          Math.min(this.timeoutMs, MAX_TIMEOUT_MS),
        );
        client.on('ready', onReady);
        client.on('end', onEnd);
        if (client.status === 'ready') done();
      });
      this.readyWaits.set(client, wait);
    }
    return wait;
  }

  /** Disconnects a connection for good and fails everything waiting on it. */
  abandon(client: Redis): void {
    client.disconnect();
    // calls in flight fail as lost connections (retryable); waits for 'ready' fail as closed (see waitReady)
    for (const fail of [...this.hooks(client)]) fail(new ConnectionLostError('Connection given up with the call in flight'));
  }

  private closeSignal(client: Redis): Promise<never> {
    let signal = this.closeSignals.get(client);
    if (!signal) {
      signal = new Promise<never>((_, reject) => {
        const fail = (err: Error) => {
          this.closeSignals.delete(client);
          this.hooks(client).delete(fail);
          reject(err);
        };
        client.once('close', () => fail(new ConnectionLostError('Connection closed with the call in flight')));
        this.hooks(client).add(fail);
      });
      signal.catch(() => {});
      this.closeSignals.set(client, signal);
    }
    return signal;
  }

  private hooks(client: Redis): Set<(err: Error) => void> {
    let set = this.abandonHooks.get(client);
    if (!set) this.abandonHooks.set(client, (set = new Set()));
    return set;
  }
}
