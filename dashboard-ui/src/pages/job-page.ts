import type { JobInfo } from '../../../lib/core/types.js';
import type { JobAction } from '../../../lib/dashboard/api-types.js';
import { useActions } from '../actions.js';
import { api } from '../api.js';
import { ActionMessages } from '../components/action-messages.js';
import { Crumbs } from '../components/crumbs.js';
import { LoadFailed, NotFound } from '../components/not-found.js';
import { RelTime } from '../components/rel-time.js';
import { StateBadge } from '../components/state-badge.js';
import { readOnly } from '../config.js';
import { serverNow } from '../clock.js';
import { leaveFlash } from '../flash.js';
import { firstLine, formatClock, formatCount, formatDuration, formatJson } from '../format.js';
import { html } from '../html.js';
import { usePoll } from '../poll.js';
import { href, navigate } from '../router.js';
import { canCancel, canDelete, canRetry } from '../states.js';
import { useStore } from '../store.js';
import { useTitle } from '../title.js';

/** One step of a job's timeline. */
interface Step {
  label: string;
  at?: number;
  note?: string;
  /** The colour of its marker (a state). */
  tone: string;
  current?: boolean;
}

/** Enqueued → started → finished (or where the job is now), with the times between. */
function timeline(job: JobInfo): Step[] {
  const steps: Step[] = [{ label: 'Enqueued', at: job.enqueuedAt, tone: 'queued' }];
  const started = job.startedAt;
  if (started !== undefined) {
    const waited = job.attempts <= 1 ? ` after waiting ${formatDuration(Math.max(0, started - job.enqueuedAt))}` : '';
    steps.push({ label: `Started attempt ${job.attempts}`, at: started, note: waited.trim() || undefined, tone: 'active' });
  }
  const ran = (end: number) => (started === undefined ? undefined : `after running ${formatDuration(Math.max(0, end - started))}`);
  switch (job.state) {
    case 'scheduled':
      steps.push({ label: 'Scheduled', note: 'waiting for its run time', tone: 'scheduled', current: true });
      break;
    case 'queued':
      steps.push({ label: started === undefined ? 'Queued' : 'Queued again', note: 'waiting for a worker', tone: 'queued', current: true });
      break;
    case 'active':
      steps.push({ label: 'Running', note: ran(serverNow()), tone: 'active', current: true });
      break;
    case 'retrying':
      steps.push({
        label: `Attempt ${job.attempts} failed`,
        note: `${job.error ? `${firstLine(job.error.message, 100)}; ` : ''}waiting for its next attempt`,
        tone: 'retrying',
        current: true,
      });
      break;
    case 'completed':
      steps.push({ label: 'Completed', at: job.finishedAt, note: job.finishedAt === undefined ? undefined : ran(job.finishedAt), tone: 'completed' });
      break;
    case 'dead':
      steps.push({ label: 'Dead', at: job.finishedAt, note: job.error ? firstLine(job.error.message, 100) : undefined, tone: 'dead' });
      break;
    case 'cancelled':
      steps.push({ label: 'Cancelled', at: job.finishedAt, tone: 'cancelled' });
      break;
  }
  return steps;
}

function Progress({ value }: { value: unknown }) {
  if (value === undefined) return html`<span class="muted">—</span>`;
  if (typeof value === 'number' && value >= 0 && value <= 100) {
    return html`<span class="progress"><progress max="100" value=${value} aria-label="Progress"></progress> ${formatCount(value)}%</span>`;
  }
  return html`<code>${formatJson(value)}</code>`;
}

/** A time from the API that may arrive as a number or an ISO string (a `Date` sent as JSON). */
function toMs(value: unknown): number | undefined {
  const ms = typeof value === 'number' ? value : new Date(value as string).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** One job: its record, a timeline, and the actions its state allows. */
export function JobPage({ id }: { id: string }) {
  const isReadOnly = useStore(readOnly);
  const job = usePoll(`job:${id}`, (signal) => api.job(id, signal));
  const actions = useActions(() => job.refresh());
  const j = job.data;
  useTitle(job.error && (job.error.status === 404 || !j) ? null : j ? [id, j.name] : [id]);

  if (job.error?.status === 404) return html`<${NotFound} message=${`There is no job "${id}": it may have expired or been deleted.`} />`;
  if (job.error && !j) return html`<${LoadFailed} title=${`Job ${id}`} message=${job.error.message} />`;

  const act = (action: JobAction) =>
    void actions.run(async () => {
      const { done } = await api.jobAction(id, action);
      if (action === 'remove') {
        if (!done) throw new Error('The job was not deleted: it is running. Cancel it first.');
        leaveFlash(`Deleted job ${id}.`);
        if (j) navigate(href.jobs(j.name, j.state), { replace: true });
        else navigate(href.overview(), { replace: true });
        return undefined;
      }
      if (action === 'retry') return done ? 'Queued for another attempt.' : 'Nothing to retry: the job is queued, running or completed.';
      return done ? 'Cancelled.' : 'Nothing to cancel: the job has finished.';
    }, action !== 'remove');

  return html`
    <section class="page">
      <div class="page-head">
        <div>
          <${Crumbs} trail=${[['Overview', href.overview()], j ? [`${j.name} · ${j.state}`, href.jobs(j.name, j.state)] : ['…', undefined]]} here="job" />
          <h1 tabindex="-1">Job <span class="mono">${id}</span></h1>
          ${j && html`<p class="subtitle"><${StateBadge} state=${j.state} /> ${j.name}</p>`}
        </div>
        ${j && !isReadOnly &&
        html`<div class="buttons">
          ${canRetry(j.state) && html`<button type="button" class="btn" disabled=${actions.busy} onClick=${() => act('retry')}>Retry</button>`}
          ${canCancel(j.state) && html`<button type="button" class="btn" disabled=${actions.busy} onClick=${() => act('cancel')}>Cancel</button>`}
          ${canDelete(j.state) && html`<button type="button" class="btn btn-danger" disabled=${actions.busy} onClick=${() => act('remove')}>Delete</button>`}
        </div>`}
      </div>

      <${ActionMessages} actions=${actions} />

      ${!j
        ? html`<p class="muted">Loading…</p>`
        : html`
          <div class="job-grid">
            <section class="card" aria-labelledby="details-title">
              <h2 id="details-title">Details</h2>
              <dl class="fields">
                <dt>Name</dt><dd><a href=${href.jobs(j.name, j.state)}>${j.name}</a></dd>
                <dt>State</dt><dd><${StateBadge} state=${j.state} /></dd>
                <dt>Attempts</dt><dd>${formatCount(j.attempts)}</dd>
                <dt>Progress</dt><dd><${Progress} value=${j.progress} /></dd>
                <dt>Enqueued</dt><dd><${RelTime} at=${j.enqueuedAt} /></dd>
                <dt>Started</dt><dd><${RelTime} at=${j.startedAt} /></dd>
                <dt>Finished</dt><dd><${RelTime} at=${j.finishedAt} /></dd>
                ${j.tick &&
                html`<dt>Tick</dt>
                  <dd>
                    <a href=${href.periodic()}>${j.tick.entry}</a>, <${RelTime} at=${toMs(j.tick.at)} />,
                    fired by <span class="mono">${j.tick.firedBy}</span>
                  </dd>`}
              </dl>
            </section>
            <section class="card" aria-labelledby="timeline-title">
              <h2 id="timeline-title">Timeline</h2>
              <ol class="timeline">
                ${timeline(j).map(
                  (s) => html`<li class=${s.current ? 'current' : ''} aria-current=${s.current ? 'step' : undefined}>
                    <span class="marker s-${s.tone}" aria-hidden="true"></span>
                    <span class="step-label">${s.label}</span>
                    ${s.at !== undefined && html` <${RelTime} at=${s.at} /> <span class="muted clock">${formatClock(s.at)}</span>`}
                    ${s.note && html`<div class="step-note muted">${s.note}</div>`}
                  </li>`,
                )}
              </ol>
            </section>
          </div>
          ${j.error &&
          html`<section class="card" aria-labelledby="error-title">
            <h2 id="error-title">${j.state === 'completed' ? 'Earlier error' : 'Error'}</h2>
            <p class="error-message"><strong>${j.error.name}</strong>: ${j.error.message}</p>
            <p class="muted">Attempt ${j.error.attempt}</p>
            ${j.error.stack && html`<pre class="code">${j.error.stack}</pre>`}
          </section>`}
          ${j.result !== undefined &&
          html`<section class="card" aria-labelledby="result-title">
            <h2 id="result-title">Result</h2>
            <pre class="code">${formatJson(j.result)}</pre>
          </section>`}
          <section class="card" aria-labelledby="args-title">
            <h2 id="args-title">Args</h2>
            <pre class="code">${formatJson(j.args)}</pre>
          </section>
        `}
    </section>
  `;
}
