import type { Actions } from '../actions.js';
import { html } from '../html.js';

/**
 * Where a page reports its actions: the last failure in an alert (role="alert", the server's message) and the last
 * outcome in a status line (role="status", always present so that screen readers announce changes).
 */
export function ActionMessages({ actions }: { actions: Actions }) {
  return html`
    ${actions.error !== undefined &&
    html`<div class="alert" role="alert">
      <span class="alert-text">${actions.error}</span>
      <button type="button" class="btn btn-quiet" onClick=${actions.dismiss}>Dismiss</button>
    </div>`}
    <div class="notice" role="status">${actions.notice}</div>
  `;
}
