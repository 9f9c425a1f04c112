// `npm run bench`: jobcraft vs BullMQ on the same Redis, one library at a time, same scenarios, same payload.
// Starts a throwaway redis-server on a free port (FLUSHALL between scenarios) unless REDIS_URL is set (then
// every scenario uses its own namespace / prefix, cleaned up afterwards, and nothing is flushed).
// Prints a table (ours, BullMQ's, ratio ours/BullMQ) and writes bench/results/latest.json.
// Optional: BENCH_JOBS=<n> changes the 20,000 jobs of the throughput runs; BENCH_SKIP_CRASH=1 skips the
// SIGKILL scenario (BullMQ's half takes 30-60 s).
// Then the distributed-cron scenario (bench/periodic.ts, ~2.5 min): 3 and 5 instances (processes) of each library
// run one entry every 1.5 s for 30 s, one instance is SIGKILLed at 12 s; printed as a second table and recorded
// under "periodic" in latest.json. BENCH_SKIP_PERIODIC=1 skips it; BENCH_ONLY=periodic runs only it (and
// replaces only the "periodic" part of an existing latest.json).
// Before it, jobcraft alone: the operator's search over 100,000 dead jobs (bench/search.ts), and what metrics and
// tracing without an SDK cost the hot path (bench/observability.ts; BENCH_ONLY=observability runs only that and
// replaces only the "observability" part of latest.json).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startRedis, type RedisServer } from '../test/setup/redis-server.mjs';
import { createBullSide } from './bullmq.js';
import { createJobcraftSide } from './jobcraft.js';
import { RedisStats } from './redis-stats.js';
import {
  runBulk,
  runCrash,
  runDelayed,
  runIdleLatency,
  runThroughput,
  warmUp,
  type BenchEnv,
  type LatencyResult,
  type SideEntry,
  type ThroughputResult,
} from './scenarios.js';
import { renderPeriodicTable, runPeriodic, type PeriodicColumn, type PeriodicConfig, type PeriodicResult } from './periodic.js';
import { runObservability } from './observability.js';
import { runSearch } from './search.js';
import { makePayload, percentile, type SideKind } from './side.js';

const CONFIG = {
  /** Jobs in the throughput, bulk, commands, CPU and memory runs. */
  jobs: positiveIntEnv('BENCH_JOBS', 20_000),
  /** Those runs are repeated (libraries alternating) and each figure is the median, to damp host noise. */
  repeats: 3,
  /** Enqueue calls kept in flight in the one-call-per-job run. */
  window: 1000,
  /** Jobs per addBulk / enqueueMany call. */
  bulkChunk: 1000,
  /** Worker concurrency in the processing run and the delayed-jobs run. */
  concurrency: 50,
  /** Jobs processed (untimed) by each library before anything is measured. */
  warmUpJobs: 2000,
  /** Idle pickup samples, and the pause after each completion so the worker is idle again. */
  idleSamples: 500,
  idleGapMs: 5,
  /** Delayed jobs, with delays drawn uniformly from this range. */
  delayedJobs: 500,
  delayMinMs: 100,
  delayMaxMs: 3000,
  /** Longest we wait for a killed worker's job to run again (BullMQ's defaults take 30-60 s, up to ~90 s). */
  crashTimeoutMs: 150_000,
  skipCrash: process.env.BENCH_SKIP_CRASH === '1',
  /** Distributed cron: instance counts, and one run's interval, window, kill time and grace (bench/periodic.ts). */
  periodicInstances: [3, 5],
  periodic: { everyMs: 1500, durationMs: 30_000, killAtMs: 12_000, graceMs: 2000 } satisfies PeriodicConfig,
  skipPeriodic: process.env.BENCH_SKIP_PERIODIC === '1',
  /** Dead jobs the operator-search scenario searches. */
  searchDeadJobs: 100_000,
  /** Rounds of the observability-cost scenario (plain, metrics, tracing without SDK). */
  observabilityRounds: 5,
  /** BENCH_ONLY=periodic or observability: that scenario alone. */
  only: onlyEnv(),
};

const SIDES: SideEntry[] = [
  { kind: 'jobcraft', label: 'jobcraft', create: createJobcraftSide },
  { kind: 'bullmq', label: 'BullMQ', create: createBullSide },
];

/** One printed / recorded figure. */
interface Metric {
  key: string;
  label: string;
  unit: string;
  /** Which direction is better: throughput higher, everything else lower. */
  better: 'higher' | 'lower';
  /** Decimals shown in the table. */
  digits: number;
  values: Record<SideKind, number | null>;
}

function positiveIntEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

function onlyEnv(): 'periodic' | 'observability' | null {
  const raw = process.env.BENCH_ONLY;
  if (raw === undefined || raw === '') return null;
  if (raw !== 'periodic' && raw !== 'observability') throw new Error(`BENCH_ONLY must be "periodic" or "observability" (or unset), got ${raw}`);
  if (raw === 'periodic' && process.env.BENCH_SKIP_PERIODIC === '1') throw new Error('BENCH_ONLY=periodic and BENCH_SKIP_PERIODIC=1 leave nothing to run');
  return raw;
}

function readVersion(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

function ratio(m: Metric): number | null {
  const ours = m.values.jobcraft;
  const theirs = m.values.bullmq;
  if (ours === null || theirs === null || theirs === 0) return null;
  return ours / theirs;
}

function formatNumber(value: number | null, digits: number): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function formatRatio(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  return value >= 10 || value < 0.1 ? value.toPrecision(2) : value.toFixed(2);
}

function renderTable(metrics: readonly Metric[]): string {
  const header = ['metric', 'jobcraft', 'BullMQ', 'ratio', 'better'];
  const rows = metrics.map((m) => [
    `${m.label} (${m.unit})`,
    formatNumber(m.values.jobcraft, m.digits),
    formatNumber(m.values.bullmq, m.digits),
    formatRatio(ratio(m)),
    m.better,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function log(message: string): void {
  console.log(`  · ${message}`);
}

/**
 * Starts the throwaway redis-server and checks that the server answering on its port really is it: between
 * picking a free port and redis-server binding it, another process may take the port, and then we would be
 * talking to (and flushing) someone else's Redis. Retries on a new port if so.
 */
async function startOwnRedis(): Promise<{ server: RedisServer; stats: RedisStats }> {
  for (let attempt = 1; ; attempt++) {
    const server = await startRedis();
    const stats = new RedisStats(server.url);
    const { pid } = await stats.server();
    if (pid === server.pid) return { server, stats };
    await stats.close();
    await stopRedis(server);
    if (attempt === 3) throw new Error(`port ${server.port} answered from redis-server pid ${pid}, not ours (${server.pid}), 3 times`);
  }
}

/**
 * Kills our redis-server and waits until it has exited. The helper unrefs the child process, so without a
 * timer holding the event loop open we could exit before reaping it, leaving a zombie behind.
 */
async function stopRedis(server: RedisServer): Promise<void> {
  const hold = setTimeout(() => {}, 10_000);
  try {
    await server.stop();
  } finally {
    clearTimeout(hold);
  }
}

/** The queue scenarios (everything but the distributed cron): their printed report, and what latest.json records of them. */
async function runQueueScenarios(env: BenchEnv) {
  for (const side of SIDES) {
    log(`warming up ${side.label} (${CONFIG.warmUpJobs} jobs)`);
    await warmUp(env, side, CONFIG.warmUpJobs);
  }

  const throughputRuns: Record<SideKind, ThroughputResult[]> = { jobcraft: [], bullmq: [] };
  const bulkRuns: Record<SideKind, number[]> = { jobcraft: [], bullmq: [] };
  const idle = {} as Record<SideKind, LatencyResult>;
  const delayed = {} as Record<SideKind, LatencyResult>;
  const crash: Record<SideKind, number | null> = { jobcraft: null, bullmq: null };

  for (let run = 1; run <= CONFIG.repeats; run++) {
    for (const side of SIDES) {
      const r = await runThroughput(env, side, CONFIG.jobs, CONFIG.window, CONFIG.concurrency);
      throughputRuns[side.kind].push(r);
      log(`${side.label} run ${run}/${CONFIG.repeats}: enqueue ${Math.round(r.enqueuePerSec)}/s, process ${Math.round(r.processPerSec)}/s, ` +
        `${r.commandsPerJob.toFixed(2)} cmds/job, ${r.cpuMicrosPerJob.toFixed(1)} µs CPU/job, ${Math.round(r.memoryBytesPerJob)} B/job`);
    }
  }
  for (let run = 1; run <= CONFIG.repeats; run++) {
    for (const side of SIDES) {
      const r = await runBulk(env, side, CONFIG.jobs, CONFIG.bulkChunk);
      bulkRuns[side.kind].push(r);
      log(`${side.label} run ${run}/${CONFIG.repeats}: bulk enqueue ${Math.round(r)}/s`);
    }
  }
  for (const side of SIDES) {
    const r = await runIdleLatency(env, side, CONFIG.idleSamples, CONFIG.idleGapMs);
    idle[side.kind] = r;
    log(`${side.label}: idle pickup p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`);
  }
  for (const side of SIDES) {
    const r = await runDelayed(env, side, CONFIG.delayedJobs, CONFIG.delayMinMs, CONFIG.delayMaxMs);
    delayed[side.kind] = r;
    log(`${side.label}: delayed lateness p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(2)} ms`);
  }
  if (!CONFIG.skipCrash) {
    for (const side of SIDES) {
      log(`${side.label}: SIGKILL a worker mid-job, wait for the job to run again${side.kind === 'bullmq' ? ' (BullMQ defaults: 30-60 s)' : ''}`);
      try {
        crash[side.kind] = (await runCrash(env, side, CONFIG.crashTimeoutMs)) / 1000;
        log(`${side.label}: re-run after ${crash[side.kind]!.toFixed(2)} s`);
      } catch (err) {
        // keep every other figure: report this one as n/a and fail the run at the end
        console.error(`  ! ${side.label} crash scenario failed: ${(err as Error).message}`);
        process.exitCode = 1;
      }
    }
  }

  const both = <T>(pick: (kind: SideKind) => T): Record<SideKind, T> => ({ jobcraft: pick('jobcraft'), bullmq: pick('bullmq') });
  /** Median over the repeated runs of one figure of the throughput run. */
  const throughput = (kind: SideKind, pick: (r: ThroughputResult) => number): number => median(throughputRuns[kind].map(pick));
  const metrics: Metric[] = [
    // 1a: one enqueue call per job, 1000 outstanding at any time
    { key: 'enqueue', label: `enqueue, 1 call/job, ${CONFIG.window} in flight`, unit: 'jobs/s', better: 'higher', digits: 0, values: both((k) => throughput(k, (r) => r.enqueuePerSec)) },
    // 1b: addBulk / enqueueMany of 1000 jobs, one call after the other
    { key: 'bulkEnqueue', label: `bulk enqueue, ${CONFIG.bulkChunk} per call`, unit: 'jobs/s', better: 'higher', digits: 0, values: both((k) => median(bulkRuns[k])) },
    // 1c: one worker, concurrency 50, no-op handler, from worker start to last completion
    { key: 'process', label: `process, 1 worker, concurrency ${CONFIG.concurrency}`, unit: 'jobs/s', better: 'higher', digits: 0, values: both((k) => throughput(k, (r) => r.processPerSec)) },
    // 1d: every command Redis ran (inside Lua scripts too), enqueue + process, per job
    { key: 'commandsPerJob', label: 'Redis commands per job, enqueue+process', unit: 'cmds', better: 'lower', digits: 2, values: both((k) => throughput(k, (r) => r.commandsPerJob)) },
    // 1e: Redis server CPU time (user + sys), enqueue + process, per job
    { key: 'redisCpuPerJob', label: 'Redis CPU per job, enqueue+process', unit: 'µs', better: 'lower', digits: 1, values: both((k) => throughput(k, (r) => r.cpuMicrosPerJob)) },
    // 1f: used_memory growth per job waiting in the queue
    { key: 'memoryPerWaitingJob', label: 'Redis memory per waiting job', unit: 'bytes', better: 'lower', digits: 0, values: both((k) => throughput(k, (r) => r.memoryBytesPerJob)) },
    // 1g: enqueue call → handler start, worker idle
    { key: 'idlePickupP50', label: 'idle pickup latency p50', unit: 'ms', better: 'lower', digits: 2, values: both((k) => idle[k].p50) },
    { key: 'idlePickupP99', label: 'idle pickup latency p99', unit: 'ms', better: 'lower', digits: 2, values: both((k) => idle[k].p99) },
    // 1h: handler start − (enqueue call + delay), delays 100-3000 ms
    { key: 'delayedLatenessP50', label: 'delayed job lateness p50', unit: 'ms', better: 'lower', digits: 2, values: both((k) => delayed[k].p50) },
    { key: 'delayedLatenessP99', label: 'delayed job lateness p99', unit: 'ms', better: 'lower', digits: 2, values: both((k) => delayed[k].p99) },
    { key: 'delayedLatenessMax', label: 'delayed job lateness max', unit: 'ms', better: 'lower', digits: 2, values: both((k) => delayed[k].max) },
    // 1i: SIGKILL of the worker holding a job → another worker starts it, library defaults
    { key: 'crashRerun', label: "SIGKILLed worker's job re-run after", unit: 's', better: 'lower', digits: 2, values: crash },
  ];

  const report = [
    '',
    renderTable(metrics),
    '',
    'ratio = jobcraft / BullMQ. Better: higher for throughput (jobs/s, ratio > 1 favours jobcraft); lower for all the rest (ratio < 1 favours jobcraft).',
    `${CONFIG.jobs.toLocaleString('en-US')} jobs of ${JSON.stringify(makePayload(0)).length} B; the first six rows are medians of ${CONFIG.repeats} runs; ` +
      `latencies from ${CONFIG.idleSamples} (idle) and ${CONFIG.delayedJobs} (delayed) jobs; the crash row is one kill.`,
  ];
  for (const side of SIDES) {
    const top = throughputRuns[side.kind][0]!.topCommands.slice(0, 6).map((c) => `${c.command} ${c.perJob.toFixed(2)}`).join(', ');
    report.push(`top commands per job, ${side.label}: ${top}`);
  }

  return {
    report,
    metrics: metrics.map((m) => ({ key: m.key, label: m.label, unit: m.unit, better: m.better, jobcraft: m.values.jobcraft, bullmq: m.values.bullmq, ratio: ratio(m) })),
    details: Object.fromEntries(
      SIDES.map((s) => [s.kind, {
        // from the first run (the command mix is deterministic; the total varies by a few hundredths)
        commandsPerJobByCommand: throughputRuns[s.kind][0]!.topCommands,
        throughputRuns: throughputRuns[s.kind].map(({ topCommands: _, ...figures }) => figures),
        bulkEnqueueRuns: bulkRuns[s.kind],
        idlePickupMs: idle[s.kind],
        delayedLatenessMs: delayed[s.kind],
      }]),
    ),
  };
}

/**
 * The distributed-cron scenario: every instance count, the libraries alternating. A failed run is reported
 * as n/a (and fails the benchmark at the end); the others are kept.
 */
async function runPeriodicScenarios(env: BenchEnv) {
  const columns: PeriodicColumn[] = [];
  const runs: (PeriodicResult | { library: SideKind; instances: number; error: string })[] = [];
  for (const instances of CONFIG.periodicInstances) {
    for (const side of SIDES) {
      log(`${side.label}: ${instances} instances, one entry every ${CONFIG.periodic.everyMs / 1000} s for ${CONFIG.periodic.durationMs / 1000} s, ` +
        `one SIGKILLed at ${CONFIG.periodic.killAtMs / 1000} s`);
      try {
        const r = await runPeriodic(env, side.kind, instances, CONFIG.periodic);
        columns.push({ label: `${side.label} ×${instances}`, result: r });
        runs.push(r);
        log(`${side.label} ×${instances}: ${r.runs} runs of ${r.ticks}/${r.expectedTicks} ticks, ${r.duplicateRuns} duplicate, ${r.missedTicks} missed; ` +
          `|start − tick| p50 ${r.startMinusTick.p50.toFixed(1)} ms, max ${r.startMinusTick.max.toFixed(1)} ms; ` +
          `largest gap after the kill ${Math.round(r.maxGapAfterKillMs)} ms (killed pid ${r.killed.pid} at ${(r.killed.atMs / 1000).toFixed(1)} s: ${r.killed.rule})`);
      } catch (err) {
        console.error(`  ! ${side.label} ×${instances} periodic scenario failed: ${(err as Error).message}`);
        process.exitCode = 1;
        columns.push({ label: `${side.label} ×${instances}`, result: null });
        runs.push({ library: side.kind, instances, error: (err as Error).message });
      }
    }
  }
  const { everyMs, durationMs, killAtMs } = CONFIG.periodic;
  const report = [
    '',
    `distributed cron: one entry every ${everyMs / 1000} s, N instances (processes) each running a scheduler and a worker, ` +
      `${durationMs / 1000} s from all ready, one instance SIGKILLed at ${killAtMs / 1000} s`,
    '',
    renderPeriodicTable(columns),
    '',
    'tick = the run\'s intended time, from its job id: jobcraft `tick:beat:<ms>` (grid: multiples of 1.5 s since the epoch), ' +
      'BullMQ `repeat:beat:<ms>` (grid: 1.5 s steps from the first upsert).',
    `Counted: ticks due in the ${durationMs / 1000} s window; missed = due, never started; duplicate = runs − ticks covered. ` +
      `p99 of ~${durationMs / everyMs} samples is about the max. Gap: between first starts of consecutive ticks, from the last one before the kill.`,
    'Killed: jobcraft, the instance whose scheduler fired the latest tick; BullMQ, the one whose worker ran it (and so created the next job).',
  ];
  return { report, results: { config: { instances: CONFIG.periodicInstances, ...CONFIG.periodic }, runs } };
}

async function main(): Promise<void> {
  const began = performance.now();
  const repoRoot = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
  const givenUrl = process.env.REDIS_URL;
  const { server, stats } = givenUrl ? { server: undefined, stats: new RedisStats(givenUrl) } : await startOwnRedis();
  const url = givenUrl ?? server!.url;
  try {
    const env: BenchEnv = { url, stats, ownPid: server?.pid ?? null, runId: randomBytes(3).toString('hex'), repoRoot };
    const redisVersion = (await stats.server()).version;
    console.log(`jobcraft vs BullMQ ${readVersion(`${repoRoot}/node_modules/bullmq/package.json`)} on Redis ${redisVersion}, node ${process.version}`);
    console.log(givenUrl
      ? 'Redis: REDIS_URL (shared: own namespaces, no FLUSHALL; memory figures assume it is otherwise idle)'
      : `Redis: throwaway redis-server on port ${server!.port}`);

    const queues = CONFIG.only ? null : await runQueueScenarios(env);
    const search = CONFIG.only ? null : await runSearch(url, CONFIG.searchDeadJobs, 5);
    const observability = CONFIG.only === 'periodic' ? null : await runObservability(url, CONFIG.jobs, CONFIG.observabilityRounds);
    const periodic = CONFIG.skipPeriodic || CONFIG.only === 'observability' ? null : await runPeriodicScenarios(env);
    const seconds = (performance.now() - began) / 1000;
    const searchReport = search
      ? ['', `operator search (jobcraft only): ${search.deadJobs.toLocaleString('en-US')} dead jobs, inspector.jobs({ state: 'dead', search }) for a rare term: ` +
        `first page in ${search.firstPageMs.median.toFixed(1)} ms (median of 5; max ${search.firstPageMs.max.toFixed(1)} ms); ` +
        `Redis commands over 5 ms meanwhile: ${search.slowCommands}; slowest command ${(search.slowestCommandMicros / 1000).toFixed(2)} ms (SLOWLOG)`]
      : [];
    const observabilityReport = observability
      ? ['', `observability cost (jobcraft only): ${CONFIG.jobs.toLocaleString('en-US')} queued jobs, one pool at concurrency ${CONFIG.concurrency}, ` +
        `median of ${CONFIG.observabilityRounds} alternating rounds: ` +
        observability.map((r) => `${r.variant} ${Math.round(r.jobsPerSec).toLocaleString('en-US')} jobs/s (${r.ratio.toFixed(2)}x)`).join(', ')]
      : [];
    for (const line of [...(queues?.report ?? []), ...searchReport, ...observabilityReport, ...(periodic?.report ?? [])]) console.log(line);

    const meta = {
      date: new Date().toISOString(),
      durationSeconds: Math.round(seconds * 10) / 10,
      versions: {
        node: process.version,
        redis: redisVersion,
        jobcraft: readVersion(`${repoRoot}/package.json`),
        bullmq: readVersion(`${repoRoot}/node_modules/bullmq/package.json`),
        ioredis: readVersion(`${repoRoot}/node_modules/ioredis/package.json`),
      },
      host: { platform: `${os.platform()} ${os.release()} ${os.arch()}`, cpu: os.cpus()[0]?.model ?? 'unknown', cpus: os.cpus().length },
      redis: server ? 'throwaway redis-server (--save "" --appendonly no)' : 'REDIS_URL (shared)',
    };
    const dir = `${repoRoot}/bench/results`;
    const results = queues
      ? { ...meta, config: CONFIG, metrics: queues.metrics, details: queues.details, search, observability, periodic: periodic ? { ...meta, ...periodic.results } : null }
      // BENCH_ONLY: keep the figures of the last full run, replace the part that ran (with its own date)
      : CONFIG.only === 'observability'
        ? { ...readPrevious(`${dir}/latest.json`), observability: { ...meta, rows: observability } }
        : { ...readPrevious(`${dir}/latest.json`), periodic: { ...meta, ...periodic!.results } };
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/latest.json.tmp`, `${JSON.stringify(results, null, 2)}\n`);
    await rename(`${dir}/latest.json.tmp`, `${dir}/latest.json`);
    console.log(`\nwrote bench/results/latest.json${queues ? '' : ` (its "${CONFIG.only}" part)`}; total ${seconds.toFixed(1)} s`);
  } finally {
    await stats.close().catch(() => {});
    if (server) await stopRedis(server);
  }
}

/** The previous latest.json, or {} if there is none (or it cannot be read). */
function readPrevious(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  // connections of the failed scenario may still be open: do not wait for them
  process.exit(1);
});
