import { useEffect, useRef, useState } from 'preact/hooks';
import type { JobAction } from '../../../lib/dashboard/api-types.js';
import type { JobInfo, JobState } from '../../../lib/core/types.js';
import { useActions } from '../actions.js';
import { api } from '../api.js';
import { ActionMessages } from '../components/action-messages.js';
import { Crumbs } from '../components/crumbs.js';
import { LoadFailed, NotFound } from '../components/not-found.js';
import { RelTime } from '../components/rel-time.js';
import { PausedBadge } from '../components/state-badge.js';
import { readOnly } from '../config.js';
import { takeFlash } from '../flash.js';
import { firstLine, formatCount, formatJsonShort, formatProgress } from '../format.js';
import { html } from '../html.js';
import { usePoll } from '../poll.js';
import { href, navigate } from '../router.js';
import { JOB_STATES, canCancel, canDelete, canRetry } from '../states.js';
import { useStore } from '../store.js';
import { useTitle } from '../title.js';

/** Most ids per `POST api/jobs/bulk`. */
const BULK_MAX = 1000;

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

function unique(jobs: readonly JobInfo[]): JobInfo[] {
  const seen = new Set<string>();
  return jobs.filter((j) => !seen.has(j.id) && seen.add(j.id));
}

/** The checkbox that selects every listed job (indeterminate when some are selected). */
function SelectAll({ all, some, onChange }: { all: boolean; some: boolean; onChange: (on: boolean) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = some && !all;
  }, [all, some]);
  return html`<input type="checkbox" ref=${ref} aria-label="Select all" checked=${all}
    onChange=${(e: Event) => onChange((e.currentTarget as HTMLInputElement).checked)} />`;
}

/**
 * The jobs of a name in a state: state tabs with counts, search, a paged table, bulk and all-of-state actions,
 * pause and resume of the name.
 */
export function JobsPage({ name, state, search }: { name: string; state: JobState; search?: string }) {
  const isReadOnly = useStore(readOnly);
  const listKey = JSON.stringify([name, state, search ?? '']);

  const overview = usePoll('overview', (signal) => api.overview(signal));
  // Pages past the first, loaded by the user: while there are any, the list is not refreshed (the first page is kept).
  const [more, setMore] = useState<{ key: string; jobs: JobInfo[]; cursor?: string } | null>(null);
  const pagedFurther = more?.key === listKey;
  const first = usePoll(`jobs:${listKey}`, (signal) => api.jobs({ name, state, search }, signal), { enabled: !pagedFurther });
  const [selection, setSelection] = useState<{ key: string; ids: ReadonlySet<string> }>({ key: listKey, ids: new Set() });
  const [query, setQuery] = useState(search ?? '');
  const [loadingMore, setLoadingMore] = useState(false);
  const actions = useActions(() => {
    setMore(null);
    return Promise.all([first.refresh(), overview.refresh()]);
  });

  useEffect(() => setQuery(search ?? ''), [listKey]);
  useEffect(() => {
    const message = takeFlash();
    if (message) actions.tell(message);
  }, []);

  const info = overview.data?.names.find((n) => n.name === name);
  const notFound =
    first.error?.status === 404 ||
    (overview.data && !info && first.data && first.data.jobs.length === 0 && !first.data.cursor);
  useTitle(notFound || (first.error && !first.data) ? null : [state, name]);
  if (notFound) return html`<${NotFound} message=${`There is no job name "${name}".`} />`;
  if (first.error && !first.data) return html`<${LoadFailed} title=${name} message=${first.error.message} />`;

  const jobs = unique([...(first.data?.jobs ?? []), ...(pagedFurther ? more.jobs : [])]);
  const cursor = pagedFurther ? more.cursor : first.data?.cursor;
  const selectedIds = selection.key === listKey ? selection.ids : new Set<string>();
  const chosen = jobs.filter((j) => selectedIds.has(j.id)).map((j) => j.id);
  const select = (ids: ReadonlySet<string>) => setSelection({ key: listKey, ids });
  const toggle = (id: string, on: boolean) => {
    const ids = new Set(selectedIds);
    if (on) ids.add(id);
    else ids.delete(id);
    select(ids);
  };
  const count = info?.counts[state];
  const what = `${state} jobs of ${name}`;
  const allWhat = count === undefined ? what : `${plural(count, `${state} job`)} of ${name}`;

  const loadMore = () =>
    actions.run(async () => {
      setLoadingMore(true);
      try {
        const page = await api.jobs({ name, state, search, cursor });
        setMore((m) => ({ key: listKey, jobs: [...(m?.key === listKey ? m.jobs : []), ...page.jobs], cursor: page.cursor }));
      } finally {
        setLoadingMore(false);
      }
    }, false);

  const bulk = (action: JobAction, verb: string, confirmText?: string) => {
    const ids = chosen;
    if (ids.length === 0) return;
    if (confirmText && !window.confirm(confirmText)) return;
    void actions.run(async () => {
      let done = 0;
      for (let i = 0; i < ids.length; i += BULK_MAX) done += (await api.bulk(action, ids.slice(i, i + BULK_MAX))).count;
      select(new Set());
      return `${verb} ${plural(done, 'job')} of ${formatCount(ids.length)} selected.`;
    });
  };

  const allOfState = (action: 'retry-all' | 'remove-all', verb: string, confirmText: string) => {
    if (!window.confirm(confirmText)) return;
    void actions.run(async () => {
      const { count: moved } = await api.stateAction(name, action, state);
      select(new Set());
      return `${verb} ${plural(moved, `${state} job`)}.`;
    });
  };

  const pauseOrResume = (action: 'pause' | 'resume') =>
    void actions.run(async () => {
      await api.nameAction(name, action);
      return action === 'pause' ? `Paused ${name}: workers start no new ${name} jobs until it is resumed.` : `Resumed ${name}.`;
    });

  const submitSearch = (event: Event) => {
    event.preventDefault();
    const text = query.trim();
    if (text === (search ?? '')) {
      setMore(null); // the same search again: start over from its first page
      void first.refresh();
    }
    else navigate(href.jobs(name, state, text || undefined));
  };

  const allSelected = jobs.length > 0 && chosen.length === jobs.length;
  const busy = actions.busy;

  return html`
    <section class="page">
      <div class="page-head">
        <div>
          <${Crumbs} trail=${[['Overview', href.overview()]]} here=${`${name} · ${state}`} />
          <h1 tabindex="-1">${name} ${info?.paused && html`<${PausedBadge} />`}</h1>
        </div>
        ${!isReadOnly && info &&
        html`<div class="buttons">
          ${info.paused
            ? html`<button type="button" class="btn" disabled=${busy} onClick=${() => pauseOrResume('resume')}>Resume</button>`
            : html`<button type="button" class="btn" disabled=${busy} onClick=${() => pauseOrResume('pause')}>Pause</button>`}
        </div>`}
      </div>

      <nav class="tabs" aria-label="States">
        ${JOB_STATES.map(
          (s) => html`<a href=${href.jobs(name, s)} class=${s === state ? 'tab current' : 'tab'} aria-current=${s === state ? 'page' : undefined}>
            <span class="dot s-${s}" aria-hidden="true"></span>${s}
            <span class="tab-count">${info ? formatCount(info.counts[s]) : ''}</span>
          </a>`,
        )}
      </nav>

      <form class="search" role="search" aria-label="Search jobs" onSubmit=${submitSearch}>
        <label for="job-search">Search</label>
        <input id="job-search" type="search" name="search" value=${query} maxlength="200" autocomplete="off"
          placeholder="id, args or error text" onInput=${(e: Event) => setQuery((e.currentTarget as HTMLInputElement).value)} />
        <button type="submit" class="btn">Search</button>
        ${search && html`<a class="clear" href=${href.jobs(name, state)}>Clear search</a>`}
      </form>

      ${!isReadOnly &&
      html`<div class="toolbar">
        <div class="buttons" aria-label="Selected jobs" role="group">
          ${canRetry(state) &&
          html`<button type="button" class="btn" disabled=${busy || chosen.length === 0} onClick=${() => bulk('retry', 'Retried')}>Retry</button>`}
          ${canCancel(state) &&
          html`<button type="button" class="btn" disabled=${busy || chosen.length === 0}
            onClick=${() => bulk('cancel', 'Cancelled', `Cancel ${plural(chosen.length, `selected ${state} job`)} of ${name}?`)}>Cancel</button>`}
          ${canDelete(state) &&
          html`<button type="button" class="btn btn-danger" disabled=${busy || chosen.length === 0}
            onClick=${() => bulk('remove', 'Deleted', `Delete ${plural(chosen.length, `selected ${state} job`)} of ${name}? This cannot be undone.`)}>Delete</button>`}
          <span class="muted selected-count" aria-live="polite">${formatCount(chosen.length)} selected</span>
        </div>
        <div class="buttons" aria-label=${`All ${what}`} role="group">
          ${canRetry(state) &&
          html`<button type="button" class="btn" disabled=${busy}
            onClick=${() => allOfState('retry-all', 'Retried', `Retry all ${allWhat}?`)}>Retry all</button>`}
          ${canDelete(state) &&
          html`<button type="button" class="btn btn-danger" disabled=${busy}
            onClick=${() => allOfState('remove-all', 'Deleted', `Delete all ${allWhat}? This cannot be undone.`)}>Delete all</button>`}
        </div>
      </div>`}

      <${ActionMessages} actions=${actions} />

      ${!first.data
        ? html`<p class="muted">Loading…</p>`
        : html`
          ${jobs.length > 0 &&
          html`<div class="table-wrap">
            <table class="table jobs-table">
              <caption class="sr-only">${what}</caption>
              <thead>
                <tr>
                  ${!isReadOnly && html`<th scope="col" class="check"><${SelectAll} all=${allSelected} some=${chosen.length > 0}
                    onChange=${(on: boolean) => select(new Set(on ? jobs.map((j) => j.id) : []))} /></th>`}
                  <th scope="col">ID</th>
                  <th scope="col">Args</th>
                  <th scope="col">Enqueued</th>
                  <th scope="col">Started</th>
                  <th scope="col">Finished</th>
                  ${state === 'active' && html`<th scope="col" class="num">Progress</th>`}
                  <th scope="col" class="num">Attempts</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                ${jobs.map(
                  (j) => html`<tr key=${j.id} class=${selectedIds.has(j.id) ? 'selected' : ''}>
                    ${!isReadOnly && html`<td class="check"><input type="checkbox" aria-label=${`Select job ${j.id}`} checked=${selectedIds.has(j.id)}
                      onChange=${(e: Event) => toggle(j.id, (e.currentTarget as HTMLInputElement).checked)} /></td>`}
                    <td class="id"><a href=${href.job(j.id)}>${j.id}</a></td>
                    <td class="args"><code>${formatJsonShort(j.args, 60)}</code></td>
                    <td><${RelTime} at=${j.enqueuedAt} /></td>
                    <td><${RelTime} at=${j.startedAt} /></td>
                    <td><${RelTime} at=${j.finishedAt} /></td>
                    ${state === 'active' && html`<td class="num">${formatProgress(j.progress)}</td>`}
                    <td class="num">${formatCount(j.attempts)}</td>
                    <td class="error-head" title=${j.error?.message}>${j.error ? firstLine(j.error.message) : ''}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`}
          ${jobs.length === 0 &&
          html`<p class="empty">
            ${cursor
              ? `No ${state} job matching “${search ?? ''}” in the jobs searched so far.`
              : search ? `No ${state} job of ${name} matches “${search}”.` : `No ${state} jobs of ${name}.`}
          </p>`}
          <div class="list-foot">
            <span class="muted">
              ${jobs.length > 0 && `Showing ${plural(jobs.length, 'job')}${count !== undefined && !search ? ` of ${formatCount(count)}` : ''}${search ? ` matching “${search}”` : ''}.`}
              ${pagedFurther && ' Live refresh of this list is paused while you look further.'}
            </span>
            ${pagedFurther &&
            html`<button type="button" class="btn btn-quiet" onClick=${() => { setMore(null); void first.refresh(); }}>Show newest</button>`}
            ${cursor &&
            html`<button type="button" class="btn" disabled=${loadingMore} onClick=${loadMore}>${search ? 'Search further' : 'Load more'}</button>`}
          </div>
        `}
    </section>
  `;
}
