import { systemClock, type Clock } from '../clock.js';
import type { ResolvedConnectionOptions } from '../options.js';
import { Connections } from './connections.js';
import { Keys } from './keys.js';
import { RedisClock } from './redis-clock.js';

/**
 * What the brokers share: one set of connections, the namespace's keys, and one estimate of the Redis clock.
 * A runtime opens one and hands it to its enqueuer, pool and scheduler; a component constructed on its own
 * opens its own.
 * @internal
 */
export interface RedisContext {
  readonly conn: Connections;
  readonly keys: Keys;
  readonly clock: RedisClock;
}

/**
 * Opens a context (connections connect lazily, on first use).
 * @param options - validated connection options
 * @param localClock - this process's clock (injectable, e.g. skewed, in tests)
 * @internal
 */
export function openRedisContext(options: ResolvedConnectionOptions, localClock: Clock = systemClock): RedisContext {
  return {
    conn: new Connections(options.redis, options.commandTimeoutMs),
    keys: new Keys(options.namespace),
    clock: new RedisClock(localClock),
  };
}

/**
 * The property under which a runtime hands its context to the components it creates. A symbol, so it is invisible
 * to option validation and to the public option types.
 * @internal
 */
export const SHARED_CONTEXT: unique symbol = Symbol.for('jobcraft.redis-context');

/**
 * The context a component uses: the one its runtime shared through its options, or a new one it owns.
 * @param input - the component's options as given
 * @param options - the same, validated
 * @param localClock - this process's clock, for a new context
 * @internal
 */
export function sharedContext(input: unknown, options: ResolvedConnectionOptions, localClock?: Clock): { redis: RedisContext; owned: boolean } {
  const shared = typeof input === 'object' && input !== null ? (input as { [SHARED_CONTEXT]?: RedisContext })[SHARED_CONTEXT] : undefined;
  return shared ? { redis: shared, owned: false } : { redis: openRedisContext(options, localClock), owned: true };
}

/**
 * The Redis clock now (ms), from one TIME read; also refines the context's clock offset.
 * @internal
 */
export function readRedisTime(ctx: RedisContext): Promise<number> {
  return ctx.clock.read(() => ctx.conn.command('TIME', (c) => c.time()));
}

const contexts = new WeakMap<object, RedisContext>();

/**
 * Remembers the context a component uses, so that the testing kit (`drain`) can read its namespace's queues.
 * @param component - the component (a worker pool)
 * @param ctx - its context
 * @internal
 */
export function rememberContext(component: object, ctx: RedisContext): void {
  contexts.set(component, ctx);
}

/**
 * The context a component was created with (see {@link rememberContext}).
 * @param component - the component
 * @returns its context, or undefined if it recorded none
 * @internal
 */
export function contextOf(component: object): RedisContext | undefined {
  return contexts.get(component);
}
