/**
 * The dashboard's routes, relative to its mount path: the JSON API, the page URLs (all answered with the same
 * HTML, the page routes itself) and the two bundled assets. A static table, so that both the Nest controller
 * (built from it at module definition) and the standalone server route the same way.
 * @internal
 */
export interface DashboardRoute {
  /** Stable id, for {@link DashboardApi.handle}. */
  id: ApiRouteId;
  method: 'GET' | 'POST';
  /** Path relative to the mount path, with `:param` segments. */
  path: string;
  /** Changes something: refused (403) in read-only mode. */
  write: boolean;
}

/** Ids of the JSON API routes. @internal */
export type ApiRouteId =
  'overview' | 'history' | 'jobs' | 'job' | 'jobAction' | 'bulk' | 'nameAction' | 'workers' | 'periodic' | 'periodicAction';

/** The JSON API. @internal */
export const API_ROUTES: readonly DashboardRoute[] = [
  { id: 'overview', method: 'GET', path: 'api/overview', write: false },
  { id: 'history', method: 'GET', path: 'api/history', write: false },
  { id: 'jobs', method: 'GET', path: 'api/jobs', write: false },
  { id: 'bulk', method: 'POST', path: 'api/jobs/bulk', write: true },
  { id: 'job', method: 'GET', path: 'api/jobs/:id', write: false },
  { id: 'jobAction', method: 'POST', path: 'api/jobs/:id/:action', write: true },
  { id: 'nameAction', method: 'POST', path: 'api/names/:name/:action', write: true },
  { id: 'workers', method: 'GET', path: 'api/workers', write: false },
  { id: 'periodic', method: 'GET', path: 'api/periodic', write: false },
  { id: 'periodicAction', method: 'POST', path: 'api/periodic/:entry/:action', write: true },
];

/** Page URLs, each answered with the page's HTML. @internal */
export const PAGE_ROUTES: readonly string[] = ['', 'names/:name/:state', 'jobs/:id', 'periodic', 'workers'];

/** The bundled assets, under `assets/`. @internal */
export const ASSET_FILES: readonly string[] = ['app.js', 'app.css'];

/**
 * Matches a path (relative to the mount path, no leading slash, still URL-encoded) against a route path.
 * @returns the decoded params, or null when it does not match
 * @internal
 */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const want = pattern === '' ? [] : pattern.split('/');
  const got = path === '' ? [] : path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(got[i]!);
      } catch {
        return null; // malformed escape: no route has it
      }
    } else if (w !== got[i]) {
      return null;
    }
  }
  return params;
}

/**
 * The mount path a page request came in under: its path without the page route's own segments. Works behind a
 * global prefix or a proxy path the server never configured.
 * @param requestPath - the request's path (no query), e.g. `/admin/jobs/jobs/abc`
 * @param pattern - the page route it matched, e.g. `jobs/:id`
 * @internal
 */
export function basePath(requestPath: string, pattern: string): string {
  const segments = requestPath.replace(/\/+$/, '').split('/');
  const own = pattern === '' ? 0 : pattern.split('/').length;
  return segments.slice(0, segments.length - own).join('/');
}
