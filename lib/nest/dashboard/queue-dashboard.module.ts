import { Module, type CanActivate, type DynamicModule, type InjectionToken, type ModuleMetadata, type OptionalFactoryDependency, type Type } from '@nestjs/common';
import { InvalidOptionsError } from '../../core/errors.js';
import { Inspector } from '../../core/inspector.js';
import { DashboardApi } from '../../dashboard/dashboard-api.js';
import { DASHBOARD_API, createDashboardController } from './dashboard.controller.js';

/** A Nest guard, as `@UseGuards` takes it: a class (resolved by Nest) or an instance. */
export type DashboardGuard = Type<CanActivate> | CanActivate;

/** Options of {@link QueueDashboardModule.forRoot}. */
export interface QueueDashboardOptions {
  /** Where the dashboard is mounted (default `/jobs`): its pages at `<path>`, its JSON API at `<path>/api`. */
  path?: string;
  /** Show no action and answer every write with 403 (default false). */
  readOnly?: boolean;
  /** Nest guards every dashboard route passes first: put the app's own auth here. */
  guards?: DashboardGuard[];
  /** Modules the guards' dependencies come from. */
  imports?: ModuleMetadata['imports'];
}

/** Settings {@link QueueDashboardModule.forRootAsync} computes at bootstrap. */
export interface QueueDashboardSettings {
  /** Show no action and answer every write with 403 (default false). */
  readOnly?: boolean;
}

/**
 * Options of {@link QueueDashboardModule.forRootAsync}: `path` and `guards` are fixed when the module is defined
 * (Nest routes are), `readOnly` may come from a factory, e.g. from a `ConfigService`.
 */
export interface QueueDashboardAsyncOptions {
  /** Where the dashboard is mounted (default `/jobs`). */
  path?: string;
  /** Nest guards every dashboard route passes first. */
  guards?: DashboardGuard[];
  /** Modules the factory's and the guards' dependencies come from. */
  imports?: ModuleMetadata['imports'];
  /** Providers the factory receives, in order. */
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Computes the settings. */
  useFactory: (...deps: never[]) => QueueDashboardSettings | Promise<QueueDashboardSettings>;
}

const DASHBOARD_SETTINGS = Symbol('jobcraft:dashboard-settings');
const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * The web dashboard: every job name with counts, rates and charts, job lists with search and bulk actions, each
 * job, periodic entries with their recent ticks, and live workers, updating by themselves. A view of the
 * {@link Inspector} that `QueueModule` provides (import `QueueModule` too). Works on Express and Fastify.
 *
 * @example
 * ```ts
 * @Module({ imports: [
 *   QueueModule.forRoot({ redis: process.env.REDIS_URL, namespace: 'bowl' }),
 *   QueueDashboardModule.forRoot({ path: '/jobs', guards: [AdminGuard] }),
 * ] })
 * export class AppModule {}
 * ```
 */
@Module({})
export class QueueDashboardModule {
  /**
   * The dashboard with options known now.
   * @param options - mount path, read-only, guards (and `imports` for their dependencies)
   * @returns the dynamic module to put in `imports`
   * @throws {@link InvalidOptionsError} for a bad path, guard or flag
   */
  static forRoot(options: QueueDashboardOptions = {}): DynamicModule {
    const readOnly = flag(options.readOnly);
    return {
      module: QueueDashboardModule,
      imports: options.imports ?? [],
      controllers: [createDashboardController(mountPath(options.path), guardList(options.guards))],
      providers: [{ provide: DASHBOARD_API, useFactory: (inspector: Inspector) => new DashboardApi(inspector, readOnly), inject: [Inspector] }],
    };
  }

  /**
   * The dashboard with `readOnly` computed at bootstrap.
   * @param options - mount path and guards now; `useFactory` (+ `inject`, `imports`) for the settings
   * @returns the dynamic module to put in `imports`
   * @throws {@link InvalidOptionsError} for a bad path or guard now, for bad settings at bootstrap
   */
  static forRootAsync(options: QueueDashboardAsyncOptions): DynamicModule {
    if (typeof options?.useFactory !== 'function') throw new InvalidOptionsError('QueueDashboardModule.forRootAsync: useFactory must be a function');
    return {
      module: QueueDashboardModule,
      imports: options.imports ?? [],
      controllers: [createDashboardController(mountPath(options.path), guardList(options.guards))],
      providers: [
        { provide: DASHBOARD_SETTINGS, useFactory: options.useFactory as (...deps: unknown[]) => unknown, inject: options.inject ?? [] },
        {
          provide: DASHBOARD_API,
          useFactory: (inspector: Inspector, settings: QueueDashboardSettings) => new DashboardApi(inspector, flag(settings?.readOnly)),
          inject: [Inspector, DASHBOARD_SETTINGS],
        },
      ],
    };
  }
}

function mountPath(path: unknown): string {
  if (path === undefined) return '/jobs';
  const segments = typeof path === 'string' && path.startsWith('/') ? path.split('/').slice(1).filter((s, i, all) => s !== '' || i < all.length - 1) : null;
  if (!segments || !segments.every((s) => PATH_SEGMENT.test(s))) {
    throw new InvalidOptionsError(`QueueDashboardModule: path must be a plain path like "/jobs" or "/admin/jobs", got ${JSON.stringify(path)}`);
  }
  return `/${segments.join('/')}`;
}

function guardList(guards: unknown): DashboardGuard[] {
  if (guards === undefined) return [];
  const ok = (g: unknown) => typeof g === 'function' || (typeof g === 'object' && g !== null && typeof (g as CanActivate).canActivate === 'function');
  if (!Array.isArray(guards) || !guards.every(ok)) {
    throw new InvalidOptionsError('QueueDashboardModule: guards must be a list of guard classes or instances (with canActivate)');
  }
  return guards as DashboardGuard[];
}

function flag(value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new InvalidOptionsError(`QueueDashboardModule: readOnly must be a boolean, got ${JSON.stringify(value)}`);
  return value === true;
}
