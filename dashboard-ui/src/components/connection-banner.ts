import { connection } from '../connection.js';
import { html } from '../html.js';
import { useStore } from '../store.js';

/** The banner shown while Redis (503) or the server (no answer) is away; it goes once a request succeeds. */
export function ConnectionBanner() {
  const state = useStore(connection);
  return html`
    <div class="banner-slot" role="status">
      ${state.kind === 'redis' &&
      html`<div class="banner banner-redis">
        <strong>Redis unavailable.</strong> ${state.message.replace(/^Redis unavailable:?\s*/i, '')}
        <span class="muted">Showing the last data; retrying every 2 s…</span>
      </div>`}
      ${state.kind === 'offline' &&
      html`<div class="banner banner-offline">
        <strong>Server unreachable.</strong>
        <span class="muted">Showing the last data; retrying every 2 s…</span>
      </div>`}
    </div>
  `;
}
