// jobcraft logs through Nest's Logger (context 'jobcraft') in a Nest app, so the app's logger applies: a custom
// LoggerService given to createNestApplication or app.useLogger receives jobcraft's messages (a handler's backoff
// that throws, a corrupt job record moved to the dead set). A logger given in QueueModule's options still wins.
import { Injectable, type INestApplication, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Enqueuer, JobHandler, QueueModule, WorkerPool, type Job, type Logger, type QueueModuleOptions } from '../../lib/index.js';
import { randomNamespace, rawClient, redisUrl } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

/** A LoggerService that records every call: the level, the message and the trailing context argument. */
class RecordingLogger implements LoggerService {
  readonly lines: { level: string; message: unknown; context: unknown }[] = [];
  private record(level: string, message: unknown, params: unknown[]) {
    this.lines.push({ level, message, context: params[params.length - 1] });
  }
  log(message: unknown, ...params: unknown[]) { this.record('log', message, params); }
  error(message: unknown, ...params: unknown[]) { this.record('error', message, params); }
  warn(message: unknown, ...params: unknown[]) { this.record('warn', message, params); }
  debug(message: unknown, ...params: unknown[]) { this.record('debug', message, params); }
  verbose(message: unknown, ...params: unknown[]) { this.record('verbose', message, params); }
  /** What jobcraft logged, as `level: message`. */
  jobcraft(): string[] {
    return this.lines.filter((l) => l.context === 'jobcraft').map((l) => `${l.level}: ${String(l.message)}`);
  }
}

@Injectable()
class FlakyJobs {
  @JobHandler('flaky', {
    maxFails: 2,
    backoff: () => {
      throw new Error('backoff exploded');
    },
  })
  async flaky(_job: Job) {
    throw new Error('handler failed');
  }

  @JobHandler('food')
  async food(job: Job<{ dish: string }>) {
    return `ate ${job.args.dish}`;
  }
}

const apps: INestApplication[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(options: QueueModuleOptions, logger: RecordingLogger, how: 'create' | 'useLogger'): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [QueueModule.forRoot(options)], providers: [FlakyJobs] }).compile();
  const app = how === 'create' ? moduleRef.createNestApplication({ logger }) : moduleRef.createNestApplication();
  if (how === 'useLogger') app.useLogger(logger);
  await app.init();
  apps.push(app);
  return app;
}

describe('logging in a Nest app', () => {
  it('goes to the logger given to createNestApplication, with context jobcraft (a backoff that throws)', async () => {
    const logger = new RecordingLogger();
    const app = await start({ redis: redisUrl(), namespace: randomNamespace('log') }, logger, 'create');
    const job = await app.get(Enqueuer).enqueue('flaky', null);
    await waitFor(() => logger.jobcraft(), (lines) => lines.some((l) => l.includes('backoff')), { what: 'the backoff failure logged' });
    expect(logger.jobcraft()).toContain(`error: backoff for job "${job.id}" failed, retrying in 1 s: backoff exploded`);
  });

  it('goes to the logger set with app.useLogger (a corrupt job record moved to the dead set)', async () => {
    const logger = new RecordingLogger();
    const namespace = randomNamespace('log');
    const app = await start({ redis: redisUrl(), namespace }, logger, 'useLogger');
    const dead: string[] = [];
    app.get(WorkerPool).on('job:dead', (e) => dead.push(e.id));
    const r = rawClient();
    try {
      const prefix = `jobcraft:{${namespace}}:`;
      await r.hset(`${prefix}j:bad-json`, { n: 'food', a: '{nope', t: '1', s: 'q' });
      await r.lpush(`${prefix}q:food`, 'bad-json');
      await r.zadd(`${prefix}m:food`, 0, '0'); // wake a worker
    } finally {
      await r.quit();
    }
    await waitFor(() => dead, (ids) => ids.includes('bad-json'), { what: 'the corrupt record buried' });
    const line = logger.jobcraft().find((l) => l.includes('bad-json'));
    expect(line).toMatch(/^error: Corrupt job record "bad-json".*; moved to the dead set$/);
  });

  it('goes to the logger given in the module options instead, when there is one', async () => {
    const appLogger = new RecordingLogger();
    const mine: string[] = [];
    const own: Logger = { warn: (m) => mine.push(`warn: ${m}`), error: (m) => mine.push(`error: ${m}`) };
    const app = await start({ redis: redisUrl(), namespace: randomNamespace('log'), logger: own }, appLogger, 'create');
    const job = await app.get(Enqueuer).enqueue('flaky', null);
    await waitFor(() => mine, (lines) => lines.some((l) => l.includes(job.id)), { what: 'the backoff failure logged' });
    expect(mine).toContain(`error: backoff for job "${job.id}" failed, retrying in 1 s: backoff exploded`);
    expect(appLogger.jobcraft()).toEqual([]);
  });
});
