// A user who never installed @opentelemetry/api: nothing changes with tracing off, and `tracing: true` is refused at
// start() / the first enqueue with an error naming the package. Run in a child process whose module resolution
// cannot find the package (test/fixtures/without-otel.ts), through the real ESM loading path.
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { spawnInstance } from '../helpers/spawn-instance.js';

describe('without @opentelemetry/api installed', () => {
  it('runs jobs as usual with tracing off, and refuses tracing: true naming the missing package', async () => {
    const child = await spawnInstance('without-otel.ts', { REDIS_URL: redisUrl(), NAMESPACE: randomNamespace('no-otel') });
    const result = await child.message((m) => m.type === 'result');
    await child.exited;
    expect(result.hidden).toBe(true);
    expect(result.completed).toBe(true);
    const errors = result.errors as Record<string, { name: string; message: string }>;
    for (const [where, field] of [['pool', 'WorkerPool.tracing'], ['scheduler', 'Scheduler.tracing'], ['enqueue', 'Enqueuer.tracing']] as const) {
      expect(errors[where]?.name).toBe('InvalidOptionsError');
      expect(errors[where]?.message).toContain(`${field} is true, but the optional peer dependency "@opentelemetry/api" could not be loaded`);
    }
  });
});
