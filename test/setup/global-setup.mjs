// Starts one throwaway redis-server for the whole run unless REDIS_URL is set. Specs isolate
// themselves with a random namespace each, so files can run in parallel without FLUSHDB.
// Teardown finds the server by pid (globalThis is not shared between setup and teardown when jest uses
// workers), and the child is unref'd so it can never keep jest alive.
import { startRedis } from './redis-server.mjs';

export default async function globalSetup() {
  if (process.env.REDIS_URL) return;
  const server = await startRedis();
  process.env.REDIS_URL = server.url;
  process.env.JOBCRAFT_TEST_REDIS_PID = String(server.pid);
}
