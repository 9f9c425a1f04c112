import { serverNow } from '../clock.js';
import { formatAbsolute, formatRelative } from '../format.js';
import { html } from '../html.js';

/** A time shown relative to now ("3 min ago"), with the absolute time in its `title`; `—` when absent. */
export function RelTime({ at }: { at: number | undefined }) {
  if (at === undefined || !Number.isFinite(at)) return html`<span class="muted" aria-label="none">—</span>`;
  return html`<time datetime=${new Date(at).toISOString()} title=${formatAbsolute(at)}>${formatRelative(at, serverNow())}</time>`;
}
