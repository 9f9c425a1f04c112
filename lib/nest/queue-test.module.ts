import { Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Enqueuer } from '../core/enqueuer.js';
import { InvalidOptionsError } from '../core/errors.js';
import { resolveConnectionOptions } from '../core/options.js';
import { flag, int, object } from '../core/validation.js';
import { FakeEnqueuer } from '../testing/fake-enqueuer.js';
import { HandlerExplorer } from './handler-explorer.js';

/** Options of `QueueModule.forTest`. */
export interface QueueTestOptions {
  /** What the fake's `namespace` reports (default `default`). */
  namespace?: string;
  /** Failed attempts before a job goes dead, when neither the job nor its handler says (default 5). */
  maxFails?: number;
  /** Register the module globally (default true), as `forRoot` does. */
  isGlobal?: boolean;
}

/**
 * Hands what the decorators declared to the fake, as `RuntimeHost` hands it to a worker pool: the same discovery,
 * so the same bootstrap errors (duplicate handlers, unsupported scopes), and the same middleware order.
 * @internal
 */
@Injectable()
export class FakeHost implements OnModuleInit {
  constructor(
    private readonly fake: FakeEnqueuer,
    private readonly explorer: HandlerExplorer,
  ) {}

  onModuleInit(): void {
    const found = this.explorer.explore();
    for (const { fn } of found.middleware) this.fake.use(fn);
    for (const h of [...found.handlers, ...found.periodic]) this.fake.handle(h.name, h.handler, h.options);
  }
}

/** The module `QueueModule.forTest` returns (its own class, so none of `QueueModule`'s Redis providers come along). @internal */
@Module({})
export class QueueTestModule {}

/**
 * Builds `QueueModule.forTest`: a {@link FakeEnqueuer} provided as itself and as `Enqueuer`, with the app's
 * `@JobHandler`, `@Middleware` and `@Periodic` methods registered on it. No Redis, no workers, no scheduler.
 * @param options - `namespace`, `maxFails`, `isGlobal`
 * @returns the dynamic module
 * @throws {@link InvalidOptionsError} naming a bad option
 * @internal
 */
export function queueTestModule(options: QueueTestOptions = {}): DynamicModule {
  const E = InvalidOptionsError;
  const o = object(options, 'QueueModule.forTest', E, ['namespace', 'maxFails', 'isGlobal']);
  const { namespace } = resolveConnectionOptions({ namespace: o.namespace }, 'QueueModule.forTest');
  const fakeOptions = { namespace, maxFails: int(o.maxFails, 'QueueModule.forTest.maxFails', E, { min: 1, max: 1_000_000 }) };
  const global = flag(o.isGlobal, 'QueueModule.forTest.isGlobal', E, true);
  return {
    module: QueueTestModule,
    global,
    imports: [DiscoveryModule],
    providers: [
      { provide: FakeEnqueuer, useFactory: () => new FakeEnqueuer(fakeOptions) },
      { provide: Enqueuer, useExisting: FakeEnqueuer },
      HandlerExplorer,
      FakeHost,
    ],
    exports: [FakeEnqueuer, Enqueuer],
  };
}
