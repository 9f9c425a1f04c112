// Child process for the distributed-cron scenario: one app instance running one periodic entry and a worker for
// its jobs, reporting every run to the parent.
//   jobcraft: a Scheduler registering entry 'beat' at '@every <every/1000>s' + a WorkerPool (concurrency 1) for it.
//   BullMQ:   Queue.upsertJobScheduler('beat', { every }) + a Worker (concurrency 1), library defaults otherwise.
// Usage (forked by bench/periodic.ts): periodic-instance.ts <jobcraft|bullmq> <redis url> <namespace/prefix> <every ms> <run log>
// Every run is appended to <run log> (one JSON line, written synchronously, so a SIGKILL cannot lose a run that
// started) and also sent over IPC. Stops gracefully on { type: 'stop' } (answers 'stopped', then exits); exits
// if the parent goes away.
import { appendFileSync } from 'node:fs';
import { Queue, Worker } from 'bullmq';
import { Scheduler, WorkerPool, silentLogger } from '../lib/core/index.js';
import type { PeriodicMessage } from './periodic.js';

/** The entry's name (jobcraft) / the job scheduler's id and its jobs' name (BullMQ). */
const ENTRY = 'beat';
/** BullMQ's queue name; the per-run namespace goes into its key prefix. */
const QUEUE_NAME = 'bench-periodic';

const [kind, url, space, everyArg, runLog] = process.argv.slice(2) as (string | undefined)[];
const every = Number(everyArg);
if ((kind !== 'jobcraft' && kind !== 'bullmq') || !url || !space || !Number.isInteger(every) || every < 1 || !runLog || !process.send) {
  console.error('usage: periodic-instance.ts <jobcraft|bullmq> <redis url> <namespace> <every ms> <run log> (forked with an IPC channel)');
  process.exit(2);
}

const send = (message: PeriodicMessage, then: () => void = () => {}): void => {
  process.send?.(message, then);
};
// never outlive the parent (e.g. if the benchmark is interrupted before it stops or kills us)
process.on('disconnect', () => process.exit(1));

/**
 * The intended run time of a job, from its id:
 * - jobcraft: the Scheduler creates tick T's job with id `tick:<entry>:<T>` (lib/core/scheduler.ts, `claim`), T in
 *   ms on the Redis clock, which is this host's clock here (the Redis runs on the same machine).
 * - BullMQ 6.7: every job a scheduler creates (addJobScheduler / updateJobScheduler Lua) has id
 *   `repeat:<schedulerId>:<nextMillis>`, nextMillis being the iteration's intended time: the first upsert's
 *   Date.now(), then the previous iteration's + every (or, if that is already past, the next slot of the same
 *   grid). `job.timestamp + job.delay` is not used: the delay is clamped to 0 when the iteration was already
 *   due, which would hide lateness.
 */
const TICK_ID = kind === 'jobcraft' ? new RegExp(`^tick:${ENTRY}:(\\d+)$`) : new RegExp(`^repeat:${ENTRY}:(\\d+)$`);

function report(id: string | undefined, start: number): void {
  const m = id === undefined ? null : TICK_ID.exec(id);
  if (!m) {
    send({ type: 'error', pid: process.pid, message: `unexpected job id ${String(id)}` });
    return;
  }
  const run = { type: 'run', pid: process.pid, id: id!, tick: Number(m[1]), start } as const;
  appendFileSync(runLog!, `${JSON.stringify(run)}\n`);
  send(run);
}

let stop: () => Promise<void>;
if (kind === 'jobcraft') {
  const pool = new WorkerPool({ redis: url, namespace: space, concurrency: 1, logger: silentLogger });
  pool.handle(ENTRY, async (job) => {
    report(job.id, Date.now());
    return null;
  });
  const scheduler = new Scheduler({ redis: url, namespace: space, instanceId: String(process.pid), logger: silentLogger });
  scheduler.register(ENTRY, `@every ${every / 1000}s`);
  scheduler.on('tick:fired', (e) => send({ type: 'fired', pid: process.pid, tick: e.tick }));
  await pool.start();
  await scheduler.start();
  stop = async () => {
    await scheduler.stop();
    await pool.stop();
  };
} else {
  // a fresh options object per client: BullMQ adjusts the options it is given
  const connection = () => ({ url, maxRetriesPerRequest: null });
  const worker = new Worker(
    QUEUE_NAME,
    async (job) => {
      report(job.id, Date.now());
      return null;
    },
    { connection: connection(), prefix: space, concurrency: 1 },
  );
  worker.on('error', (err) => console.error(`[bullmq worker ${process.pid}] ${err.message}`));
  const queue = new Queue(QUEUE_NAME, { connection: connection(), prefix: space });
  queue.on('error', (err) => console.error(`[bullmq queue ${process.pid}] ${err.message}`));
  await worker.waitUntilReady();
  // every instance upserts the same scheduler, as every instance of an app would on boot
  await queue.upsertJobScheduler(ENTRY, { every }, { name: ENTRY });
  stop = async () => {
    await worker.close();
    await queue.close();
  };
}

process.on('message', (m: { type?: string }) => {
  if (m?.type !== 'stop') return;
  stop().then(
    () => send({ type: 'stopped', pid: process.pid }, () => process.exit(0)),
    (err: unknown) => {
      console.error(`periodic instance ${process.pid}: stop failed: ${(err as Error).message}`);
      process.exit(1);
    },
  );
});
send({ type: 'ready', pid: process.pid });
