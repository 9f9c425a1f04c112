// The distributed-cron scenario: N app instances (separate processes, bench/periodic-instance.ts) run the same
// periodic entry for a while on one Redis, one instance is SIGKILLed partway, and every run is reported over IPC.
// jobcraft: Scheduler '@every 1.5s' + WorkerPool in each; BullMQ: upsertJobScheduler({ every: 1500 }) + Worker in
// each. Figures: runs, ticks covered, duplicate runs, missed ticks, |start − tick|, and the largest gap between
// consecutive runs around the kill.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchEnv } from './scenarios.js';
import { percentile, sleep, withTimeout, type SideKind } from './side.js';

/** What bench/periodic-instance.ts reports to its parent over IPC. */
export type PeriodicMessage =
  | { type: 'ready'; pid: number } // its worker and scheduler are running
  | { type: 'fired'; pid: number; tick: number } // jobcraft only: its Scheduler fired tick `tick` (created the job)
  | { type: 'run'; pid: number; id: string; tick: number; start: number } // its handler started job `id` of `tick` (also in its run log)
  | { type: 'stopped'; pid: number } // stopped gracefully on request; exits next
  | { type: 'error'; pid: number; message: string };

/** How one run of the scenario goes. */
export interface PeriodicConfig {
  /** The entry's interval (ms). */
  everyMs: number;
  /** Measured window, from the moment every instance is ready (ms). */
  durationMs: number;
  /** When one instance is SIGKILLed, from the start of the window (ms). */
  killAtMs: number;
  /** Survivors keep running this long after the window, so a tick due just before its end still runs (ms). */
  graceMs: number;
}

/** The figures of one run (one library, one instance count). */
export interface PeriodicResult {
  library: SideKind;
  instances: number;
  /** Grid ticks due in the window (durationMs / everyMs). */
  expectedTicks: number;
  /** Handler starts of ticks in the window (a tick run twice counts twice). */
  runs: number;
  /** Distinct ticks in the window that ran at least once. */
  ticks: number;
  /** runs − ticks: extra runs of a tick that had already run. */
  duplicateRuns: number;
  /** Grid ticks in the window that never ran (before the survivors were stopped). */
  missedTicks: number;
  /** Runs whose tick is not on the grid (grid: multiples of everyMs plus the most common offset). */
  offGridRuns: number;
  /** |handler start − intended tick time| over all runs in the window (ms). */
  startMinusTick: { p50: number; p99: number; max: number };
  /** Largest gap between consecutive distinct-tick runs (first start of each), from the last one before the kill (ms). */
  maxGapAfterKillMs: number;
  /** Which instance was killed, and why that one. */
  killed: { pid: number; atMs: number; rule: string };
  /** Ticks run more than once (ms after the window start) and how often. */
  duplicates: { tickMs: number; runs: number }[];
  /** Grid ticks that never ran (ms after the window start). */
  missed: number[];
}

type RunMessage = Extract<PeriodicMessage, { type: 'run' }>;

/** How long an instance may take to start (5 processes compiling TypeScript on 2 cores). */
const READY_TIMEOUT_MS = 60_000;
/** How long a graceful stop may take before the instance is SIGKILLed. */
const STOP_TIMEOUT_MS = 15_000;
/** How long a SIGKILLed process may take to be reaped. */
const EXIT_TIMEOUT_MS = 10_000;

/** One child process and what it reported. */
class Instance {
  readonly child: ChildProcess;
  readonly messages: PeriodicMessage[] = [];
  readonly exited: Promise<void>;
  /** The file the child appends its runs to (the IPC copies of a SIGKILLed child's last runs may be lost). */
  readonly runLog: string;
  private readonly listeners = new Set<() => void>();
  private closed = false;

  constructor(file: string, args: string[], runLog: string, repoRoot: string) {
    this.runLog = runLog;
    this.child = fork(file, [...args, runLog], {
      execArgv: ['--import', '@swc-node/register/esm-register'],
      env: { ...process.env, SWC_NODE_PROJECT: `${repoRoot}/tsconfig.json` },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: PeriodicMessage) => {
      this.messages.push(m);
      for (const l of this.listeners) l();
    });
    // an IPC error (e.g. sending 'stop' to a child that just died) must not crash the benchmark
    this.child.on('error', (err) => console.error(`  ! periodic instance ${this.child.pid}: ${err.message}`));
    // 'close', not 'exit': it comes after the IPC channel is drained, so no message of a killed child is lost
    this.exited = new Promise((resolve) =>
      this.child.once('close', () => {
        this.closed = true;
        resolve();
      }),
    );
    this.exited.then(() => this.listeners.forEach((l) => l()));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once a message of type `type` has arrived; rejects if the process exits first or after `ms`. */
  waitFor(type: PeriodicMessage['type'], ms: number): Promise<void> {
    const work = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.messages.some((m) => m.type === type)) {
          this.listeners.delete(check);
          resolve();
        } else if (this.closed) {
          this.listeners.delete(check);
          reject(new Error(`periodic instance ${this.pid} exited (${this.child.exitCode ?? this.child.signalCode}) before "${type}"`));
        }
      };
      this.listeners.add(check);
      check();
    });
    return withTimeout(work, ms, `periodic instance ${this.pid} "${type}"`);
  }

  /** SIGKILLs the process if it still runs, and waits until it is reaped. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await withTimeout(this.exited, EXIT_TIMEOUT_MS, `exit of SIGKILLed periodic instance ${this.pid}`);
  }

  /** Asks for a graceful stop; SIGKILLs if it takes longer than STOP_TIMEOUT_MS. Resolves once it has exited. */
  async stop(): Promise<void> {
    if (!this.running) return;
    try {
      this.child.send({ type: 'stop' });
      await this.waitFor('stopped', STOP_TIMEOUT_MS);
      await withTimeout(this.exited, STOP_TIMEOUT_MS, `exit of stopped periodic instance ${this.pid}`);
    } catch (err) {
      console.error(`  ! ${(err as Error).message}; SIGKILL`);
    } finally {
      await this.kill();
    }
  }

  /** Every run the child started, from its run log (read once it has exited). */
  async runs(): Promise<RunMessage[]> {
    const text = await readFile(this.runLog, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err)));
    // a SIGKILL in the middle of a write could only cut the last line short (one small write, not seen): skipped
    return text.split('\n').flatMap((line) => {
      try {
        return line ? [JSON.parse(line) as RunMessage] : [];
      } catch {
        return [];
      }
    });
  }
}

/**
 * Runs `instances` processes of library `kind` for `config.durationMs` in a fresh namespace, SIGKILLs one at
 * `config.killAtMs`, stops the rest, and computes the figures. The window starts once every instance is ready;
 * only ticks due inside it count. The victim is the instance that made the latest tick happen, the one
 * whose death should hurt most: for jobcraft the Scheduler that fired (claimed) the latest tick (its 'tick:fired'
 * event); for BullMQ the Worker that ran the latest tick, since a BullMQ worker creates the scheduler's next job
 * when it takes the current one. Every child is SIGKILLed on any failure.
 */
export async function runPeriodic(env: BenchEnv, kind: SideKind, instances: number, config: PeriodicConfig): Promise<PeriodicResult> {
  const space = `bench-${env.runId}-periodic-${kind}-${instances}`;
  const keyPattern = kind === 'jobcraft' ? `jobcraft:{${space}}:*` : `${space}:*`;
  if (env.ownPid !== null) await env.stats.flushAll(env.ownPid);
  const file = fileURLToPath(new URL('./periodic-instance.ts', import.meta.url));
  const logDir = await mkdtemp(`${os.tmpdir()}/jobcraft-bench-periodic-`);
  const all: Instance[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      all.push(new Instance(file, [kind, env.url, space, String(config.everyMs)], `${logDir}/instance-${i}.jsonl`, env.repoRoot));
    }
    await Promise.all(all.map((inst) => inst.waitFor('ready', READY_TIMEOUT_MS)));
    const t0 = Date.now();

    await sleep(t0 + config.killAtMs - Date.now());
    const victim = pickVictim(kind, all);
    const killedAt = Date.now();
    await victim.kill();

    await sleep(t0 + config.durationMs + config.graceMs - Date.now());
    const survivors = all.filter((inst) => inst !== victim);
    const died = survivors.filter((inst) => !inst.running);
    if (died.length) throw new Error(`periodic instance(s) ${died.map((d) => d.pid).join(', ')} exited on their own`);
    await Promise.all(survivors.map((inst) => inst.stop()));
    const stoppedAt = Date.now();

    const errors = all.flatMap((inst) => inst.messages.filter((m) => m.type === 'error'));
    if (errors.length) throw new Error(`periodic instance error: ${JSON.stringify(errors[0])}`);
    return {
      library: kind,
      instances,
      ...figures((await Promise.all(all.map((inst) => inst.runs()))).flat(), config, t0, killedAt, stoppedAt),
      killed: {
        pid: victim.pid,
        atMs: killedAt - t0,
        rule: kind === 'jobcraft' ? 'fired the latest tick' : 'ran the latest tick (so it created the next job)',
      },
    };
  } finally {
    await Promise.all(all.map((inst) => inst.kill().catch((err: unknown) => console.error(`  ! ${(err as Error).message}`))));
    await rm(logDir, { recursive: true, force: true });
    // on a shared Redis, BullMQ's scheduler would stay behind; a failed cleanup must not hide the run's own error
    if (env.ownPid === null) await env.stats.deleteKeys(keyPattern).catch((err: unknown) => console.error(`  ! cleanup of ${keyPattern}: ${(err as Error).message}`));
  }
}

function pickVictim(kind: SideKind, all: readonly Instance[]): Instance {
  let best: Instance = all[0]!;
  let latest = -Infinity;
  for (const inst of all) {
    for (const m of inst.messages) {
      const tick = kind === 'jobcraft' ? (m.type === 'fired' ? m.tick : undefined) : m.type === 'run' ? m.tick : undefined;
      if (tick !== undefined && tick > latest) {
        latest = tick;
        best = inst;
      }
    }
  }
  return best;
}

function figures(
  allRuns: readonly { tick: number; start: number }[],
  config: PeriodicConfig,
  t0: number,
  killedAt: number,
  stoppedAt: number,
): Omit<PeriodicResult, 'library' | 'instances' | 'killed'> {
  const end = t0 + config.durationMs;
  const runs = allRuns.filter((r) => r.tick >= t0 && r.tick < end);
  const every = config.everyMs;

  // the grid: jobcraft's is multiples of `every` since the epoch; BullMQ's is shifted by the time of the first
  // upsert, so take the most common offset among all observed ticks (before the window too)
  const offsets = new Map<number, number>();
  for (const r of allRuns) offsets.set(mod(r.tick, every), (offsets.get(mod(r.tick, every)) ?? 0) + 1);
  const offset = [...offsets.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  const grid: number[] = [];
  for (let t = Math.ceil((t0 - offset) / every) * every + offset; t < end; t += every) grid.push(t);

  const firstStart = new Map<number, number>();
  const count = new Map<number, number>();
  for (const r of runs) {
    firstStart.set(r.tick, Math.min(firstStart.get(r.tick) ?? Infinity, r.start));
    count.set(r.tick, (count.get(r.tick) ?? 0) + 1);
  }
  const lateness = runs.map((r) => Math.abs(r.start - r.tick));

  // gaps from the last run before the kill through the runs after it; with no run after the kill, until the stop
  const starts = [...firstStart.values()].sort((a, b) => a - b);
  const before = starts.filter((s) => s < killedAt);
  const after = starts.filter((s) => s >= killedAt);
  const chain = [...before.slice(-1), ...(after.length ? after : [stoppedAt])];
  const gaps = chain.slice(1).map((s, i) => s - chain[i]!);

  return {
    expectedTicks: grid.length,
    runs: runs.length,
    ticks: firstStart.size,
    duplicateRuns: runs.length - firstStart.size,
    missedTicks: grid.filter((t) => !firstStart.has(t)).length,
    offGridRuns: runs.filter((r) => mod(r.tick, every) !== offset).length,
    startMinusTick: {
      p50: percentile(lateness, 50),
      p99: percentile(lateness, 99),
      max: lateness.length ? Math.max(...lateness) : Number.NaN,
    },
    maxGapAfterKillMs: gaps.length ? Math.max(...gaps) : Number.NaN,
    duplicates: [...count.entries()].filter(([, n]) => n > 1).map(([tick, n]) => ({ tickMs: tick - t0, runs: n })),
    missed: grid.filter((t) => !firstStart.has(t)).map((t) => t - t0),
  };
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** One row of the printed table: a figure of every (library, instance count) column. */
interface PeriodicRow {
  label: string;
  unit: string;
  digits: number;
  pick: (r: PeriodicResult) => number;
}

const ROWS: PeriodicRow[] = [
  { label: 'runs', unit: 'runs', digits: 0, pick: (r) => r.runs },
  { label: 'ticks covered', unit: 'ticks', digits: 0, pick: (r) => r.ticks },
  { label: 'duplicate runs', unit: 'runs', digits: 0, pick: (r) => r.duplicateRuns },
  { label: 'missed ticks', unit: 'ticks', digits: 0, pick: (r) => r.missedTicks },
  { label: 'off-grid runs', unit: 'runs', digits: 0, pick: (r) => r.offGridRuns },
  { label: '|start − tick| p50', unit: 'ms', digits: 1, pick: (r) => r.startMinusTick.p50 },
  { label: '|start − tick| p99', unit: 'ms', digits: 1, pick: (r) => r.startMinusTick.p99 },
  { label: '|start − tick| max', unit: 'ms', digits: 1, pick: (r) => r.startMinusTick.max },
  { label: 'largest gap after the kill', unit: 'ms', digits: 0, pick: (r) => r.maxGapAfterKillMs },
];

/** A column of the table: one library at one instance count; `result` is null if that run failed. */
export interface PeriodicColumn {
  label: string;
  result: PeriodicResult | null;
}

/** The table: one row per figure, one column per (library, instance count), in the order given. */
export function renderPeriodicTable(columns: readonly PeriodicColumn[]): string {
  const header = ['metric', ...columns.map((c) => c.label)];
  const cell = (value: number | undefined, digits: number) =>
    value === undefined || !Number.isFinite(value) ? 'n/a' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const rows = [
    ['ticks due in the window (ticks)', ...columns.map((c) => cell(c.result?.expectedTicks, 0))],
    ...ROWS.map((row) => [`${row.label} (${row.unit})`, ...columns.map((c) => cell(c.result ? row.pick(c.result) : undefined, row.digits))]),
  ];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((text, c) => (c === 0 ? text.padEnd(widths[c]!) : text.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
