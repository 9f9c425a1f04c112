import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** URL of the throwaway Redis the test run started (or REDIS_URL). */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run the tests with npm test (global setup starts a redis-server)');
  return url;
}

/** A fresh namespace per test, so specs can run in parallel on one server without FLUSHDB. */
export function randomNamespace(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** A raw client for inspecting or corrupting state; remember to quit it. */
export function rawClient(url = redisUrl()): Redis {
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
}
