import { transformFileSync } from '@swc/core';
import { Enqueuer, silentLogger } from '../../lib/core/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let compiled: string | undefined;

/**
 * The CLI's entry compiled to JavaScript, once per test process: lib/core and lib/cli transpiled by swc (types
 * stripped, nothing bundled) into node_modules/.cache, so that each run starts plain Node in ~0.2 s instead of
 * loading a TypeScript loader and transpiling the library again (~1.5 s per run). Same sources, same code paths.
 */
export function compiledEntry(): string {
  if (compiled) return compiled;
  const out = join(root, 'node_modules', '.cache', 'jobcraft-cli-tests', String(process.pid));
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  for (const file of ['core', 'cli', 'dashboard'].flatMap((dir) => walk(join(root, 'lib', dir)))) {
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    const { code } = transformFileSync(file, {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
      sourceMaps: false,
    });
    writeFileSync(target, code);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  compiled = join(out, 'lib', 'cli', 'main.js');
  return compiled;
}

/** How a CLI run ended. */
export interface CliResult {
  /** The exit status (null if it was killed). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI (`lib/cli/main.ts`, compiled once per test process: see {@link compiledEntry}) as a child process,
 * as a user would run `jobcraft <args>`: stdin closed, stdout and stderr captured. Rejects, after killing the child,
 * if it has not exited within `timeout`.
 * @param args - the command line after `jobcraft`
 * @param env - extra environment (REDIS_URL is inherited from the test run)
 */
export function runCli(args: readonly string[], env: Record<string, string> = {}, timeout = 30_000): Promise<CliResult> {
  const child = spawn(process.execPath, [compiledEntry(), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`jobcraft ${args.join(' ')} did not exit within ${timeout} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeout);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // 'close', not 'exit': the pipes may still hold output when the process has exited
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A `runCli` bound to one namespace on the test Redis (given as flags, as an operator would).
 * @param namespace - the test's namespace
 * @param redis - the Redis URL
 */
export function cliFor(namespace: string, redis: string): (...args: string[]) => Promise<CliResult> {
  return (...args) => runCli(['--redis', redis, '--namespace', namespace, ...args]);
}

/**
 * Runs a `--json` command that must succeed and parses its one document.
 * @param run - a bound runner (see {@link cliFor})
 * @param args - the command line, without `--json`
 */
export async function cliJson<T>(run: (...args: string[]) => Promise<CliResult>, ...args: string[]): Promise<T> {
  const r = await run('--json', ...args);
  if (r.code !== 0) throw new Error(`jobcraft --json ${args.join(' ')} exited ${r.code}; stderr: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** What each CLI test gets: a fresh namespace, an enqueuer on it, the CLI bound to it, and cleanups to run after. */
export interface CliTest {
  ns: string;
  enqueuer: Enqueuer;
  cli: (...args: string[]) => Promise<CliResult>;
  closers: (() => Promise<void>)[];
}

/**
 * Sets up each test of a `describe` (beforeEach / afterEach) and returns the live state, read as `t.ns` etc.
 * @returns the state, refreshed before each test
 */
export function cliTest(): CliTest {
  const t = { closers: [] as (() => Promise<void>)[] } as CliTest;
  beforeEach(() => {
    t.ns = randomNamespace('cli');
    t.enqueuer = new Enqueuer({ redis: redisUrl(), namespace: t.ns, logger: silentLogger });
    t.closers.push(() => t.enqueuer.close());
    t.cli = cliFor(t.ns, redisUrl());
  });
  afterEach(async () => {
    for (const c of t.closers.splice(0).reverse()) await c();
  });
  return t;
}
