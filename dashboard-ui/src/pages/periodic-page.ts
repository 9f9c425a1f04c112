import { useId } from 'preact/hooks';
import type { PeriodicInfo, TickRecord } from '../../../lib/core/inspector-types.js';
import { useActions } from '../actions.js';
import { api } from '../api.js';
import { ActionMessages } from '../components/action-messages.js';
import { LoadFailed } from '../components/not-found.js';
import { RelTime } from '../components/rel-time.js';
import { PausedBadge, StateBadge } from '../components/state-badge.js';
import { readOnly } from '../config.js';
import { formatClock, formatCount } from '../format.js';
import { html } from '../html.js';
import { usePoll } from '../poll.js';
import { href } from '../router.js';
import { useStore } from '../store.js';
import { useTitle } from '../title.js';

const REASONS: Record<NonNullable<TickRecord['reason']>, string> = {
  overlap: 'the previous job was still queued or running',
  unique: 'a job fired within its unique window',
  paused: 'the entry was paused',
};

function Outcome({ tick }: { tick: TickRecord }) {
  if (tick.state === 'skipped') {
    return html`<${StateBadge} state="skipped" />${tick.reason && html` <span class="muted" title=${REASONS[tick.reason]}>${tick.reason}</span>`}`;
  }
  if (tick.state === 'missed') return html`<span title="the schedule had this tick, but no instance recorded it (none was running, or none reached Redis)"><${StateBadge} state="missed" /></span>`;
  return html`<${StateBadge} state=${tick.state} />`;
}

function Ticks({ entry }: { entry: PeriodicInfo }) {
  if (entry.recent.length === 0) return html`<p class="empty">No ticks yet.</p>`;
  return html`
    <div class="table-wrap ticks-wrap">
      <table class="table ticks-table">
        <caption class="sr-only">recent ticks of ${entry.name}</caption>
        <thead>
          <tr>
            <th scope="col">Tick</th>
            <th scope="col">Fired by</th>
            <th scope="col" class="num" title="claimed this long after the tick (negative: ahead of it, as instances claim ticks up to 200 ms early)">Claimed (ms)</th>
            <th scope="col">Outcome</th>
            <th scope="col">Job</th>
          </tr>
        </thead>
        <tbody>
          ${entry.recent.map(
            (t) => html`<tr key=${`${t.tick}|${t.jobId ?? ''}`}>
              <td><${RelTime} at=${t.tick} /> <span class="muted clock">${formatClock(t.tick)}</span></td>
              <td class="mono">${t.firedBy}</td>
              <td class=${(t.lateMs ?? 0) > 1000 ? 'num late' : 'num'}>${t.lateMs === undefined ? '—' : formatCount(t.lateMs)}</td>
              <td><${Outcome} tick=${t} /></td>
              <td class="id">${t.jobId ? (t.state === 'expired' ? html`<span class="muted">${t.jobId}</span>` : html`<a href=${href.job(t.jobId)}>${t.jobId}</a>`) : ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  `;
}

function Entry({ entry, isReadOnly, refresh }: { entry: PeriodicInfo; isReadOnly: boolean; refresh: () => Promise<void> }) {
  const actions = useActions(refresh);
  const headingId = useId();
  const runNow = () =>
    actions.run(async () => {
      const { jobId } = await api.runPeriodic(entry.name);
      return html`Started job <a href=${href.job(jobId)}>${jobId}</a>.`;
    });
  const pauseOrResume = (action: 'pause' | 'resume') =>
    actions.run(async () => {
      await api.periodicAction(entry.name, action);
      return action === 'pause' ? `Paused ${entry.name}: its ticks are skipped until it is resumed.` : `Resumed ${entry.name}.`;
    });
  return html`
    <section class="card entry" aria-labelledby=${headingId}>
      <div class="card-head">
        <h2 id=${headingId}>${entry.name} ${entry.paused && html`<${PausedBadge} />`}</h2>
        ${!isReadOnly &&
        html`<div class="buttons">
          <button type="button" class="btn" disabled=${actions.busy} onClick=${runNow}>Run now</button>
          ${entry.paused
            ? html`<button type="button" class="btn" disabled=${actions.busy} onClick=${() => pauseOrResume('resume')}>Resume</button>`
            : html`<button type="button" class="btn" disabled=${actions.busy} onClick=${() => pauseOrResume('pause')}>Pause</button>`}
        </div>`}
      </div>
      <dl class="fields fields-inline">
        <div><dt>Spec</dt><dd><code>${entry.spec}</code></dd></div>
        <div><dt>Time zone</dt><dd>${entry.timeZone ?? html`<span class="muted">—</span>`}</dd></div>
        <div><dt>Next tick</dt><dd>${entry.paused ? html`<span class="muted">paused</span>` : html`<${RelTime} at=${entry.nextTick} />`}</dd></div>
        <div><dt>Last tick</dt><dd><${RelTime} at=${entry.recent[0]?.tick} /></dd></div>
      </dl>
      <${ActionMessages} actions=${actions} />
      <h3 class="sub">Recent ticks <span class="muted">(newest first)</span></h3>
      <${Ticks} entry=${entry} />
    </section>
  `;
}

/** The periodic entries: spec, time zone, next tick, paused flag, recent ticks; Run now, Pause, Resume. */
export function PeriodicPage() {
  useTitle(['Periodic']);
  const isReadOnly = useStore(readOnly);
  const periodic = usePoll('periodic', (signal) => api.periodic(signal));
  if (periodic.error && !periodic.data) return html`<${LoadFailed} title="Periodic" message=${periodic.error.message} />`;
  const entries = [...(periodic.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return html`
    <section class="page">
      <h1 tabindex="-1">Periodic</h1>
      ${!periodic.data
        ? html`<p class="muted">Loading…</p>`
        : entries.length === 0
          ? html`<p class="empty">No periodic entries: register one with a Scheduler and it shows up here.</p>`
          : entries.map((e) => html`<${Entry} key=${e.name} entry=${e} isReadOnly=${isReadOnly} refresh=${periodic.refresh} />`)}
    </section>
  `;
}
