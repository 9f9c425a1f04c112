// Starts one throwaway redis-server for the whole run unless REDIS_URL is set. Specs isolate
// themselves with a random namespace each, so files can run in parallel without FLUSHDB.
import { startRedis } from './redis-server.mjs';

export default async function globalSetup() {
  if (process.env.REDIS_URL) return;
  const server = await startRedis();
  globalThis.__JOBCRAFT_REDIS__ = server;
  process.env.REDIS_URL = server.url;
}
