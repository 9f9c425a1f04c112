import { useEffect, useState } from 'preact/hooks';
import type { JobState } from '../../lib/core/types.js';
import { BASE } from './config.js';
import { isJobState } from './states.js';

/** A page of the dashboard, as its URL names it. */
export type Route =
  | { page: 'overview' }
  | { page: 'jobs'; name: string; state: JobState; search?: string }
  | { page: 'job'; id: string }
  | { page: 'periodic' }
  | { page: 'workers' }
  | { page: 'unknown' };

const enc = encodeURIComponent;

/** Page URLs, under the mount path; every name, id and entry is URL-encoded. */
export const href = {
  overview: () => `${BASE}/`,
  jobs: (name: string, state: JobState, search?: string) =>
    `${BASE}/names/${enc(name)}/${state}${search ? `?${new URLSearchParams({ search })}` : ''}`,
  job: (id: string) => `${BASE}/jobs/${enc(id)}`,
  periodic: () => `${BASE}/periodic`,
  workers: () => `${BASE}/workers`,
};

/**
 * Reads the page a URL shows.
 * @param pathname - the URL's path (still encoded)
 * @param search - the URL's query string
 */
export function parseRoute(pathname: string, search: string): Route {
  if (pathname !== BASE && !pathname.startsWith(`${BASE}/`)) return { page: 'unknown' };
  const rest = pathname.slice(BASE.length).replace(/^\/+|\/+$/g, '');
  let parts: string[];
  try {
    parts = rest === '' ? [] : rest.split('/').map(decodeURIComponent);
  } catch {
    return { page: 'unknown' }; // a malformed escape
  }
  const [first, second, third] = parts;
  if (parts.length === 0) return { page: 'overview' };
  if (parts.length === 1 && first === 'periodic') return { page: 'periodic' };
  if (parts.length === 1 && first === 'workers') return { page: 'workers' };
  if (parts.length === 2 && first === 'jobs' && second) return { page: 'job', id: second };
  if (parts.length === 3 && first === 'names' && second && third && isJobState(third)) {
    const query = new URLSearchParams(search).get('search')?.trim();
    return query ? { page: 'jobs', name: second, state: third, search: query } : { page: 'jobs', name: second, state: third };
  }
  return { page: 'unknown' };
}

/** Whether a same-origin path is a page of this dashboard (not its API or assets). */
function isPagePath(pathname: string): boolean {
  if (pathname !== BASE && !pathname.startsWith(`${BASE}/`)) return false;
  return !/^\/(api|assets)(\/|$)/.test(pathname.slice(BASE.length));
}

const listeners = new Set<() => void>();
function changed(): void {
  for (const listener of [...listeners]) listener();
}

/**
 * Shows another page without reloading.
 * @param url - the page URL (path and query)
 * @param options - `replace`: replace the current history entry instead of adding one
 */
export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  changed();
  window.scrollTo(0, 0);
}

/** Follows in-page links with `pushState`, and Back/Forward. Call once. */
export function startRouter(): void {
  window.addEventListener('popstate', changed);
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link || !link.href || (link.target && link.target !== '_self') || link.hasAttribute('download')) return;
    const url = new URL(link.href);
    if (url.origin !== location.origin || !isPagePath(url.pathname)) return;
    const samePage = url.pathname + url.search === location.pathname + location.search;
    if (samePage && url.hash) return; // an in-page anchor (the skip link): the browser's own
    event.preventDefault();
    if (!samePage) navigate(url.pathname + url.search);
  });
}

/** The current page, re-rendering on navigation. */
export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return route;
}
