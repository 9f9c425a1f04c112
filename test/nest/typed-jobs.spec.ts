// Compile-time checks of the typed job map: `npm run typecheck` (run by CI) fails if a @ts-expect-error line
// stops being an error. At runtime the map changes nothing, which the test below shows.
import { Enqueuer, silentLogger, type Job } from '../../lib/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';

interface FoodArgs {
  task: number;
  food: string;
}
type Jobs = { food: FoodArgs; report: null };

async function typedCalls(enqueuer: Enqueuer<Jobs>, untyped: Enqueuer) {
  await enqueuer.enqueue('food', { task: 1, food: 'Bibimbap' }); // an interface is fine as args
  // @ts-expect-error: unknown job name
  await enqueuer.enqueue('fod', { task: 1, food: 'Bibimbap' });
  // @ts-expect-error: wrong args type
  await enqueuer.enqueue('food', { task: '1', food: 'Bibimbap' });
  await enqueuer.enqueueMany([{ name: 'food', args: { task: 2, food: 'Kimchi' } }, { name: 'report', args: null }]);
  // @ts-expect-error: args of another job
  await enqueuer.enqueueMany([{ name: 'report', args: { task: 2, food: 'Kimchi' } }]);
  const job = await enqueuer.enqueue('food', { task: 3, food: 'Japchae' });
  const food: string = job.args.food;
  await untyped.enqueue('anything', { any: 'json' }); // the default map takes any name
  const handler = (j: Job<Jobs['food']>): string => j.args.food;
  return [food, handler];
}

describe('typed job map', () => {
  it('is types only: a typed enqueuer enqueues like an untyped one', async () => {
    const enqueuer = new Enqueuer<Jobs>({ redis: redisUrl(), namespace: randomNamespace('typed'), logger: silentLogger });
    const [food] = await typedCalls(enqueuer, enqueuer as unknown as Enqueuer);
    expect(food).toBe('Japchae');
    await enqueuer.close();
  });
});
