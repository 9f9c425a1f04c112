import { Injectable, Scope } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  DuplicateHandlerError,
  InvalidOptionsError,
  InvalidScheduleError,
  JobHandler,
  Middleware,
  Periodic,
  QueueModule,
  UnsupportedProviderScopeError,
  silentLogger,
  type Job,
} from '../../lib/index.js';
import { randomNamespace, redisUrl } from '../helpers/redis.js';

/** Boots an app with these providers; resolves with the app (closed at once) or rejects with the bootstrap error. */
async function boot(providers: unknown[]): Promise<void> {
  const app = await Test.createTestingModule({
    imports: [QueueModule.forRoot({ redis: redisUrl(), namespace: randomNamespace('boot'), logger: silentLogger })],
    providers: providers as never[],
  }).compile();
  app.useLogger(false);
  try {
    await app.init();
  } finally {
    await app.close();
  }
}

describe('bootstrap errors name the class and method', () => {
  it('two handlers for one job name', async () => {
    @Injectable()
    class KitchenJobs {
      @JobHandler('food')
      cook(_job: Job) {}
    }
    @Injectable()
    class DinerJobs {
      @JobHandler('food')
      serve(_job: Job) {}
    }
    const attempt = boot([KitchenJobs, DinerJobs]);
    await expect(attempt).rejects.toThrow(DuplicateHandlerError);
    await expect(attempt).rejects.toThrow('Job "food" has two handlers: KitchenJobs.cook and DinerJobs.serve');
  });

  it('a @Periodic entry whose name is also a @JobHandler job', async () => {
    @Injectable()
    class Clash {
      @JobHandler('beat')
      handle(_job: Job) {}
      @Periodic('@every 1s', { name: 'beat' })
      tick(_job: Job) {}
    }
    await expect(boot([Clash])).rejects.toThrow('Job "beat" has two handlers: Clash.handle and Clash.tick');
  });

  it('@Periodic on a method that also has @JobHandler', async () => {
    @Injectable()
    class Both {
      @Periodic('@every 1s')
      @JobHandler('beat')
      tick(_job: Job) {}
    }
    const attempt = boot([Both]);
    await expect(attempt).rejects.toThrow(InvalidOptionsError);
    await expect(attempt).rejects.toThrow('Both.tick has both @JobHandler and @Periodic; a method takes one of them');
  });

  it('a request-scoped provider with a handler', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @JobHandler('food')
      cook(_job: Job) {}
    }
    const attempt = boot([PerRequest]);
    await expect(attempt).rejects.toThrow(UnsupportedProviderScopeError);
    await expect(attempt).rejects.toThrow(/PerRequest\.cook: @JobHandler needs a singleton provider/);
  });

  it('a transient provider with middleware', async () => {
    @Injectable({ scope: Scope.TRANSIENT })
    class Fleeting {
      @Middleware()
      wrap(_job: Job, next: () => Promise<unknown>) {
        return next();
      }
    }
    await expect(boot([Fleeting])).rejects.toThrow(/Fleeting\.wrap: @Middleware needs a singleton provider/);
  });

  it('an invalid @Periodic spec, when the class is declared', () => {
    const declare = () => {
      class Bad {
        @Periodic('@every soon')
        tick(_job: Job) {}
      }
      return Bad;
    };
    expect(declare).toThrow(InvalidScheduleError);
    expect(declare).toThrow(/"@every soon" for entry "Bad\.tick"/);
  });

  it('an invalid @Periodic spec of a named entry still names the method', () => {
    const declare = () => {
      class Named {
        @Periodic('61 * * * *', { name: 'hourly-report' })
        report(_job: Job) {}
      }
      return Named;
    };
    expect(declare).toThrow(/^@Periodic on Named\.report: Invalid schedule "61 \* \* \* \*" for entry "hourly-report"/);
  });

  it.each([
    ['@JobHandler options of the wrong type', () => JobHandler('food', 'fast' as never), /@JobHandler\("food"\) on Jobs\.run: options must be an object, got "fast"/],
    ['an unknown @JobHandler option', () => JobHandler('food', { retries: 3 } as never), /@JobHandler\("food"\) on Jobs\.run: unknown option "retries"/],
    ['a bad @JobHandler timeout', () => JobHandler('food', { timeout: 'soon' }), /@JobHandler\("food"\) on Jobs\.run\.timeout/],
    ['a bad job name', () => JobHandler('has space'), /@JobHandler on Jobs\.run: the job name/],
    ['@Middleware order of the wrong type', () => Middleware({ order: 'first' as never }), /@Middleware on Jobs\.run: order must be a finite number/],
    ['a @Periodic second argument of the wrong type', () => Periodic('@every 1s', true as never), /@Periodic on Jobs\.run: the second argument must be/],
    ['an unknown @Periodic option', () => Periodic('@every 1s', { misfir: 'skip' } as never), /@Periodic on Jobs\.run: unknown option "misfir"/],
    ['a bad @Periodic misfire policy', () => Periodic('@every 1s', { misfire: 'later' as never }), /@Periodic on Jobs\.run\.misfire must be 'once', 'skip' or 'all'/],
    ['a bad @Periodic unique window', () => Periodic('@every 1s', '1 fortnight'), /@Periodic on Jobs\.run\.unique/],
  ])('%s, when the class is declared', (_what, decorator, message) => {
    const declare = () => {
      class Jobs {
        @(decorator() as MethodDecorator)
        run(_job: Job) {}
      }
      return Jobs;
    };
    expect(declare).toThrow(InvalidOptionsError);
    expect(declare).toThrow(message);
  });

  it('a decorator on a static method', () => {
    const declare = () => {
      class Statics {
        @JobHandler('food')
        static cook(_job: Job) {}
      }
      return Statics;
    };
    expect(declare).toThrow(/@JobHandler on Statics \(static\)\.cook: it must decorate an instance method/);
  });
});
