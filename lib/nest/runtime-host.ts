import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { JobRuntime } from '../core/runtime.js';
import { HandlerExplorer, type Discovered } from './handler-explorer.js';
import type { ResolvedQueueOptions } from './queue-options.js';
import { JOB_RUNTIME, RESOLVED_QUEUE_OPTIONS } from './tokens.js';

/**
 * Hosts the core runtime in the app's lifecycle: hands what the decorators declared to its pool and scheduler in
 * `onModuleInit`, starts it in `onApplicationBootstrap` (the pool only if this process has handlers, the scheduler
 * only if it has periodic entries), drains it in `beforeApplicationShutdown` (running jobs get `shutdownTimeout`,
 * then are handed back) and closes it in `onApplicationShutdown`, so other providers can still enqueue while the
 * app shuts down.
 * @internal
 */
@Injectable()
export class RuntimeHost implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private found: Discovered = { handlers: [], middleware: [], periodic: [] };

  constructor(
    @Inject(RESOLVED_QUEUE_OPTIONS) private readonly options: ResolvedQueueOptions,
    @Inject(JOB_RUNTIME) private readonly runtime: JobRuntime,
    private readonly explorer: HandlerExplorer,
  ) {}

  onModuleInit(): void {
    const { pool, scheduler } = this.runtime;
    this.found = this.explorer.explore();
    for (const { fn } of this.found.middleware) pool.use(fn);
    for (const h of [...this.found.handlers, ...this.found.periodic]) pool.handle(h.name, h.handler, h.options);
    for (const p of this.found.periodic) scheduler.register(p.name, p.spec, p.entry);
  }

  async onApplicationBootstrap(): Promise<void> {
    // a failed start closes the runtime itself: a failed bootstrap runs no shutdown hooks
    await this.runtime.start({ workers: this.options.workers, scheduler: this.options.scheduler });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.drain({ timeout: this.options.shutdownTimeoutMs });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
