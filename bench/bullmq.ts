// The BullMQ side of the benchmark: Queue + Worker with BullMQ's defaults (lockDuration 30 s, stalledInterval
// 30 s, drainDelay 5 s), jobs added with removeOnComplete/removeOnFail so nothing is kept after completion.
import { Queue, Worker, type JobsOptions } from 'bullmq';
import { JOB_NAME, type BenchWorker, type Payload, type QueueSide, type WorkerSpec } from './side.js';

/** The queue name; the per-scenario namespace goes into BullMQ's key prefix. */
const QUEUE_NAME = 'bench';

/** Keep nothing once a job is finished (BullMQ's equivalent of jobcraft's retention 0). */
const JOB_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: true };

/** A BullMQ side on Redis `url`, all keys under prefix `space` (`<space>:bench:…`). */
export function createBullSide(url: string, space: string): QueueSide {
  // a fresh options object per client: BullMQ adjusts the options it is given
  const connection = () => ({ url, maxRetriesPerRequest: null });
  let queue: Queue<Payload, null> | undefined;
  const producer = (): Queue<Payload, null> => {
    if (!queue) {
      queue = new Queue<Payload, null>(QUEUE_NAME, { connection: connection(), prefix: space });
      queue.on('error', (err) => console.error(`[bullmq queue] ${err.message}`));
    }
    return queue;
  };

  return {
    label: 'BullMQ',
    keyPattern: `${space}:*`,

    async ready() {
      await producer().waitUntilReady();
    },

    async add(data) {
      return jobId((await producer().add(JOB_NAME, data, JOB_OPTIONS)).id);
    },

    async addDelayed(data, delayMs) {
      return jobId((await producer().add(JOB_NAME, data, { ...JOB_OPTIONS, delay: delayMs })).id);
    },

    async addBulk(batch) {
      await producer().addBulk(batch.map((data) => ({ name: JOB_NAME, data, opts: JOB_OPTIONS })));
    },

    async startWorker(spec: WorkerSpec): Promise<BenchWorker> {
      const onStart = spec.onStart;
      const worker = new Worker<Payload, null>(
        QUEUE_NAME,
        onStart
          ? async (job) => {
              await onStart(jobId(job.id), job.data);
              return null;
            }
          : async () => null,
        {
          connection: connection(),
          prefix: space,
          concurrency: spec.concurrency,
          removeOnComplete: { count: 0 },
          removeOnFail: { count: 0 },
        },
      );
      worker.on('error', (err) => console.error(`[bullmq worker] ${err.message}`));
      const onCompleted = spec.onCompleted;
      if (onCompleted) worker.on('completed', (job) => onCompleted(jobId(job.id)));
      await worker.waitUntilReady();
      return { stop: () => worker.close() };
    },

    async close() {
      await queue?.close();
      queue = undefined;
    },
  };
}

function jobId(id: string | undefined): string {
  if (id === undefined) throw new Error('BullMQ returned a job without an id');
  return id;
}
