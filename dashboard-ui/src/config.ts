import { Store } from './store.js';

function meta(name: string): string | null {
  return document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? null;
}

/** The mount path, without trailing slash ('' at the root): pages live under it, the API under `${BASE}/api`. */
export const BASE = (meta('jobcraft-base') ?? '').replace(/\/+$/, '');

/**
 * Whether the dashboard is read-only (no action is shown): from the page's meta tag, and from the overview's
 * `readOnly` once it has been read.
 */
export const readOnly = new Store<boolean>(meta('jobcraft-read-only') === 'true');
