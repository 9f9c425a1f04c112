import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { DuplicateHandlerError, InvalidOptionsError, UnsupportedProviderScopeError } from '../core/errors.js';
import type { HandleOptions, Handler, Middleware as MiddlewareFn } from '../core/types.js';
import type { JobHandlerMetadata } from './decorators/job-handler.decorator.js';
import type { MiddlewareMetadata } from './decorators/middleware.decorator.js';
import type { PeriodicMetadata } from './decorators/periodic.decorator.js';
import { JOB_HANDLER_METADATA, MIDDLEWARE_METADATA, PERIODIC_METADATA } from './tokens.js';

/** A discovered job handler, bound to its provider instance. @internal */
export interface FoundHandler {
  name: string;
  handler: Handler;
  options?: HandleOptions;
  /** `Class.method`, for messages. */
  where: string;
}

/** A discovered periodic entry; its job is handled by `handler`. @internal */
export interface FoundPeriodic extends FoundHandler {
  spec: string;
  entry: PeriodicMetadata['entry'];
}

/** Everything the decorators declared in this app. @internal */
export interface Discovered {
  handlers: FoundHandler[];
  middleware: { fn: MiddlewareFn; where: string }[];
  periodic: FoundPeriodic[];
}

type Wrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * Finds `@JobHandler`, `@Middleware` and `@Periodic` methods on providers and controllers and binds them to
 * their instances. Duplicate job names, a method with two roles and non-singleton providers are errors that
 * name the class and method.
 * @internal
 */
@Injectable()
export class HandlerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  /**
   * Scans the application.
   * @returns the bound handlers, middleware (in chain order) and periodic entries
   * @throws {@link DuplicateHandlerError} if two methods handle one job name
   * @throws {@link InvalidOptionsError} if one method carries two of the decorators
   * @throws {@link UnsupportedProviderScopeError} if a request-scoped or transient provider carries them
   */
  explore(): Discovered {
    const handlers: FoundHandler[] = [];
    const periodic: FoundPeriodic[] = [];
    const middleware: { fn: MiddlewareFn; where: string; order: number; seq: number }[] = [];
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const proto = this.prototypeOf(wrapper);
      if (!proto) continue;
      const singleton = wrapper.isDependencyTreeStatic() && !wrapper.isTransient;
      const instance: unknown = wrapper.instance;
      if (singleton && (instance === null || typeof instance !== 'object' || seen.has(instance))) continue;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const fn: unknown = (proto as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const job = this.reflector.get<JobHandlerMetadata | undefined>(JOB_HANDLER_METADATA, fn);
        const mw = this.reflector.get<MiddlewareMetadata | undefined>(MIDDLEWARE_METADATA, fn);
        const tick = this.reflector.get<PeriodicMetadata | undefined>(PERIODIC_METADATA, fn);
        if (!job && !mw && !tick) continue;
        const where = `${(proto as { constructor: { name: string } }).constructor.name}.${method}`;
        const roles = [job && '@JobHandler', mw && '@Middleware', tick && '@Periodic'].filter(Boolean);
        if (roles.length > 1) throw new InvalidOptionsError(`${where} has both ${roles.join(' and ')}; a method takes one of them`);
        if (!singleton) {
          throw new UnsupportedProviderScopeError(
            `${where}: ${roles[0]} needs a singleton provider, but ${wrapper.name ? String(wrapper.name) : 'this provider'} is request-scoped or transient (or depends on one)`,
          );
        }
        const bound = (fn as (...a: unknown[]) => unknown).bind(instance);
        if (job) handlers.push({ name: job.name, handler: bound as Handler, options: job.options, where });
        if (tick) periodic.push({ name: tick.name, handler: bound as Handler, options: tick.handler, where, spec: tick.spec, entry: tick.entry });
        if (mw) middleware.push({ fn: bound as MiddlewareFn, where, order: mw.order, seq: middleware.length });
      }
      if (singleton) seen.add(instance as object);
    }
    const owner = new Map<string, string>();
    for (const h of [...handlers, ...periodic]) {
      const other = owner.get(h.name);
      if (other) throw new DuplicateHandlerError(`Job "${h.name}" has two handlers: ${other} and ${h.where}`);
      owner.set(h.name, h.where);
    }
    middleware.sort((a, b) => a.order - b.order || a.seq - b.seq);
    return { handlers, periodic, middleware: middleware.map(({ fn, where }) => ({ fn, where })) };
  }

  /** The prototype to scan: the class's, or for useValue/useFactory providers the instance's. */
  private prototypeOf(wrapper: Wrapper): object | null {
    const { instance, metatype } = wrapper;
    if (instance && typeof instance === 'object') {
      const proto: unknown = Object.getPrototypeOf(instance);
      if (proto && proto !== Object.prototype) return proto;
    }
    if (typeof metatype === 'function' && metatype.prototype && !wrapper.inject) return metatype.prototype as object;
    return null;
  }
}
