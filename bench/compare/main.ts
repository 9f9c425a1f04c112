// `npm run bench:compare -- [rev] [--rounds 8] [--jobs 20000]`: process throughput of this working tree beside a
// git revision (default HEAD), same machine, same run. Both are compiled (tsc) into node_modules/.cache; then,
// alternating before/after, each sample runs in a fresh child process against a fresh throwaway redis-server
// (bench/compare/probe.ts). Prints the medians and the after/before ratios, and writes
// bench/results/compare.json. This is how a change to the hot path shows what it costs: the host's noise moves
// single samples by ±15%, so trust the medians of several rounds, not one run.
import { execFileSync, execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startRedis } from '../../test/setup/redis-server.mjs';

interface Sample {
  perSec: number;
  nodeUsPerJob: number;
  redisUsPerJob: number;
}

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const cacheDir = path.join(repoRoot, 'node_modules/.cache/jobcraft-compare');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '8' }, jobs: { type: 'string', default: '20000' } },
});
const rev = positionals[0] ?? 'HEAD';
const rounds = positiveInt('--rounds', values.rounds);
const jobs = positiveInt('--jobs', values.jobs);

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got "${text}"`);
  return n;
}

/** Compiles `sourceRoot`'s lib into `outDir` with its own tsconfig.build.json; returns the built core entry. */
function build(sourceRoot: string, outDir: string): string {
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', path.join(sourceRoot, 'tsconfig.build.json'), '--outDir', outDir, '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'], { stdio: 'inherit' });
  return path.join(outDir, 'core/index.js');
}

/** Checks `rev` out in a temporary worktree (sharing this checkout's node_modules) and builds it. */
function buildRevision(): { entry: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const worktree = path.join(os.tmpdir(), `jobcraft-compare-${commit.slice(0, 12)}`);
  if (!existsSync(worktree)) {
    execFileSync('git', ['worktree', 'add', '--detach', worktree, commit], { cwd: repoRoot, stdio: 'ignore' });
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(worktree, 'node_modules'));
  }
  try {
    return { entry: build(worktree, path.join(cacheDir, 'before')), commit };
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: repoRoot, stdio: 'ignore' });
  }
}

async function sample(entry: string): Promise<Sample> {
  const redis = await startRedis();
  const hold = setTimeout(() => {}, 1 << 30); // the helper unrefs redis-server: keep the loop alive until it is reaped
  try {
    const { stdout } = await run(process.execPath, ['--import', '@swc-node/register/esm-register', path.join(repoRoot, 'bench/compare/probe.ts'), entry, redis.url, String(jobs)], {
      cwd: repoRoot, env: { ...process.env, SWC_NODE_PROJECT: path.join(repoRoot, 'tsconfig.json') }, timeout: 300_000,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Sample;
  } finally {
    await redis.stop();
    clearTimeout(hold);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

mkdirSync(cacheDir, { recursive: true });
writeFileSync(path.join(cacheDir, 'package.json'), '{ "type": "module" }\n'); // the builds are ES modules; under node_modules no parent package.json says so
console.log(`building ${rev} and this working tree…`);
const before = buildRevision();
const after = { entry: build(repoRoot, path.join(cacheDir, 'after')) };
const samples: Record<'before' | 'after', Sample[]> = { before: [], after: [] };
for (let round = 1; round <= rounds; round++) {
  for (const side of round % 2 ? (['before', 'after'] as const) : (['after', 'before'] as const)) {
    const s = await sample(side === 'before' ? before.entry : after.entry);
    samples[side].push(s);
    console.log(`  round ${round} ${side.padEnd(6)} ${Math.round(s.perSec)} jobs/s, node ${s.nodeUsPerJob.toFixed(1)} µs/job, redis ${s.redisUsPerJob.toFixed(1)} µs/job`);
  }
}

const figures = (['perSec', 'nodeUsPerJob', 'redisUsPerJob'] as const).map((key) => {
  const b = median(samples.before.map((s) => s[key]));
  const a = median(samples.after.map((s) => s[key]));
  return { figure: key, before: b, after: a, ratio: a / b };
});
console.log(`\n${jobs} jobs, concurrency 50, ${rounds} rounds; medians (before = ${rev} ${before.commit.slice(0, 7)}, after = working tree)`);
console.log('figure            before     after   after/before');
for (const f of figures) console.log(`${f.figure.padEnd(14)} ${f.before.toFixed(1).padStart(9)} ${f.after.toFixed(1).padStart(9)}   ${f.ratio.toFixed(3)}`);
await writeFile(path.join(repoRoot, 'bench/results/compare.json'), `${JSON.stringify({ at: new Date().toISOString(), rev, commit: before.commit, jobs, rounds, host: { cpus: os.cpus().length, node: process.version }, figures, samples }, null, 2)}\n`);
