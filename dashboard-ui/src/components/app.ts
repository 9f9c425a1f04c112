import { useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { JobPage } from '../pages/job-page.js';
import { JobsPage } from '../pages/jobs-page.js';
import { OverviewPage } from '../pages/overview-page.js';
import { PeriodicPage } from '../pages/periodic-page.js';
import { WorkersPage } from '../pages/workers-page.js';
import { href, useRoute, type Route } from '../router.js';
import { ConnectionBanner } from './connection-banner.js';
import { NotFound } from './not-found.js';

/** Identifies a page for focus handling: a new page (not a new search) moves focus to its heading. */
function pageKey(route: Route): string {
  switch (route.page) {
    case 'jobs':
      return JSON.stringify([route.page, route.name, route.state]);
    case 'job':
      return JSON.stringify([route.page, route.id]);
    default:
      return route.page;
  }
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return html`<${OverviewPage} />`;
    case 'jobs':
      return html`<${JobsPage} key=${`${route.name}\n${route.state}`} name=${route.name} state=${route.state} search=${route.search} />`;
    case 'job':
      return html`<${JobPage} key=${route.id} id=${route.id} />`;
    case 'periodic':
      return html`<${PeriodicPage} />`;
    case 'workers':
      return html`<${WorkersPage} />`;
    default:
      return html`<${NotFound} message="This page does not exist." />`;
  }
}

/** The dashboard: header with navigation, the connection banner, and the current page. */
export function App() {
  const route = useRoute();
  const key = pageKey(route);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
  }, [key]);
  // `section`: the page belongs to this part (a job belongs to the overview); `page`: it is this very page.
  const nav = (to: string, label: string, section: boolean, page: boolean) =>
    html`<a href=${to} class=${section ? 'nav-link current' : 'nav-link'} aria-current=${page ? 'page' : undefined}>${label}</a>`;
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href=${href.overview()}>jobcraft</a>
      <nav class="nav" aria-label="Main">
        ${nav(href.overview(), 'Overview', route.page === 'overview' || route.page === 'jobs' || route.page === 'job', route.page === 'overview')}
        ${nav(href.periodic(), 'Periodic', route.page === 'periodic', route.page === 'periodic')}
        ${nav(href.workers(), 'Workers', route.page === 'workers', route.page === 'workers')}
      </nav>
    </header>
    <${ConnectionBanner} />
    <main id="main" tabindex="-1">
      <${Page} route=${route} />
    </main>
  `;
}
