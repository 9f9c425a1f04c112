import { html } from '../html.js';

/**
 * The trail above a page's heading: links to the pages above it, then where we are.
 * @param trail - label and URL of each page above, outermost first
 * @param here - the current page's label
 */
export function Crumbs({ trail, here }: { trail: readonly (readonly [label: string, url: string | undefined])[]; here: string }) {
  return html`<nav class="crumbs" aria-label="Breadcrumb">
    <ol>
      ${trail.map(([label, url]) => html`<li>${url ? html`<a href=${url}>${label}</a>` : label}</li>`)}
      <li aria-current="page">${here}</li>
    </ol>
  </nav>`;
}
