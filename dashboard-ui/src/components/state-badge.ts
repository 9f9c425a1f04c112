import { html } from '../html.js';

/** A job state (or a tick outcome such as `skipped`) as a coloured label. */
export function StateBadge({ state }: { state: string }) {
  return html`<span class="badge s-${state}">${state}</span>`;
}

/** The `paused` label of a name or periodic entry. */
export function PausedBadge() {
  return html`<span class="badge s-paused">paused</span>`;
}
