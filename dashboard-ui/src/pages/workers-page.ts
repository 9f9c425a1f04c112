import { api } from '../api.js';
import { LoadFailed } from '../components/not-found.js';
import { RelTime } from '../components/rel-time.js';
import { formatCount } from '../format.js';
import { html } from '../html.js';
import { usePoll } from '../poll.js';
import { href } from '../router.js';
import { useTitle } from '../title.js';

/** The live worker pools: host, pid, names, concurrency, times, and the jobs each runs now. */
export function WorkersPage() {
  useTitle(['Workers']);
  const workers = usePoll('workers', (signal) => api.workers(signal));
  if (workers.error && !workers.data) return html`<${LoadFailed} title="Workers" message=${workers.error.message} />`;
  const list = [...(workers.data ?? [])].sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid);
  return html`
    <section class="page">
      <h1 tabindex="-1">Workers</h1>
      ${!workers.data
        ? html`<p class="muted">Loading…</p>`
        : list.length === 0
          ? html`<p class="empty">No worker is alive.</p>`
          : html`
            <p class="muted">
              ${`${formatCount(list.length)} ${list.length === 1 ? 'worker pool' : 'worker pools'} alive, running ` +
              `${formatCount(list.reduce((n, w) => n + w.active.length, 0))} of ${formatCount(list.reduce((n, w) => n + w.concurrency, 0))} slots.`}
            </p>
            <div class="table-wrap">
              <table class="table workers-table">
                <caption class="sr-only">workers</caption>
                <thead>
                  <tr>
                    <th scope="col">Host</th>
                    <th scope="col" class="num">PID</th>
                    <th scope="col">Names</th>
                    <th scope="col" class="num">Concurrency</th>
                    <th scope="col">Started</th>
                    <th scope="col">Last seen</th>
                    <th scope="col">Running now</th>
                  </tr>
                </thead>
                <tbody>
                  ${list.map(
                    (w) => html`<tr key=${w.id}>
                      <td><span class="mono">${w.host}</span></td>
                      <td class="num">${w.pid}</td>
                      <td class="names">${w.names.length === 0 ? html`<span class="muted">—</span>` : w.names.map((n, i) => html`${i > 0 ? ', ' : ''}<a href=${href.jobs(n, 'active')}>${n}</a>`)}</td>
                      <td class="num">${formatCount(w.active.length)} / ${formatCount(w.concurrency)}</td>
                      <td><${RelTime} at=${w.startedAt} /></td>
                      <td><${RelTime} at=${w.lastSeenAt} /></td>
                      <td class="running">
                        ${w.active.length === 0
                          ? html`<span class="muted">idle</span>`
                          : html`<ul class="plain">
                              ${w.active.map(
                                (a) => html`<li key=${a.id}><a href=${href.job(a.id)}>${a.id}</a> <span class="muted">${a.name}, started <${RelTime} at=${a.startedAt} /></span></li>`,
                              )}
                            </ul>`}
                      </td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>
          `}
    </section>
  `;
}
