// Checks the package as users get it: `npm pack` (prepack builds), lint the tarball (publint, attw), then install
// it into fresh consumer projects outside this repository and use it there:
//   nest12-esm  NestJS 12, "type": "module", nodenext, TypeScript 6  (+ every ```ts block of README.md)
//   nest11-cjs  NestJS 11, CommonJS, module commonjs (node10 resolution), TypeScript 5.9
//   core-esm    no Nest installed, ESM, nodenext
//   core-cjs    no Nest installed, CommonJS, nodenext (node16 CJS resolution)
// Each compiles with strict and skipLibCheck false, then runs against a real Redis: a worker process takes jobs,
// a second process enqueues one and reads the result back by id, and the worker drains on SIGTERM. In the Nest
// consumers that second process is an HTTP app (Express) that also mounts QueueDashboardModule and requests its
// page, script and JSON overview.
// Consumer configs (package.json, lockfile, tsconfig) are in test/package/consumers/<name>, their sources in
// test/package/apps/{nest,core}/src. Redis: REDIS_URL, else a throwaway redis-server.
// Usage: node scripts/check-package.mjs [consumer ...]
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../test/setup/redis-server.mjs';
import { extractReadmeBlocks } from './readme-blocks.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const here = (...p) => join(root, 'test', 'package', ...p);

/** app: which sources; nest: whether @nestjs/* must be installed; readme: compile README.md's blocks here too. */
const CONSUMERS = {
  'nest12-esm': { app: 'nest', nest: true, readme: true, build: 'esm' },
  'nest11-cjs': { app: 'nest', nest: true, readme: false, build: 'cjs' },
  'core-esm': { app: 'core', nest: false, readme: false, build: 'esm' },
  'core-cjs': { app: 'core', nest: false, readme: false, build: 'cjs' },
};

const only = process.argv.slice(2);
for (const name of only) if (!CONSUMERS[name]) throw new Error(`unknown consumer "${name}"; known: ${Object.keys(CONSUMERS).join(', ')}`);
const selected = only.length ? only : Object.keys(CONSUMERS);

/** Runs a command; resolves with its output, rejects with it (and the command) on a non-zero exit. */
function run(cmd, args, { cwd = root, env, quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; if (!quiet) process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; if (!quiet) process.stderr.write(d); });
    child.on('error', reject);
    child.on('close', (code) => code === 0 ? resolve(out) : reject(Object.assign(new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${code}\n${quiet ? out : ''}`), { out })));
  });
}

/** A long-running process whose stdout lines can be awaited. */
function startProcess(file, cwd, env) {
  const child = spawn(process.execPath, [file], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let buffered = '';
  let stderr = '';
  let closed = false;
  const waiters = new Set();
  const notify = () => waiters.forEach((w) => w());
  // 'close', not 'exit': stdout may still hold lines when the process has exited
  const exited = new Promise((resolve) => child.on('close', (code, signal) => { closed = true; resolve({ code, signal }); notify(); }));
  child.stdout.on('data', (d) => {
    const parts = (buffered + d).split('\n');
    buffered = parts.pop();
    lines.push(...parts);
    notify();
  });
  child.stderr.on('data', (d) => { stderr += d; });
  const output = () => `stdout: ${lines.join(' | ')}; stderr: ${stderr}`;
  const line = (prefix, timeoutMs) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle(new Error(`${file} printed no ${prefix} within ${timeoutMs} ms; ${output()}`)), timeoutMs);
    const settle = (err, found) => { clearTimeout(timer); waiters.delete(check); if (err) reject(err); else resolve(found); };
    const check = () => {
      const found = lines.find((l) => l.startsWith(prefix));
      if (found !== undefined) settle(undefined, found);
      else if (closed) settle(new Error(`${file} exited before printing ${prefix}; ${output()}`));
    };
    waiters.add(check);
    check();
  });
  const exit = (timeoutMs) => Promise.race([
    exited,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${file} did not exit within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs).unref()),
  ]);
  const kill = () => { if (!closed) child.kill('SIGKILL'); };
  return { child, line, exit, kill, stderr: () => stderr };
}

async function pack(work) {
  console.log('\n== npm pack (prepack builds dist/esm and dist/cjs)');
  const out = await run('npm', ['pack', '--json', '--pack-destination', work], { quiet: true });
  const [{ filename, files }] = JSON.parse(out.slice(out.indexOf('[')));
  const paths = new Set(files.map((f) => f.path));
  for (const needed of ['dist/esm/index.d.ts', 'dist/cjs/index.d.ts', 'dist/esm/core/index.js', 'dist/cjs/core/index.js', 'dist/esm/package.json', 'dist/cjs/package.json']) {
    if (!paths.has(needed)) throw new Error(`the tarball lacks ${needed}`);
  }
  console.log(`${filename}: ${files.length} files (${elapsed()})`);
  return join(work, filename);
}

async function lint(tarball) {
  console.log('\n== publint (strict: warnings fail)');
  await run(join(root, 'node_modules/.bin/publint'), ['run', tarball, '--strict']);
  console.log('\n== are the types wrong (node10, node16 CJS, node16 ESM, bundler)');
  await run(join(root, 'node_modules/.bin/attw'), [tarball, '--format', 'table-flipped']);
}

/** Writes README.md's TypeScript blocks into the consumer's src/readme; returns a map file -> README line. */
function writeReadmeBlocks(dir) {
  const { blocks, partial } = extractReadmeBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
  if (blocks.length === 0) throw new Error('README.md has no ```ts block to check');
  mkdirSync(join(dir, 'src', 'readme'), { recursive: true });
  const origin = new Map();
  for (const b of blocks) {
    const file = `src/readme/readme-line-${b.line}.ts`;
    // one module per block, so blocks do not share names; line 1 of the file is the block's first line
    writeFileSync(join(dir, file), `${b.code}\nexport {};\n`);
    origin.set(file, b.line);
  }
  console.log(`README.md: ${blocks.length} TypeScript blocks to type-check (lines ${blocks.map((b) => b.line).join(', ')})` +
    (partial.length ? `; ${partial.length} marked partial, not checked (lines ${partial.join(', ')})` : ''));
  return origin;
}

/** Rewrites tsc's `src/readme/readme-line-N.ts(l,c)` positions to `README.md:(N+l-1):c`. */
function toReadmePositions(text, origin) {
  return text.replace(/(src\/readme\/readme-line-\d+\.ts)\((\d+),(\d+)\)/g, (m, file, l, c) =>
    origin.has(file) ? `README.md:${origin.get(file) + Number(l) - 1}:${c}` : m);
}

/** Copies the consumer and its sources to `work/<name>`, installs its lockfile, then the tarball. */
async function installConsumer(name, spec, tarball, work) {
  const dir = join(work, name);
  cpSync(here('consumers', name), dir, { recursive: true });
  cpSync(here('apps', spec.app, 'src'), join(dir, 'src'), { recursive: true });
  await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, quiet: true });
  await run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: dir, quiet: true });
}

/** Compiles the installed consumer, checks which build Node loads, and runs its worker and producer. */
async function checkConsumer(name, spec, work, redisUrl) {
  const dir = join(work, name);
  const origin = spec.readme ? writeReadmeBlocks(dir) : new Map();
  const nestInstalled = existsSync(join(dir, 'node_modules', '@nestjs', 'common'));
  if (nestInstalled !== spec.nest) throw new Error(`@nestjs/common is ${nestInstalled ? '' : 'not '}installed, expected the opposite`);
  const nestVersion = spec.nest ? JSON.parse(readFileSync(join(dir, 'node_modules/@nestjs/core/package.json'), 'utf8')).version : 'none';
  const tsVersion = JSON.parse(readFileSync(join(dir, 'node_modules/typescript/package.json'), 'utf8')).version;

  try {
    await run(join(dir, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: dir, quiet: true });
  } catch (err) {
    throw new Error(`tsc failed in ${name}:\n${toReadmePositions(err.out ?? String(err), origin)}`);
  }
  // which build Node loads for this consumer (the exports map's import or require condition)
  const entry = spec.app === 'nest' ? 'jobcraft' : 'jobcraft/core';
  const resolved = spec.build === 'esm'
    ? (await run(process.execPath, ['--input-type=module', '-e', `console.log(import.meta.resolve('${entry}'))`], { cwd: dir, quiet: true })).trim()
    : (await run(process.execPath, ['-p', `require.resolve('${entry}')`], { cwd: dir, quiet: true })).trim();
  if (!resolved.includes(`/node_modules/jobcraft/dist/${spec.build}/`)) throw new Error(`${entry} resolved to ${resolved}, expected dist/${spec.build}`);

  const env = { REDIS_URL: redisUrl, JOBCRAFT_NAMESPACE: `pkg-${name}-${process.pid}-${Date.now()}` };
  const worker = startProcess('dist/worker.js', dir, env);
  let producer;
  try {
    await worker.line('READY', 30_000);
    producer = startProcess('dist/producer.js', dir, env);
    const resultLine = await producer.line('RESULT ', 30_000);
    const dashboardLine = spec.app === 'nest' ? await producer.line('DASHBOARD ', 15_000) : undefined;
    const producerExit = await producer.exit(15_000);
    if (producerExit.code !== 0) throw new Error(`producer exited with ${JSON.stringify(producerExit)}: ${producer.stderr()}`);
    const info = JSON.parse(resultLine.slice('RESULT '.length));
    const { state, attempts, result } = info;
    const problems = [];
    if (state !== 'completed') problems.push(`state ${state}`);
    if (attempts !== 1) problems.push(`attempts ${attempts}`);
    if (result?.words !== 5 || result?.longest !== 'install') problems.push(`result ${JSON.stringify(result)}`);
    if (result?.pid !== worker.child.pid || result?.pid === info.producerPid) problems.push(`handled by pid ${result?.pid}, worker is ${worker.child.pid}, producer ${info.producerPid}`);
    if (result?.wrapped !== true) problems.push('the middleware did not wrap the handler');
    const dashboard = dashboardLine === undefined ? undefined : JSON.parse(dashboardLine.slice('DASHBOARD '.length));
    if (dashboard) problems.push(...dashboardProblems(dashboard));
    await worker.line(`COMPLETED ${info.id}`, 5_000);
    // the operator CLI as installed (node_modules/.bin/jobcraft, from REDIS_URL and JOBCRAFT_NAMESPACE) reads the job
    const viaCli = JSON.parse(await run(join(dir, 'node_modules/.bin/jobcraft'), ['--json', 'job', info.id], { cwd: dir, env: { ...process.env, ...env }, quiet: true }));
    if (viaCli?.state !== 'completed' || viaCli?.id !== info.id) problems.push(`jobcraft job ${info.id} printed ${JSON.stringify(viaCli)}`);
    if (problems.length) throw new Error(`${name}: ${problems.join('; ')}`);
    worker.child.kill('SIGTERM');
    const workerExit = await worker.exit(15_000);
    // Nest's shutdown hooks re-raise the signal after app.close(); the core worker exits 0 after pool.stop()
    const drained = workerExit.code === 0 || (spec.app === 'nest' && workerExit.signal === 'SIGTERM');
    if (!drained) throw new Error(`worker exited with ${JSON.stringify(workerExit)} after SIGTERM: ${worker.stderr()}`);
    return `${name}: TypeScript ${tsVersion} strict, skipLibCheck false, NestJS ${nestVersion}, ${entry} -> dist/${spec.build}; ` +
      `job ${info.id} enqueued by pid ${info.producerPid}, run by pid ${result.pid}, read by id: ${state}, ${JSON.stringify({ words: result.words, longest: result.longest })}; ` +
      `worker drained on SIGTERM (${workerExit.code === 0 ? 'exit 0' : workerExit.signal}); jobcraft CLI read it back` +
      (dashboard ? `; dashboard over HTTP: ${dashboardSummary(dashboard)}` : '') +
      (origin.size ? `; README blocks compiled: ${origin.size}` : '');
  } finally {
    worker.kill();
    producer?.kill();
  }
}

/**
 * What is wrong with what the Nest producer's `DASHBOARD` line says it got from QueueDashboardModule at `/jobs`:
 * the page (HTML with its mount path), the bundled script (not an empty placeholder), and the JSON overview
 * listing the job name it enqueued.
 */
function dashboardProblems({ page, appJs, overview }) {
  const problems = [];
  const expect = (what, seen, type) => {
    if (seen?.status !== 200) problems.push(`dashboard ${what} answered ${seen?.status}`);
    if (!seen?.contentType?.startsWith(type)) problems.push(`dashboard ${what} is ${seen?.contentType}, expected ${type}`);
  };
  expect('GET /jobs', page, 'text/html');
  if (page?.base !== '/jobs') problems.push(`dashboard page's jobcraft-base meta is ${JSON.stringify(page?.base)}, expected "/jobs"`);
  expect('GET /jobs/assets/app.js', appJs, 'text/javascript');
  if (!(appJs?.bytes > 1000)) problems.push(`dashboard app.js is ${appJs?.bytes} bytes, expected the bundled page (over 1000)`);
  expect('GET /jobs/api/overview', overview, 'application/json');
  if (!Array.isArray(overview?.names) || !overview.names.includes('analyze')) problems.push(`dashboard overview names ${JSON.stringify(overview?.names)}, expected "analyze" among them`);
  return problems;
}

function dashboardSummary({ page, appJs, overview }) {
  return `/jobs ${page.status} ${page.contentType.split(';')[0]}, assets/app.js ${appJs.status} ${appJs.contentType.split(';')[0]} (${appJs.bytes} bytes), ` +
    `api/overview ${overview.status} names ${JSON.stringify(overview.names)}`;
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const work = mkdtempSync(join(tmpdir(), 'jobcraft-package-'));
let redis;
let failed = false;
const lines = [];
try {
  const tarball = await pack(work);
  await lint(tarball);
  console.log(`linted (${elapsed()})`);
  const redisUrl = process.env.REDIS_URL ?? (redis = await startRedis()).url;
  console.log(`\n== installing the tarball into ${selected.join(', ')} (in ${work})`);
  // installs are mostly waiting on the registry and the disk: run them side by side
  const installed = await Promise.allSettled(selected.map((name) => installConsumer(name, CONSUMERS[name], tarball, work)));
  console.log(`installed (${elapsed()})`);
  for (const [i, name] of selected.entries()) {
    console.log(`\n== consumer ${name}`);
    try {
      if (installed[i].status === 'rejected') throw installed[i].reason;
      const summary = await checkConsumer(name, CONSUMERS[name], work, redisUrl);
      console.log(`${summary} (${elapsed()})`);
      lines.push(`ok   ${summary}`);
    } catch (err) {
      failed = true;
      console.error(err.message);
      lines.push(`FAIL ${name}: ${err.message.split('\n')[0]}`);
    }
  }
} catch (err) {
  failed = true;
  console.error(err.message);
  lines.push(`FAIL ${err.message.split('\n')[0]}`);
} finally {
  await redis?.stop();
}
console.log(`\n== package check\n${lines.join('\n')}`);
if (failed) {
  console.log(`(consumer projects kept in ${work})`);
  process.exit(1);
}
rmSync(work, { recursive: true, force: true });
