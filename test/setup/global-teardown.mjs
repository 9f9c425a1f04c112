// Stops exactly the redis-server that global-setup started (if any).
export default async function globalTeardown() {
  const pid = Number(process.env.JOBCRAFT_TEST_REDIS_PID);
  if (!pid) return;
  delete process.env.JOBCRAFT_TEST_REDIS_PID;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
