import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Enqueuer } from '../core/enqueuer.js';
import { Scheduler } from '../core/scheduler.js';
import { WorkerPool } from '../core/worker-pool.js';
import { HandlerExplorer, type Discovered } from './handler-explorer.js';
import type { ResolvedQueueOptions } from './queue-options.js';
import { RESOLVED_QUEUE_OPTIONS } from './tokens.js';

/**
 * Wires what the decorators declared into the core engine and runs it with the app's lifecycle: discovers in
 * `onModuleInit`, starts the pool (if this process has handlers) and the scheduler (if it has periodic entries)
 * in `onApplicationBootstrap`, stops the scheduler and drains the pool in `beforeApplicationShutdown` (running
 * jobs get `shutdownTimeout`, then are handed back), and closes connections in `onApplicationShutdown`.
 * @internal
 */
@Injectable()
export class RuntimeHost implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private found: Discovered = { handlers: [], middleware: [], periodic: [] };

  constructor(
    @Inject(RESOLVED_QUEUE_OPTIONS) private readonly options: ResolvedQueueOptions,
    private readonly explorer: HandlerExplorer,
    private readonly enqueuer: Enqueuer,
    private readonly pool: WorkerPool,
    private readonly scheduler: Scheduler,
  ) {}

  onModuleInit(): void {
    this.found = this.explorer.explore();
    for (const { fn } of this.found.middleware) this.pool.use(fn);
    for (const h of [...this.found.handlers, ...this.found.periodic]) this.pool.handle(h.name, h.handler, h.options);
    for (const p of this.found.periodic) this.scheduler.register(p.name, p.spec, p.entry);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { handlers, periodic } = this.found;
    try {
      if (this.options.workers && handlers.length + periodic.length > 0) await this.pool.start();
      if (this.options.scheduler && periodic.length > 0) await this.scheduler.start();
    } catch (err) {
      // a failed bootstrap runs no shutdown hooks: close our connections here, or their reconnect attempts would
      // keep the process alive
      await this.onApplicationShutdown();
      throw err;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.scheduler.stop();
    await this.pool.stop({ timeout: this.options.shutdownTimeoutMs });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.scheduler.stop(), this.pool.stop(), this.enqueuer.close()]);
  }
}
