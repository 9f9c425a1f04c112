// The jobcraft side of the benchmark: Enqueuer + WorkerPool, jobs enqueued with retention 0 (the record is
// deleted as soon as the job completes), defaults for everything else (lease 4 s).
import { Enqueuer, WorkerPool, silentLogger, type DuplicateJobError } from '../lib/core/index.js';
import { JOB_NAME, type BenchWorker, type Payload, type QueueSide, type WorkerSpec } from './side.js';

/** A jobcraft side on Redis `redis`, namespace `space` (all keys `jobcraft:{space}:…`). */
export function createJobcraftSide(redis: string, space: string): QueueSide {
  let enqueuer: Enqueuer | undefined;
  const producer = (): Enqueuer => (enqueuer ??= new Enqueuer({ redis, namespace: space, logger: silentLogger }));

  return {
    label: 'jobcraft',
    keyPattern: `jobcraft:{${space}}:*`,

    async ready() {
      // the Enqueuer connects on its first command; a read of a missing job opens the connection
      await producer().getJob('bench-connect-probe');
    },

    async add(data) {
      return (await producer().enqueue(JOB_NAME, data, { retention: 0 })).id;
    },

    async addDelayed(data, delayMs) {
      return (await producer().enqueue(JOB_NAME, data, { delay: delayMs, retention: 0 })).id;
    },

    async addBulk(batch) {
      const results = await producer().enqueueMany(batch.map((args) => ({ name: JOB_NAME, args, options: { retention: 0 } })));
      const refused = results.find((r): r is DuplicateJobError => r instanceof Error);
      if (refused) throw refused;
    },

    async startWorker(spec: WorkerSpec): Promise<BenchWorker> {
      const pool = new WorkerPool({ redis, namespace: space, concurrency: spec.concurrency, retention: 0, logger: silentLogger });
      const onStart = spec.onStart;
      pool.handle<Payload>(
        JOB_NAME,
        onStart
          ? async (job) => {
              await onStart(job.id, job.args);
              return null;
            }
          : async () => null,
      );
      const onCompleted = spec.onCompleted;
      if (onCompleted) pool.on('job:completed', (e) => onCompleted(e.id));
      await pool.start();
      return { stop: () => pool.stop() };
    },

    async close() {
      await enqueuer?.close();
      enqueuer = undefined;
    },
  };
}
