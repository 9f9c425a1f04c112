import { href } from '../router.js';
import { html } from '../html.js';
import { useTitle } from '../title.js';

/** The page for an unknown job, name, entry or URL. */
export function NotFound({ message }: { message: string }) {
  useTitle(['Not found']);
  return html`
    <section class="page">
      <h1 tabindex="-1">Not found</h1>
      <p>${message}</p>
      <p><a href=${href.overview()}>Back to the overview</a></p>
    </section>
  `;
}

/** A lasting failure to load a page's data (not a 404): the server's message. */
export function LoadFailed({ title, message }: { title: string; message: string }) {
  useTitle([title]);
  return html`
    <section class="page">
      <h1 tabindex="-1">${title}</h1>
      <div class="alert" role="alert"><span class="alert-text">${message}</span></div>
    </section>
  `;
}
