import { ConfigurableModuleBuilder, type ConfigurableModuleAsyncOptions } from '@nestjs/common';
import type { QueueModuleOptions } from './queue-options.js';

/**
 * What `QueueModule.forRoot` takes: the module options plus `isGlobal` (default true: import the module once, at
 * the root, and inject `Enqueuer` anywhere).
 */
export interface QueueModuleForRootOptions extends QueueModuleOptions {
  /** Register the module globally (default true). */
  isGlobal?: boolean;
}

/**
 * What `QueueModule.forRootAsync` takes: `useFactory` (with `inject` and `imports`), `useClass` or `useExisting`
 * (a class with a `create()` method returning {@link QueueModuleOptions}), plus `isGlobal` (default true).
 */
export type QueueModuleAsyncOptions = ConfigurableModuleAsyncOptions<QueueModuleOptions, 'create'> & {
  /** Register the module globally (default true). */
  isGlobal?: boolean;
};

const builder = new ConfigurableModuleBuilder<QueueModuleOptions>({ moduleName: 'Queue' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/**
 * The builder's base class, which implements `forRoot`/`forRootAsync`; `QueueModule` extends it and restates
 * those two methods with their documented types. Not exported from the package.
 */
export const QueueModuleBase = builder.ConfigurableModuleClass;

/** Injection token of the options as given to `forRoot` or returned by the async factory. Not exported from the package. */
export const QUEUE_MODULE_OPTIONS = builder.MODULE_OPTIONS_TOKEN;
