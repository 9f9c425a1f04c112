// The sample app (sample/main.ts) end to end: two real instances on one Redis and namespace, driven over HTTP.
// An analysis posted to one instance is read back, finished, from the other; the food job; the periodic job logs
// one line per tick across both; Ctrl-C (SIGINT) drains and exits 0 while the other instance carries on.
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { freePort } from '../helpers/free-port.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TICK_MS = 1500;

/** One `npm start` of the sample, forked with the swc loader; its output is kept for the tick lines. */
class SampleInstance {
  output = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts an instance and resolves once it listens (its IPC `ready`), or rejects at the deadline. */
  static async start(namespace: string, timeout = 40_000): Promise<SampleInstance> {
    const port = await freePort();
    const child = fork(join(root, 'sample/main.ts'), [], {
      cwd: root,
      execArgv: ['--import', '@swc-node/register/esm-register', '--disable-warning=ExperimentalWarning'],
      env: { ...process.env, REDIS_URL: redisUrl(), PORT: String(port), SAMPLE_NAMESPACE: namespace, NO_COLOR: '1', SWC_NODE_PROJECT: join(root, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const instance = new SampleInstance(child, `http://127.0.0.1:${port}`);
    started.push(instance);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => child.on('message', (m) => (m as { type?: string }).type === 'ready' && resolve())),
      instance.exited.then((code) => Promise.reject(new Error(`the sample exited (${code}) before listening:\n${instance.output}`))),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the sample did not listen within ${timeout} ms:\n${instance.output}`)), timeout))),
    ]).finally(() => clearTimeout(timer));
    return instance;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The `[tick]` lines logged so far (whole lines only). */
  ticks(): { tick: number; firedBy: string; runBy: string }[] {
    const lines = this.output.replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(0, -1);
    return lines.flatMap((line) => {
      const m = /\[tick\] (\S+) fired by (.+), run by (\S+)/.exec(line);
      return m ? [{ tick: Date.parse(m[1]!), firedBy: m[2]!, runBy: m[3]! }] : [];
    });
  }

  /** Sends a signal and resolves with the exit code, or rejects at the deadline. */
  async stop(signal: NodeJS.Signals, timeout = 30_000): Promise<number | null> {
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.exited,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the sample did not exit within ${timeout} ms of ${signal}:\n${this.output}`)), timeout))),
    ]).finally(() => clearTimeout(timer));
  }

  /** SIGKILL if still running, and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}

const started: SampleInstance[] = [];

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

/** A text with known counts: `n` lines of 8 words each (with accents, Hangul and an apostrophe), no final newline. */
function knownText(n: number): string {
  return Array.from({ length: n }, (_, i) => `${i} café 한국어 the quick, brown fox's — tail`).join('\n');
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('the sample app, two instances on one Redis', () => {
  const namespace = randomNamespace('e2e-sample');
  let a: SampleInstance;
  let b: SampleInstance;
  let bothReadyAt: number;

  beforeAll(async () => {
    [a, b] = await Promise.all([SampleInstance.start(namespace), SampleInstance.start(namespace)]);
    bothReadyAt = Date.now();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(started.splice(0).map((i) => i.kill()));
  });

  async function analysis(via: SampleInstance, id: string) {
    return waitFor(
      async () => json(await fetch(`${via.url}/analyses/${id}`)),
      (v) => v.state === 'completed' || v.state === 'dead',
      { timeout: 45_000, interval: 100, what: `analysis ${id} to finish` },
    );
  }

  it('POST /analyses with a multipart file answers 202 { id }, and the other instance serves the finished analysis', async () => {
    const text = knownText(6000);
    const form = new FormData();
    form.append('file', new Blob([text], { type: 'text/plain' }), 'notes.txt');
    const res = await fetch(`${a.url}/analyses`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const { id } = await json(res);
    expect(typeof id).toBe('string');

    const done = await analysis(b, id as string);
    expect(done).toMatchObject({ id, filename: 'notes.txt', state: 'completed', progress: 100, attempts: 1 });
    const result = done.result as Record<string, unknown>;
    expect(result).toMatchObject({ lines: 6000, words: 6000 * 8, bytes: Buffer.byteLength(text), sha256: sha256(text) });
    expect((result.topWords as { count: number }[])[0]!.count).toBe(6000);
  });

  it('POST /analyses takes a raw text/plain body too', async () => {
    const text = knownText(50) + '\n';
    const res = await fetch(`${b.url}/analyses`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: text });
    expect(res.status).toBe(202);
    const { id } = await json(res);
    const done = await analysis(a, id as string);
    expect(done).toMatchObject({ filename: null, state: 'completed', result: { lines: 50, words: 400, sha256: sha256(text) } });
  });

  it('GET /analyses/:id of an unknown id is 404, and so is a food job read as an analysis', async () => {
    expect((await fetch(`${a.url}/analyses/no-such-job`)).status).toBe(404);
    const food = await json(await fetch(`${a.url}/food`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"task":1,"food":"Kimchi"}' }));
    expect((await fetch(`${a.url}/analyses/${food.id as string}`)).status).toBe(404);
  });

  it('refuses what the analysis job cannot carry (job args are capped at 1 MiB of JSON) with 413 and the reason', async () => {
    const over = 'x'.repeat(1024 * 1024 + 1);
    const form = new FormData();
    form.append('file', new Blob([over]), 'big.txt');
    const multipart = await fetch(`${a.url}/analyses`, { method: 'POST', body: form });
    const raw = await fetch(`${a.url}/analyses`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: over });
    // under 1 MiB as a file, over it as JSON: every quote is escaped
    const quotes = await fetch(`${a.url}/analyses`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '"'.repeat(600_000) });
    for (const res of [multipart, raw, quotes]) {
      expect(res.status).toBe(413);
      expect((await json(res)).message).toMatch(/the limit is 1048576 bytes \(1 MiB\).*job args/);
    }
  });

  it('POST /analyses without a file or with an empty one is 400', async () => {
    expect((await fetch(`${a.url}/analyses`, { method: 'POST' })).status).toBe(400);
    expect((await fetch(`${a.url}/analyses`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '' })).status).toBe(400);
  });

  it('POST /food answers 202 { id }, and GET /food/:id shows the completed job with its result', async () => {
    const res = await fetch(`${a.url}/food`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 1, food: 'GalbiTang' }) });
    expect(res.status).toBe(202);
    const { id } = await json(res);
    const job = await waitFor(
      async () => json(await fetch(`${b.url}/food/${id as string}`)),
      (v) => v.state === 'completed' || v.state === 'dead',
      { timeout: 20_000, interval: 50, what: `food job ${id as string} to finish` },
    );
    expect(job).toMatchObject({ id, name: 'food', state: 'completed', args: { task: 1, food: 'GalbiTang' }, result: 'One of my favorite foods is GalbiTang' });
    expect((await fetch(`${b.url}/food/no-such-job`)).status).toBe(404);
  });

  it.each([
    ['a missing task', { food: 'GalbiTang' }],
    ['a task that is not a positive integer', { task: 0, food: 'GalbiTang' }],
    ['an empty food', { task: 1, food: '' }],
    ['an unknown field', { task: 1, food: 'GalbiTang', extra: true }],
    ['an array', [1, 'GalbiTang']],
  ])('POST /food with %s is 400', async (_, body) => {
    const res = await fetch(`${a.url}/food`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(400);
  });

  it('the periodic job logs one line per tick across both instances, on the 1.5 s grid', async () => {
    const ticksSince = () => [...a.ticks(), ...b.ticks()].filter((t) => t.tick >= bothReadyAt);
    /** The longest run of ticks one period apart. */
    const longestRun = (ts: number[]) => ts.reduce((acc, t, i) => {
      const run = i > 0 && t - ts[i - 1]! === TICK_MS ? acc.run + 1 : 1;
      return { run, best: Math.max(acc.best, run) };
    }, { run: 0, best: 0 }).best;
    // A run of 6 anywhere, not from the first tick on: the sample keeps the default misfire 'once', so if both
    // instances were starved past a whole period (the e2e specs before this one analyse files in them), that tick
    // was dropped by policy, with a warning; a gap that can never close must not fail the wait for later ticks.
    const seen = await waitFor(
      () => ticksSince(),
      (all) => longestRun([...new Set(all.map((t) => t.tick))].sort((x, y) => x - y)) >= 6,
      { timeout: 30_000, interval: 100, what: '6 consecutive ticks logged after both instances started' },
    );
    const ticks = seen.map((t) => t.tick).sort((x, y) => x - y);
    expect(ticks.length).toBe(new Set(ticks).size); // no tick logged twice, by either instance
    for (const t of ticks) expect(t % TICK_MS).toBe(0);
    // a tick missing between two logged ones was left out by the misfire policy, and said so
    if (ticks.some((t, i) => i > 0 && t - ticks[i - 1]! !== TICK_MS)) expect(a.output + b.output).toMatch(/tick\(s\) missed \(misfire: once\)/);
    const instances = new Set([a, b].map((i) => `${new URL(i.url).port}`));
    for (const t of seen) expect(instances.has(t.runBy.split(':').pop()!)).toBe(true);
  });

  it('SIGINT (Ctrl-C) drains and exits with code 0; an analysis it accepted completes, and the other instance keeps ticking', async () => {
    const text = knownText(15_000);
    const res = await fetch(`${b.url}/analyses`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: text });
    expect(res.status).toBe(202);
    const { id } = await json(res);
    expect(await b.stop('SIGINT')).toBe(0);

    const done = await analysis(a, id as string);
    expect(done).toMatchObject({ state: 'completed', result: { lines: 15_000, sha256: sha256(text) } });
    const stoppedAt = Date.now();
    await waitFor(() => a.ticks().filter((t) => t.tick >= stoppedAt).length, (n) => n >= 2, { timeout: 20_000, interval: 100, what: 'two ticks logged by the remaining instance' });
  });
});
