import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { QueueModuleOptions } from './queue-options.js';

/** @internal The builder's output: base class with forRoot/forRootAsync, the raw options token, option types. */
export const {
  ConfigurableModuleClass: QueueModuleBase,
  MODULE_OPTIONS_TOKEN: QUEUE_MODULE_OPTIONS,
  OPTIONS_TYPE: QUEUE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: QUEUE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<QueueModuleOptions>({ moduleName: 'Queue' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
