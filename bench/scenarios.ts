// The measurements. Each scenario runs against one QueueSide in a fresh key namespace; the Redis is emptied
// first when it is our own throwaway server, and the namespace's keys are deleted afterwards on a shared one.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { diffSnapshots, type RedisStats } from './redis-stats.js';
import {
  Arrivals,
  Countdown,
  makePayload,
  percentile,
  sleep,
  slidingWindow,
  withTimeout,
  type BenchWorker,
  type CrashWorkerMessage,
  type Payload,
  type QueueSide,
  type SideFactory,
  type SideKind,
} from './side.js';

/** Where the scenarios run. */
export interface BenchEnv {
  /** Redis URL shared by both libraries. */
  url: string;
  /** Statistics / housekeeping connection. */
  stats: RedisStats;
  /** Pid of the benchmark's own throwaway redis-server (FLUSHALL between scenarios allowed); null for REDIS_URL. */
  ownPid: number | null;
  /** Unique per run, part of every namespace (keeps runs apart on a shared Redis). */
  runId: string;
  /** The repository root (for the crash child's tsconfig). */
  repoRoot: string;
}

/** One library as the scenarios see it. */
export interface SideEntry {
  kind: SideKind;
  label: string;
  create: SideFactory;
}

/** Results of the combined enqueue → process run (figures 1a, 1c, 1d, 1e, 1f). */
export interface ThroughputResult {
  /** 1a: jobs enqueued per second, one call per job, `window` calls in flight. */
  enqueuePerSec: number;
  /** 1c: jobs completed per second by one worker, from its start until the last completion. */
  processPerSec: number;
  /** 1d: Redis commands (all cmdstat calls, Lua-internal ones included) per job, enqueue + process. */
  commandsPerJob: number;
  /** 1d: the most frequent commands, calls per job. */
  topCommands: { command: string; perJob: number }[];
  /** 1e: Redis server CPU (user + sys) per job, µs, enqueue + process. */
  cpuMicrosPerJob: number;
  /** 1f: growth of Redis used_memory per waiting job, bytes (no worker running). */
  memoryBytesPerJob: number;
}

/** A latency distribution, in ms. */
export interface LatencyResult {
  samples: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
}

/** How long a wait for a finished scenario may take before the benchmark gives up. */
const RUN_TIMEOUT_MS = 120_000;

/** The namespace (jobcraft) / key prefix (BullMQ) of one scenario. */
function spaceOf(env: BenchEnv, scenario: string): string {
  return `bench-${env.runId}-${scenario}`;
}

async function openSide(env: BenchEnv, entry: SideEntry, scenario: string): Promise<QueueSide> {
  if (env.ownPid !== null) await env.stats.flushAll(env.ownPid);
  return entry.create(env.url, spaceOf(env, scenario));
}

async function closeSide(env: BenchEnv, side: QueueSide): Promise<void> {
  await side.close();
  if (env.ownPid === null) await env.stats.deleteKeys(side.keyPattern);
}

function latency(samples: readonly number[]): LatencyResult {
  return {
    samples: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: Math.max(...samples),
    min: Math.min(...samples),
  };
}

/**
 * Warm-up (not measured): enqueues and processes `n` jobs so JIT, connection setup and Lua script caching
 * are out of the way before anything is timed.
 */
export async function warmUp(env: BenchEnv, entry: SideEntry, n: number): Promise<void> {
  const side = await openSide(env, entry, 'warmup');
  await side.ready();
  await slidingWindow(n, 200, (i) => side.add(makePayload(i)));
  await side.addBulk(Array.from({ length: 100 }, (_, i) => makePayload(i)));
  await side.addDelayed(makePayload(0), 10);
  const done = new Countdown(n + 101);
  const worker = await side.startWorker({ concurrency: 50, onCompleted: () => done.tick() });
  await withTimeout(done.done, RUN_TIMEOUT_MS, () => `${entry.label} warm-up (${done.value} of ${n + 101} completed)`);
  await worker.stop();
  await closeSide(env, side);
}

/**
 * 1a + 1c + 1d + 1e + 1f in one run on an emptied Redis:
 * enqueue `n` jobs one call each with `window` in flight (timed: 1a), close the producer, let Redis settle and
 * read used_memory (1f: all n jobs waiting, no worker), then start one worker and time it until all `n`
 * completed (1c). Command and CPU counters are read before the first enqueue and after the worker stopped
 * (1d, 1e), so they cover the whole life of `n` jobs, connection setup and shutdown included.
 */
export async function runThroughput(env: BenchEnv, entry: SideEntry, n: number, window: number, concurrency: number): Promise<ThroughputResult> {
  const side = await openSide(env, entry, 'throughput');
  const payloads = Array.from({ length: n }, (_, i) => makePayload(i));
  await sleep(200); // let the flush settle before the baseline reading
  const before = await env.stats.snapshot();

  await side.ready();
  const t0 = performance.now();
  await slidingWindow(n, window, (i) => side.add(payloads[i]!));
  const enqueueMs = performance.now() - t0;
  await side.close(); // its client buffers would otherwise count as job memory

  await sleep(500);
  const waiting = await env.stats.snapshot();

  const done = new Countdown(n);
  const t1 = performance.now();
  const worker = await side.startWorker({ concurrency, onCompleted: () => done.tick() });
  await withTimeout(done.done, RUN_TIMEOUT_MS, () => `${entry.label} processing ${n} jobs (${done.value} completed)`);
  const processMs = performance.now() - t1;
  await worker.stop();
  const after = await env.stats.snapshot();
  await closeSide(env, side);

  const total = diffSnapshots(before, after);
  return {
    enqueuePerSec: (n / enqueueMs) * 1000,
    processPerSec: (n / processMs) * 1000,
    commandsPerJob: total.totalCommands / n,
    topCommands: total.byCommand.slice(0, 12).map((c) => ({ command: c.command, perJob: c.calls / n })),
    cpuMicrosPerJob: (total.cpuSeconds * 1e6) / n,
    memoryBytesPerJob: diffSnapshots(before, waiting).memoryBytes / n,
  };
}

/** 1b: jobs per second enqueued in bulk calls of `chunk` jobs, one call after the other (jobs/s). */
export async function runBulk(env: BenchEnv, entry: SideEntry, n: number, chunk: number): Promise<number> {
  const side = await openSide(env, entry, 'bulk');
  const chunks: Payload[][] = [];
  for (let i = 0; i < n; i += chunk) chunks.push(Array.from({ length: Math.min(chunk, n - i) }, (_, k) => makePayload(i + k)));
  await side.ready();
  const t0 = performance.now();
  for (const batch of chunks) await side.addBulk(batch);
  const ms = performance.now() - t0;
  await closeSide(env, side);
  return (n / ms) * 1000;
}

/**
 * 1g: pickup latency of an idle worker (concurrency 1, blocked waiting for work): one job at a time, each
 * measured from just before the enqueue call to the first line of its handler; the next job is enqueued
 * `gapMs` after the previous one completed, so the worker is back to waiting.
 */
export async function runIdleLatency(env: BenchEnv, entry: SideEntry, samples: number, gapMs: number): Promise<LatencyResult> {
  const side = await openSide(env, entry, 'idle');
  const started = new Arrivals<number>();
  const completed = new Arrivals<true>();
  await side.ready();
  const worker = await side.startWorker({
    concurrency: 1,
    onStart: (id) => started.arrive(id, performance.now()),
    onCompleted: (id) => completed.arrive(id, true),
  });
  await sleep(300); // the worker is now blocked waiting for work
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    await sleep(gapMs);
    const t0 = performance.now();
    const id = await side.add(makePayload(i));
    const at = await withTimeout(started.wait(id), 30_000, `${entry.label} idle pickup of job ${i}`);
    out.push(at - t0);
    await withTimeout(completed.wait(id), 30_000, `${entry.label} completion of job ${i}`);
  }
  await worker.stop();
  await closeSide(env, side);
  return latency(out);
}

/**
 * 1h: lateness of delayed jobs: `count` jobs with random delays in [minMs, maxMs], all enqueued at once (no
 * await in between) to a running worker (concurrency 50); lateness = handler start − (enqueue call time + delay).
 * Not clamped: a negative value would mean a job ran early.
 */
export async function runDelayed(env: BenchEnv, entry: SideEntry, count: number, minMs: number, maxMs: number): Promise<LatencyResult> {
  const side = await openSide(env, entry, 'delayed');
  const started = new Arrivals<number>();
  let startedCount = 0;
  await side.ready();
  const worker = await side.startWorker({
    concurrency: 50,
    onStart: (id) => {
      startedCount++;
      started.arrive(id, performance.now());
    },
  });
  await sleep(300);
  const jobs = Array.from({ length: count }, (_, i) => {
    const delay = Math.round(minMs + Math.random() * (maxMs - minMs));
    const calledAt = performance.now();
    return side.addDelayed(makePayload(i), delay).then((id) => ({ id, due: calledAt + delay }));
  });
  const enqueued = await Promise.all(jobs);
  const out = await withTimeout(
    Promise.all(enqueued.map(async ({ id, due }) => (await started.wait(id)) - due)),
    maxMs + 30_000,
    () => `${entry.label} delayed jobs (${startedCount} of ${count} started)`,
  );
  await worker.stop();
  await closeSide(env, side);
  return latency(out);
}

function awaitMessage(child: ChildProcess, want: CrashWorkerMessage['type'], ms: number): Promise<CrashWorkerMessage> {
  return withTimeout(
    new Promise<CrashWorkerMessage>((resolve, reject) => {
      const onMessage = (m: CrashWorkerMessage) => {
        if (m.type !== want) return;
        cleanup();
        resolve(m);
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`crash worker exited (code ${code}) before reporting "${want}"`));
      };
      const cleanup = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
    }),
    ms,
    `crash worker "${want}"`,
  );
}

/**
 * 1i: a child process's worker takes a job and hangs; once it has started the job, a live worker starts in
 * this process, then the child is SIGKILLed. Result: ms from the kill until the live worker starts the same
 * job id. Both libraries with their defaults (jobcraft lease 4 s; BullMQ lockDuration 30 s, stalledInterval 30 s).
 */
export async function runCrash(env: BenchEnv, entry: SideEntry, timeoutMs: number): Promise<number> {
  const side = await openSide(env, entry, 'crash');
  const space = spaceOf(env, 'crash');
  await side.ready();
  const child = fork(fileURLToPath(new URL('./crash-worker.ts', import.meta.url)), [entry.kind, env.url, space], {
    execArgv: ['--import', '@swc-node/register/esm-register'],
    env: { ...process.env, SWC_NODE_PROJECT: `${env.repoRoot}/tsconfig.json` },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let live: BenchWorker | undefined;
  try {
    await awaitMessage(child, 'ready', 30_000);
    const id = await side.add(makePayload(0));
    const taken = await awaitMessage(child, 'started', 30_000);
    if (taken.type !== 'started' || taken.id !== id) throw new Error(`crash worker started ${JSON.stringify(taken)}, expected job ${id}`);

    // the live worker only starts now, so the child is the one holding the job
    const started = new Arrivals<number>();
    live = await side.startWorker({ concurrency: 1, onStart: (jobId) => started.arrive(jobId, performance.now()) });
    await sleep(200);
    const killedAt = performance.now();
    child.kill('SIGKILL');
    await exited;
    const rerunAt = await withTimeout(started.wait(id), timeoutMs, `${entry.label} re-run of the killed worker's job`);
    return rerunAt - killedAt;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await live?.stop();
    await closeSide(env, side);
  }
}
