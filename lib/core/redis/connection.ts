import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConnection } from '../options.js';
import { scripts } from './lua.generated.js';

/** What a connection is for; each kind gets the client settings it needs. @internal */
export type ConnectionRole = 'command' | 'blocking' | 'subscriber';

function isRedis(value: RedisConnection): value is Redis {
  return typeof value === 'object' && typeof (value as Redis).duplicate === 'function';
}

/**
 * Creates a connection we own from the user's Redis setting: a URL, options, or an instance (duplicated, never
 * mutated). Commands fail fast while disconnected (no offline queue, no blind resend after a reconnect, which
 * could run a script twice), so callers see a typed error in bounded time; ioredis keeps reconnecting.
 * Scripts are registered with `defineCommand` under content-hashed names.
 * @internal
 */
export function createConnection(conn: RedisConnection, role: ConnectionRole): Redis {
  const overrides: Partial<RedisOptions> = {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: null,
    connectionName: `jobcraft:${role}`,
    // we disconnect() only connections we give up on (ready ones get QUIT); ioredis then waits up to this long for
    // the socket's 'close', which a socket that never connected has already emitted, so the default 2 s timer
    // kept a closed pool's process alive for 2 s
    disconnectTimeout: 100,
  };
  // Call timeouts are Connections' own (ConnectionGuard) (cleared when a call settles): ioredis's commandTimeout/blockingTimeout
  // timers outlive calls dropped with a closed connection and would keep a stopped process alive.
  if (role === 'command') overrides.enableAutoPipelining = true;
  // Connections re-subscribes on 'ready' itself: ioredis's automatic re-subscribe leaves its promise unhandled,
  // and it rejects (crashing the process) when the connection is closed mid-reconnect
  if (role === 'subscriber') overrides.autoResubscribe = false;
  let client: Redis;
  if (typeof conn === 'string') client = new Redis(conn, overrides);
  else if (isRedis(conn)) client = conn.duplicate(overrides);
  else client = new Redis({ ...conn, ...overrides });
  if (role === 'command') {
    for (const s of Object.values(scripts)) {
      client.defineCommand(s.command, s.numberOfKeys === undefined ? { lua: s.lua } : { lua: s.lua, numberOfKeys: s.numberOfKeys });
    }
  }
  // errors surface on the calls that hit them; an unhandled 'error' event would crash the process
  client.on('error', () => {});
  return client;
}
