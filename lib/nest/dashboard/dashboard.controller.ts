import { Get, Header, HttpCode, HttpException, Inject, Post, Req, UseGuards, Controller, type CanActivate, type Type } from '@nestjs/common';
import { DashboardApi, type DashboardRequest } from '../../dashboard/dashboard-api.js';
import { assetReply, renderPage } from '../../dashboard/dashboard-page.js';
import { API_ROUTES, ASSET_FILES, PAGE_ROUTES, basePath, type DashboardRoute } from '../../dashboard/dashboard-routes.js';

/** Injection token of the dashboard's {@link DashboardApi}. @internal */
export const DASHBOARD_API = Symbol('jobcraft:dashboard-api');

/** What Express and Fastify requests both carry, as far as the dashboard reads them. */
interface HttpRequest {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  url?: string;
  originalUrl?: string;
  headers?: Record<string, string | string[] | undefined>;
}

type Handler = (this: { api: DashboardApi }, req: HttpRequest) => unknown;

/**
 * Builds the dashboard's controller for a mount path, from the same route table the standalone server uses: one
 * method per API route, page URL and asset, on either Nest HTTP platform. The class is made per `forRoot` call
 * because a controller's path and guards are fixed when its class is decorated.
 * @param path - the mount path (validated)
 * @param guards - Nest guards that every route passes first
 * @internal
 */
export function createDashboardController(path: string, guards: readonly (Type<CanActivate> | CanActivate)[]): Type<unknown> {
  class QueueDashboardController {
    constructor(@Inject(DASHBOARD_API) readonly api: DashboardApi) {}
  }
  const proto = QueueDashboardController.prototype as unknown as Record<string, Handler>;
  const define = (key: string, handler: Handler, decorators: MethodDecorator[]) => {
    Object.defineProperty(proto, key, { value: handler, writable: true, configurable: true });
    Req()(proto, key, 0);
    const descriptor = Object.getOwnPropertyDescriptor(proto, key)!;
    for (const d of decorators) d(proto, key, descriptor);
  };

  for (const route of API_ROUTES) {
    define(`api_${route.id}`, apiHandler(route), route.method === 'GET' ? [Get(route.path)] : [Post(route.path), HttpCode(200)]);
  }
  PAGE_ROUTES.forEach((pattern, i) => {
    define(`page_${i}`, function (req) {
      return renderPage(basePath(requestPath(req), pattern), this.api.readOnly).body;
    }, [Get(pattern), Header('Content-Type', 'text/html; charset=utf-8'), Header('Cache-Control', 'no-store')]);
  });
  for (const file of ASSET_FILES) {
    const asset = assetReply(file);
    define(`asset_${file.replace(/\W/g, '_')}`, () => asset.body, [
      Get(`assets/${file}`), Header('Content-Type', asset.contentType), Header('Cache-Control', asset.cache), Header('X-Content-Type-Options', 'nosniff'),
    ]);
  }

  Controller(path)(QueueDashboardController);
  if (guards.length > 0) UseGuards(...guards)(QueueDashboardController);
  return QueueDashboardController;
}

function apiHandler(route: DashboardRoute): Handler {
  return async function (req) {
    const contentType = req.headers?.['content-type'];
    const request: DashboardRequest = { params: req.params ?? {}, query: req.query ?? {}, body: req.body, contentType: typeof contentType === 'string' ? contentType : undefined };
    const reply = await this.api.handle(route.id, route.write, request);
    if (reply.status !== 200) throw new HttpException(reply.body as Record<string, unknown>, reply.status);
    return reply.body;
  };
}

/** The request's path without its query (Express keeps the full one in `originalUrl`; Fastify has both). */
function requestPath(req: HttpRequest): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
