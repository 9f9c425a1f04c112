// ConnectionGuard bounds every call on a connection; isConnectionError tells a failed connection from a refused
// call or a bug. The guard gets a real ioredis client (lazy: `call` only listens for its 'close').
import { Redis } from 'ioredis';
import { RedisUnavailableError } from '../../lib/core/errors.js';
import { ConnectionGuard, ConnectionLostError } from '../../lib/core/redis/connection-guard.js';
import { isConnectionError } from '../../lib/core/redis/connections.js';
import { redisUrl } from '../helpers/redis.js';

describe('ConnectionGuard.call', () => {
  let client: Redis;
  beforeEach(() => {
    client = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1, disconnectTimeout: 100 });
  });
  afterEach(async () => {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  });

  const never = () => new Promise<never>(() => {});

  it('rejects with ConnectionLostError when the call never settles within its timeout', async () => {
    const guard = new ConnectionGuard(50, () => false);
    await expect(guard.call(client, never())).rejects.toBeInstanceOf(ConnectionLostError);
  });

  it('rejects with ConnectionLostError after a per-call timeout that overrides the default', async () => {
    const guard = new ConnectionGuard(60_000, () => false);
    await expect(guard.call(client, never(), 50)).rejects.toThrow(/timed out after 50 ms/);
  });

  it('settles with the call when it resolves first', async () => {
    const guard = new ConnectionGuard(60_000, () => false);
    await expect(guard.call(client, Promise.resolve('PONG'))).resolves.toBe('PONG');
  });

  it("passes the call's own rejection through unchanged", async () => {
    const guard = new ConnectionGuard(60_000, () => false);
    const err = new Error('ERR refused');
    await expect(guard.call(client, Promise.reject(err))).rejects.toBe(err);
  });

  it('rejects with ConnectionLostError when the connection closes with the call in flight', async () => {
    const guard = new ConnectionGuard(60_000, () => false);
    await client.connect();
    const pending = guard.call(client, never());
    client.disconnect();
    await expect(pending).rejects.toThrow(ConnectionLostError);
    await expect(pending).rejects.toThrow(/closed/);
  });

  it('answers a real command on a connected client', async () => {
    const guard = new ConnectionGuard(10_000, () => false);
    await client.connect();
    await expect(guard.call(client, client.ping())).resolves.toBe('PONG');
  });
});

describe('isConnectionError', () => {
  const replyError = Object.assign(new Error('ERR unknown command'), { name: 'ReplyError' });

  it.each([
    { label: 'ConnectionLostError', err: new ConnectionLostError('closed'), expected: true },
    { label: 'RedisUnavailableError', err: new RedisUnavailableError('op', new Error('down')), expected: true },
    { label: 'an ECONNREFUSED socket error', err: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), expected: true },
    { label: 'an ECONNRESET socket error', err: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), expected: true },
    { label: "ioredis's closed-connection rejection", err: new Error('Connection is closed.'), expected: true },
    { label: "ioredis's unwritable-stream rejection", err: new Error("Stream isn't writeable and enableOfflineQueue options is false"), expected: true },
    { label: 'MaxRetriesPerRequestError', err: Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }), expected: true },
    { label: 'a TypeError (a bug)', err: new TypeError('x'), expected: false },
    { label: 'a ReplyError (Redis refused the call)', err: replyError, expected: false },
    { label: 'a ReplyError whose message looks like a closed connection', err: Object.assign(new Error('Connection is closed.'), { name: 'ReplyError' }), expected: false },
    { label: 'a plain Error with an unrelated code', err: Object.assign(new Error('nope'), { code: 'ENOENT' }), expected: false },
    { label: 'a non-Error value', err: 'Connection is closed.', expected: false },
  ])('$label → $expected', ({ err, expected }) => {
    expect(isConnectionError(err)).toBe(expected);
  });
});
