import { Store } from './store.js';

/** How the last API request went: answered, Redis unavailable (503), or no answer from the server at all. */
export type Connection = { kind: 'ok' } | { kind: 'redis'; message: string } | { kind: 'offline' };

const OK: Connection = { kind: 'ok' };

/** The state of the connection to the server and its Redis, as the latest request saw it (drives the banner). */
export const connection = new Store<Connection>(OK);

/** Records that the server answered (any status but 503). */
export function markOnline(): void {
  connection.set(OK);
}

/**
 * Records that the server answered 503: Redis is unavailable.
 * @param message - the server's message
 */
export function markRedisDown(message: string): void {
  const now = connection.get();
  if (now.kind !== 'redis' || now.message !== message) connection.set({ kind: 'redis', message });
}

/** Records that a request got no answer (network error, server down, or a gateway error). */
export function markOffline(): void {
  if (connection.get().kind !== 'offline') connection.set({ kind: 'offline' });
}
