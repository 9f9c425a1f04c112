// The dashboard end to end in headless Chromium (Debian's chromium, driven by playwright-core) against a real
// Nest app on a real Redis: the overview shows a name and its dead count; the dead list is searched by a word in
// the args, Retry sends the job back and it completes; a running job is cancelled from its page and its handler's
// signal aborts; a paused name's queued count grows while nothing starts; the periodic timeline gains ticks
// without a reload. Screenshots of every page go to test-output/dashboard/. The standalone `jobcraft dashboard`
// serves the same page (one smoke test), and a page whose Redis goes away shows a banner and recovers by itself.
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import {
  Enqueuer, JobHandler, NonRetryableError, Periodic, QueueDashboardModule, QueueModule, silentLogger, type Job,
} from '../../lib/index.js';
import { compiledEntry } from '../cli/run-cli.js';
import { launchBrowser, screenshot } from '../helpers/browser.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { startRedis } from '../setup/redis-server.mjs';

/** What the handlers saw, for the test to check. */
const seen = { aborted: [] as string[], started: [] as string[] };

@Injectable()
class ShopJobs {
  /** Fails its first attempt for good (dead), completes when retried. */
  @JobHandler('food')
  async food(job: Job<{ dish: string }>) {
    seen.started.push(job.id);
    if (job.attempt === 1) throw new NonRetryableError(`the kitchen has no ${job.args.dish}`);
    return `served ${job.args.dish}`;
  }

  /** Runs until its signal aborts. */
  @JobHandler('bake')
  async bake(job: Job) {
    await new Promise<void>((_, reject) => {
      job.signal.addEventListener('abort', () => {
        seen.aborted.push(job.id);
        reject(job.signal.reason as Error);
      });
    });
  }

  @Periodic('@every 1s', { name: 'stock-check' })
  async stockCheck() {
    return 'ok';
  }
}

let browser: Browser;
let app: INestApplication;
let base: string;
let enq: Enqueuer;

beforeAll(async () => {
  browser = await launchBrowser();
  const namespace = randomNamespace('browser');
  const moduleRef = await Test.createTestingModule({
    imports: [QueueModule.forRoot({ redis: redisUrl(), namespace, logger: silentLogger, lease: 1500 }), QueueDashboardModule.forRoot({ path: '/jobs' })],
    providers: [ShopJobs],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  base = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/jobs`;
  enq = new Enqueuer({ redis: redisUrl(), namespace, logger: silentLogger });
});

afterEach(async () => {
  for (const context of browser.contexts()) await context.close(); // also those a failed test left open
});

afterAll(async () => {
  await enq?.close();
  await app?.close();
  await browser?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept()); // destructive bulk actions confirm first
  return page;
}

/** Waits for a job's state in Redis (what the page did must have happened for real). */
function jobState(id: string, state: string) {
  return waitFor(() => enq.getJob(id), (j) => j?.state === state, { what: `job ${id} ${state}`, timeout: 10_000 });
}

describe('the dashboard in Chromium', () => {
  it('overview → dead list → search by a word in the args → Retry: the job leaves the list and completes', async () => {
    const galbi = await enq.enqueue('food', { dish: 'GalbiTang' });
    const bibim = await enq.enqueue('food', { dish: 'Bibimbap' });
    await jobState(galbi.id, 'dead');
    await jobState(bibim.id, 'dead');

    const page = await newPage();
    await page.goto(base);
    const foodRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'food', exact: true }) });
    await foodRow.getByRole('link', { name: '2', exact: true }).first().waitFor();
    await screenshot(page, 'overview');
    await page.emulateMedia({ colorScheme: 'dark' }); // the page follows the system's light or dark
    await screenshot(page, 'overview-dark');
    await page.setViewportSize({ width: 400, height: 900 }); // and stays readable in a narrow window
    await screenshot(page, 'overview-narrow');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 900 });

    await foodRow.getByRole('link', { name: '2', exact: true }).first().click();
    await page.waitForURL(`${base}/names/food/dead`);
    await page.getByRole('cell', { name: galbi.id, exact: true }).waitFor();
    await page.getByRole('searchbox').fill('GalbiTang');
    await page.getByRole('searchbox').press('Enter');
    await page.getByRole('cell', { name: bibim.id, exact: true }).waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: galbi.id, exact: true }).waitFor();
    await screenshot(page, 'jobs-dead-search');

    await page.getByRole('row').filter({ hasText: galbi.id }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    await page.getByRole('cell', { name: galbi.id, exact: true }).waitFor({ state: 'detached' });
    await expect(jobState(galbi.id, 'completed')).resolves.toMatchObject({ result: 'served GalbiTang', attempts: 2 });

    await page.goto(`${base}/jobs/${encodeURIComponent(galbi.id)}`);
    await page.getByText('served GalbiTang').first().waitFor();
    await screenshot(page, 'job');
    await page.context().close();
  });

  it('shows a running job on the workers page, and cancels it from its page: the handler sees its signal abort', async () => {
    const job = await enq.enqueue('bake', { bread: 'sourdough' });
    await jobState(job.id, 'active');
    const page = await newPage();
    // the workers page shows the job the pool runs right now
    await page.goto(`${base}/workers`);
    await page.getByRole('link', { name: job.id, exact: true }).waitFor();
    await page.getByText(String(process.pid)).first().waitFor();
    await screenshot(page, 'workers');
    await page.goto(`${base}/jobs/${encodeURIComponent(job.id)}`);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await waitFor(async () => seen.aborted, (a) => a.includes(job.id), { what: 'the handler to see its signal abort' });
    await jobState(job.id, 'cancelled');
    await page.getByText('cancelled').first().waitFor();
    await page.context().close();
  });

  it('pauses a name: its queued count grows on the page while nothing starts; Resume runs them', async () => {
    const page = await newPage();
    await page.goto(`${base}/names/food/queued`);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByRole('button', { name: 'Resume', exact: true }).waitFor();
    const startedBefore = seen.started.length;
    const queued = [];
    for (const dish of ['Mandu', 'Japchae', 'Tteokbokki']) queued.push(await enq.enqueue('food', { dish }));
    // the page updates by itself: three queued rows, no reload
    for (const q of queued) await page.getByRole('cell', { name: q.id, exact: true }).waitFor();
    expect(seen.started.length).toBe(startedBefore);
    await screenshot(page, 'jobs-paused');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    for (const q of queued) await jobState(q.id, 'dead'); // each fails its first attempt, as food does
    await page.context().close();
  });

  it('shows periodic ticks arriving live', async () => {
    const page = await newPage();
    await page.goto(`${base}/periodic`);
    const ticks = page.getByRole('row').filter({ hasText: 'tick:stock-check:' });
    await ticks.first().waitFor();
    const before = await ticks.count();
    await waitFor(() => ticks.count(), (n) => n >= before + 2, { what: 'two more ticks on the page without a reload', timeout: 10_000 });
    await screenshot(page, 'periodic');
    await page.context().close();
  });

  it('answers an unknown job with a Not found page', async () => {
    const page = await newPage();
    await page.goto(`${base}/jobs/no-such-job`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.context().close();
  });
});

describe('jobcraft dashboard (standalone)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  /** Starts `jobcraft dashboard --port 0` on `redis` and resolves with the URL it prints. */
  async function startCli(redis: string, namespace: string): Promise<string> {
    const proc = spawn(process.execPath, [compiledEntry(), 'dashboard', '--port', '0', '--redis', redis, '--namespace', namespace], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const line = await waitFor(async () => out, (o) => /at (http:\/\/\S+?)\/[ ;]/.test(o), { what: 'the dashboard URL on stdout', timeout: 15_000 });
    return /at (http:\/\/\S+?)\/[ ;]/.exec(line)![1]!;
  }

  it('serves the same page without a Nest app', async () => {
    const namespace = randomNamespace('cli-dash');
    const other = new Enqueuer({ redis: redisUrl(), namespace, logger: silentLogger });
    await other.enqueue('invoice', { n: 1 });
    await other.close();
    const url = await startCli(redisUrl(), namespace);
    const page = await newPage();
    await page.goto(url);
    await page.getByRole('link', { name: 'invoice', exact: true }).waitFor();
    await screenshot(page, 'standalone-overview');
    await page.context().close();
  });

  it('shows a banner while Redis is away and recovers by itself when it is back', async () => {
    const redis = await startRedis();
    let restarted: Awaited<ReturnType<typeof startRedis>> | undefined;
    try {
      const namespace = randomNamespace('outage');
      const url = await startCli(redis.url, namespace);
      const page = await newPage();
      await page.goto(url);
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      await redis.stop();
      await page.getByText(/Redis unavailable/).first().waitFor({ timeout: 20_000 });
      await screenshot(page, 'redis-away');
      restarted = await startRedis(redis.port);
      await page.getByText(/Redis unavailable/).first().waitFor({ state: 'detached', timeout: 30_000 });
      await page.context().close();
    } finally {
      await restarted?.stop();
      await redis.stop();
    }
  });
});
