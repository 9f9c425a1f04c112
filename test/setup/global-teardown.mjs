// Stops exactly the redis-server that global-setup started (if any).
export default async function globalTeardown() {
  await globalThis.__JOBCRAFT_REDIS__?.stop();
}
