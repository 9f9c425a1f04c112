// Child process for the crash scenario: runs one worker (concurrency 1) whose handler reports "started" to the
// parent over IPC and then hangs, until the parent SIGKILLs this process.
// Usage (forked by bench/scenarios.ts): crash-worker.ts <jobcraft|bullmq> <redis url> <namespace/prefix>
import { createBullSide } from './bullmq.js';
import { createJobcraftSide } from './jobcraft.js';
import type { CrashWorkerMessage, SideKind } from './side.js';

const [kind, url, space] = process.argv.slice(2) as [SideKind | undefined, string | undefined, string | undefined];
if ((kind !== 'jobcraft' && kind !== 'bullmq') || !url || !space || !process.send) {
  console.error('usage: crash-worker.ts <jobcraft|bullmq> <redis url> <namespace> (forked with an IPC channel)');
  process.exit(2);
}

const send = (message: CrashWorkerMessage): void => {
  process.send?.(message);
};
// never outlive the parent (e.g. if the benchmark is interrupted before it kills us)
process.on('disconnect', () => process.exit(1));

const side = (kind === 'jobcraft' ? createJobcraftSide : createBullSide)(url, space);
await side.startWorker({
  concurrency: 1,
  onStart: (id) => {
    send({ type: 'started', id });
    return new Promise<void>(() => {}); // hang: the job only ends when this process is killed
  },
});
send({ type: 'ready' });
