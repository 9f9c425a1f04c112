// QueueDashboardModule's HTTP API and pages in real Nest apps on both HTTP platforms (Express and Fastify), over a
// real Redis: every endpoint, bad parameters (400 naming them), unknown jobs, names and entries (404), read-only
// mode (403 on every write), guards (403 when the guard says no), a global prefix, and forRootAsync.
import { Injectable, type CanActivate, type DynamicModule, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  Enqueuer, InvalidOptionsError, JobHandler, NonRetryableError, Periodic, QueueDashboardModule, QueueModule, silentLogger, type Job,
} from '../../lib/index.js';
import { drain } from '../../lib/testing/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

@Injectable()
class FoodJobs {
  @JobHandler('food')
  async food(job: Job<{ dish: string; fail?: boolean }>) {
    if (job.args.fail) throw new NonRetryableError(`no ${job.args.dish} today`);
    return `ate ${job.args.dish}`;
  }

  @Periodic('@every 1h', { name: 'hourly-report' })
  async report() {
    return 'reported';
  }
}

/** Lets a request through only with `x-admin: yes`. */
@Injectable()
class AdminGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    return req.headers['x-admin'] === 'yes';
  }
}

type Platform = 'express' | 'fastify';

interface Running {
  app: INestApplication;
  url: string;
  enq: Enqueuer;
  namespace: string;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; type: string }>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
}

const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.enq.close();
    await r.app.close();
  }
});

async function start(platform: Platform, dashboard: DynamicModule, options: { prefix?: string } = {}): Promise<Running> {
  const namespace = randomNamespace('dash');
  const moduleRef = await Test.createTestingModule({
    imports: [QueueModule.forRoot({ redis: redisUrl(), namespace, logger: silentLogger, lease: 1500 }), dashboard],
    providers: [FoodJobs, AdminGuard],
  }).compile();
  const app = platform === 'express' ? moduleRef.createNestApplication({ logger: false }) : moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
  if (options.prefix) app.setGlobalPrefix(options.prefix);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const enq = new Enqueuer({ redis: redisUrl(), namespace, logger: silentLogger });
  const r: Running = {
    app, url, enq, namespace,
    async get(path, headers = {}) {
      const res = await fetch(url + path, { headers });
      const text = await res.text();
      const type = res.headers.get('content-type') ?? '';
      return { status: res.status, text, type, body: type.includes('json') ? JSON.parse(text) : undefined };
    },
    async post(path, body = {}, headers = {}) {
      const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  };
  running.push(r);
  return r;
}

/** Dead jobs of `food`, made by the app's own worker. */
async function deadJobs(r: Running, dishes: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const dish of dishes) ids.push((await r.enq.enqueue('food', { dish, fail: true })).id);
  await drain(r.app, { timeout: '10s' });
  return ids;
}

describe.each<Platform>(['express', 'fastify'])('QueueDashboardModule on %s', (platform) => {
  it('answers the overview, listings with search, a job, history, workers and periodic entries', async () => {
    const r = await start(platform, QueueDashboardModule.forRoot({ path: '/jobs' }));
    const [galbi, bibim] = await deadJobs(r, ['GalbiTang', 'Bibimbap']);

    const overview = await r.get('/jobs/api/overview');
    expect(overview.status).toBe(200);
    expect(overview.body.readOnly).toBe(false);
    expect(overview.body.names.find((n: { name: string }) => n.name === 'food').counts.dead).toBe(2);
    expect(overview.body.redis.version).toMatch(/^\d+\./);
    expect(overview.body.redis.usedMemoryBytes).toBeGreaterThan(0);
    expect(overview.body.workers).toHaveLength(1);

    const all = await r.get('/jobs/api/jobs?name=food&state=dead');
    expect(all.body.jobs.map((j: { id: string }) => j.id)).toEqual([bibim, galbi]); // newest first
    const found = await r.get('/jobs/api/jobs?name=food&state=dead&search=galbi');
    expect(found.body.jobs.map((j: { id: string }) => j.id)).toEqual([galbi]);
    const page = await r.get('/jobs/api/jobs?name=food&state=dead&limit=1');
    expect(page.body.jobs).toHaveLength(1);
    const next = await r.get(`/jobs/api/jobs?name=food&state=dead&limit=1&cursor=${encodeURIComponent(page.body.cursor)}`);
    expect(next.body.jobs.map((j: { id: string }) => j.id)).toEqual([galbi]);

    const job = await r.get(`/jobs/api/jobs/${encodeURIComponent(galbi!)}`);
    expect(job.body).toMatchObject({ id: galbi, name: 'food', state: 'dead', args: { dish: 'GalbiTang', fail: true } });
    expect(job.body.error.message).toBe('no GalbiTang today');

    const history = await r.get('/jobs/api/history?range=1h&name=food');
    expect(history.body).toHaveLength(60);
    expect(history.body.reduce((s: number, b: { failed: number }) => s + b.failed, 0)).toBe(2);
    const summed = await r.get('/jobs/api/history?range=24h');
    expect(summed.body).toHaveLength(1440);
    expect(summed.body.reduce((s: number, b: { failed: number }) => s + b.failed, 0)).toBe(2);

    const workers = await r.get('/jobs/api/workers');
    expect(workers.body[0].names).toContain('food');
    const periodic = await waitFor(() => r.get('/jobs/api/periodic'), (p) => p.body.length === 1, { what: 'the periodic entry' });
    expect(periodic.body[0]).toMatchObject({ name: 'hourly-report', spec: '@every 1h', paused: false });
  });

  it('retries, removes and cancels jobs, singly, in bulk and by state; pauses a name and an entry; runs an entry now', async () => {
    const r = await start(platform, QueueDashboardModule.forRoot());
    const [a, b, c, d] = await deadJobs(r, ['a', 'b', 'c', 'd']);

    expect((await r.post(`/jobs/api/jobs/${a}/retry`)).body).toEqual({ done: true });
    await waitFor(() => r.enq.getJob(a!), (j) => j?.state === 'dead' && j.attempts === 2, { what: 'the retried job to run (and fail) again' });
    expect((await r.post(`/jobs/api/jobs/${b}/remove`)).body).toEqual({ done: true });
    expect(await r.enq.getJob(b!)).toBeNull();
    expect((await r.post('/jobs/api/jobs/bulk', { action: 'remove', ids: [c, 'no-such-job'] })).body).toEqual({ count: 1 });
    expect((await r.post('/jobs/api/names/food/remove-all', { state: 'dead' })).body).toEqual({ count: 2 }); // a (dead again) and d
    expect(await r.enq.getJob(d!)).toBeNull();

    expect((await r.post('/jobs/api/names/food/pause')).body).toEqual({ done: true });
    const queued = await r.enq.enqueue('food', { dish: 'kimchi' });
    const names = await r.get('/jobs/api/overview');
    expect(names.body.names.find((n: { name: string }) => n.name === 'food')).toMatchObject({ paused: true });
    expect((await r.post(`/jobs/api/jobs/${queued.id}/cancel`)).body).toEqual({ done: true });
    expect((await r.enq.getJob(queued.id))?.state).toBe('cancelled');
    expect((await r.post('/jobs/api/names/food/resume')).body).toEqual({ done: true });
    const after = await r.enq.enqueue('food', { dish: 'mandu' });
    await expect(r.enq.waitFor(after.id, { timeout: '5s' })).resolves.toMatchObject({ state: 'completed' });

    await waitFor(() => r.get('/jobs/api/periodic'), (p) => p.body.length === 1, { what: 'the periodic entry' });
    const run = await r.post('/jobs/api/periodic/hourly-report/run');
    expect(run.body.jobId).toMatch(/^tick:hourly-report:manual:/);
    await expect(r.enq.waitFor(run.body.jobId, { timeout: '5s' })).resolves.toMatchObject({ state: 'completed', result: 'reported' });
    expect((await r.post('/jobs/api/periodic/hourly-report/pause')).body).toEqual({ done: true });
    expect((await r.get('/jobs/api/periodic')).body[0].paused).toBe(true);
    expect((await r.post('/jobs/api/periodic/hourly-report/resume')).body).toEqual({ done: true });
  });

  it('answers bad parameters with 400 naming them, and unknown jobs, names and entries with 404', async () => {
    const r = await start(platform, QueueDashboardModule.forRoot());
    await deadJobs(r, ['x']);
    const bad = async (path: string, param: string) => {
      const res = await r.get(path);
      expect([path, res.status, res.body.error.param]).toEqual([path, 400, param]);
      expect(res.body.error.message).toContain(param);
    };
    await bad('/jobs/api/jobs?name=food&state=dead&limit=abc', 'limit');
    await bad('/jobs/api/jobs?name=food&state=dead&limit=0', 'limit');
    await bad('/jobs/api/jobs?name=food&state=bogus', 'state');
    await bad('/jobs/api/jobs?state=dead', 'name');
    await bad('/jobs/api/history?range=2h', 'range');
    const bulk = await r.post('/jobs/api/jobs/bulk', { action: 'explode', ids: ['x'] });
    expect([bulk.status, bulk.body.error.param]).toEqual([400, 'action']);
    const noIds = await r.post('/jobs/api/jobs/bulk', { action: 'retry', ids: [] });
    expect([noIds.status, noIds.body.error.param]).toEqual([400, 'ids']);
    const badState = await r.post('/jobs/api/names/food/retry-all', { state: 'sleeping' });
    expect([badState.status, badState.body.error.param]).toEqual([400, 'state']);
    const badAction = await r.post('/jobs/api/jobs/some-id/explode');
    expect([badAction.status, badAction.body.error.param]).toEqual([400, 'action']);
    // what a cross-site form could send: refused, nothing paused
    const form = await fetch(`${r.url}/jobs/api/names/food/pause`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(form.status).toBe(415);
    expect((await r.get('/jobs/api/overview')).body.names.find((n: { name: string }) => n.name === 'food').paused).toBe(false);

    expect((await r.get('/jobs/api/jobs/no-such-job')).status).toBe(404);
    expect((await r.post('/jobs/api/jobs/no-such-job/retry')).status).toBe(404);
    expect((await r.get('/jobs/api/jobs?name=nobody&state=dead')).status).toBe(404);
    expect((await r.get('/jobs/api/history?name=nobody')).status).toBe(404);
    expect((await r.post('/jobs/api/names/nobody/pause')).status).toBe(404);
    expect((await r.post('/jobs/api/periodic/no-such-entry/run')).status).toBe(404);
    const notFound = await r.get('/jobs/api/jobs/no-such-job');
    expect(notFound.body.error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('serves the page at every page URL with its mount path, and the bundled assets', async () => {
    const r = await start(platform, QueueDashboardModule.forRoot({ path: '/ops/jobs' }), { prefix: 'admin' });
    for (const path of ['', '/names/food/dead', `/jobs/${encodeURIComponent('a/b c')}`, '/periodic', '/workers']) {
      const page = await r.get(`/admin/ops/jobs${path}`);
      expect([path, page.status, page.type]).toEqual([path, 200, 'text/html; charset=utf-8']);
      expect(page.text).toContain('<meta name="jobcraft-base" content="/admin/ops/jobs">');
      expect(page.text).toContain('<meta name="jobcraft-read-only" content="false">');
      expect(page.text).toMatch(/src="\/admin\/ops\/jobs\/assets\/app\.js\?v=\w+"/);
    }
    const js = await r.get('/admin/ops/jobs/assets/app.js');
    expect([js.status, js.type]).toEqual([200, 'text/javascript; charset=utf-8']);
    const css = await r.get('/admin/ops/jobs/assets/app.css');
    expect([css.status, css.type]).toEqual([200, 'text/css; charset=utf-8']);
    expect((await r.get('/admin/ops/jobs/api/overview')).status).toBe(200);
  });

  it('in read-only mode answers every write with 403 and tells the page', async () => {
    const r = await start(platform, QueueDashboardModule.forRoot({ readOnly: true }));
    const [id] = await deadJobs(r, ['y']);
    for (const [path, body] of [
      [`/jobs/api/jobs/${id}/retry`, {}], [`/jobs/api/jobs/${id}/remove`, {}], [`/jobs/api/jobs/${id}/cancel`, {}],
      ['/jobs/api/jobs/bulk', { action: 'retry', ids: [id] }], ['/jobs/api/names/food/retry-all', {}], ['/jobs/api/names/food/remove-all', {}],
      ['/jobs/api/names/food/pause', {}], ['/jobs/api/names/food/resume', {}],
      ['/jobs/api/periodic/hourly-report/run', {}], ['/jobs/api/periodic/hourly-report/pause', {}], ['/jobs/api/periodic/hourly-report/resume', {}],
    ] as const) {
      const res = await r.post(path, body);
      expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'READ_ONLY']);
    }
    expect((await r.enq.getJob(id!))?.state).toBe('dead');
    expect((await r.get('/jobs/api/overview')).body.readOnly).toBe(true);
    expect((await r.get('/jobs')).text).toContain('<meta name="jobcraft-read-only" content="true">');
  });

  it('puts every route behind the given guards (403 when a guard says no)', async () => {
    const r = await start(platform, QueueDashboardModule.forRoot({ guards: [AdminGuard] }));
    const [id] = await deadJobs(r, ['z']);
    expect((await r.get('/jobs/api/overview')).status).toBe(403);
    expect((await r.get('/jobs')).status).toBe(403);
    expect((await r.get('/jobs/assets/app.js')).status).toBe(403);
    expect((await r.post(`/jobs/api/jobs/${id}/retry`)).status).toBe(403);
    expect((await r.enq.getJob(id!))?.state).toBe('dead');
    const admin = { 'x-admin': 'yes' };
    expect((await r.get('/jobs/api/overview', admin)).status).toBe(200);
    expect((await r.get('/jobs', admin)).status).toBe(200);
    expect((await r.post(`/jobs/api/jobs/${id}/remove`, {}, admin)).body).toEqual({ done: true });
  });

  it('takes readOnly from an async factory', async () => {
    const r = await start(platform, QueueDashboardModule.forRootAsync({ path: '/queue', useFactory: async () => ({ readOnly: true }) }));
    expect((await r.get('/queue/api/overview')).body.readOnly).toBe(true);
    expect((await r.post('/queue/api/names/food/pause')).status).toBe(403);
  });
});

describe('QueueDashboardModule options', () => {
  it('refuses a bad path, guards or readOnly with InvalidOptionsError', () => {
    expect(() => QueueDashboardModule.forRoot({ path: 'jobs' })).toThrow(InvalidOptionsError);
    expect(() => QueueDashboardModule.forRoot({ path: '/jobs/:id' })).toThrow(/path must be a plain path/);
    expect(() => QueueDashboardModule.forRoot({ guards: ['admin' as never] })).toThrow(/guards must be/);
    expect(() => QueueDashboardModule.forRoot({ readOnly: 'yes' as never })).toThrow(/readOnly must be a boolean/);
    expect(() => QueueDashboardModule.forRootAsync({} as never)).toThrow(/useFactory must be a function/);
  });
});
