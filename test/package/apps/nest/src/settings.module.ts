import { Injectable, Module } from '@nestjs/common';
import { env } from './env.js';

/** Stands in for an app's ConfigService: what `QueueModule.forRootAsync`'s factory reads its options from. */
@Injectable()
export class Settings {
  readonly redisUrl = env('REDIS_URL');
  readonly namespace = env('JOBCRAFT_NAMESPACE');
}

@Module({ providers: [Settings], exports: [Settings] })
export class SettingsModule {}
