import { useState } from 'preact/hooks';
import type { HistoryRange, NameInfo, RecentCounts, ServerInfo } from '../../../lib/core/inspector-types.js';
import { api } from '../api.js';
import { LoadFailed } from '../components/not-found.js';
import { HistoryChart } from '../components/history-chart.js';
import { PausedBadge } from '../components/state-badge.js';
import { formatBytes, formatCount, formatDuration } from '../format.js';
import { html } from '../html.js';
import { usePoll } from '../poll.js';
import { href } from '../router.js';
import { JOB_STATES } from '../states.js';
import { useTitle } from '../title.js';

const RANGES: readonly { range: HistoryRange; label: string; unit: string; pollMs: number }[] = [
  { range: '1h', label: 'the last hour', unit: 'per minute', pollMs: 2000 },
  { range: '24h', label: 'the last 24 hours', unit: 'per minute', pollMs: 10_000 },
  { range: '7d', label: 'the last 7 days', unit: 'per hour', pollMs: 60_000 },
  { range: '30d', label: 'the last 30 days', unit: 'per hour', pollMs: 60_000 },
];

/** `12 · 340 · 8,100`: last minute, hour and day. */
function Rates({ counts, kind }: { counts: RecentCounts; kind: string }) {
  return html`<span class="rates">
    <span title=${`${kind} in the last minute`}>${formatCount(counts.lastMinute)}</span><span class="sep" aria-hidden="true">·</span>
    <span title=${`${kind} in the last hour`}>${formatCount(counts.lastHour)}</span><span class="sep" aria-hidden="true">·</span>
    <span title=${`${kind} in the last 24 hours`}>${formatCount(counts.lastDay)}</span>
  </span>`;
}

function NamesTable({ names }: { names: NameInfo[] }) {
  if (names.length === 0) return html`<p class="empty">No jobs yet: enqueue one and it shows up here.</p>`;
  const sorted = [...names].sort((a, b) => a.name.localeCompare(b.name));
  return html`
    <div class="table-wrap">
      <table class="table names-table">
        <caption class="sr-only">job names</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            ${JOB_STATES.map((s) => html`<th scope="col" class="num state-head"><span class="dot s-${s}" aria-hidden="true"></span>${s}</th>`)}
            <th scope="col" class="num">Oldest queued</th>
            <th scope="col" class="num" title="last minute · last hour · last 24 hours">Processed <span class="muted sub-head">1m · 1h · 24h</span></th>
            <th scope="col" class="num" title="last minute · last hour · last 24 hours">Failed <span class="muted sub-head">1m · 1h · 24h</span></th>
          </tr>
        </thead>
        <tbody>
          ${sorted.map(
            (n) => html`<tr key=${n.name}>
              <th scope="row" class="name-cell">
                <a href=${href.jobs(n.name, n.counts.dead > 0 ? 'dead' : 'queued')}>${n.name}</a>
                ${n.paused && html` <${PausedBadge} />`}
              </th>
              ${JOB_STATES.map(
                (s) => html`<td class="num">
                  <a class=${n.counts[s] === 0 ? 'count zero' : `count c-${s}`} href=${href.jobs(n.name, s)}
                    title=${`${s} jobs of ${n.name}`}>${formatCount(n.counts[s])}</a>
                </td>`,
              )}
              <td class="num">${n.oldestQueuedAgeMs === undefined ? html`<span class="muted">—</span>` : formatDuration(n.oldestQueuedAgeMs)}</td>
              <td class="num"><${Rates} counts=${n.processed} kind="processed" /></td>
              <td class=${n.failed.lastHour > 0 ? 'num failing' : 'num'}><${Rates} counts=${n.failed} kind="failed" /></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  `;
}

function Memory({ redis }: { redis: ServerInfo }) {
  const max = redis.maxMemoryBytes;
  const share = max ? Math.min(1, redis.usedMemoryBytes / max) : undefined;
  return html`
    <div class="stat">
      <div class="stat-label">Redis memory</div>
      <div class="stat-value">${formatBytes(redis.usedMemoryBytes)} <span class="muted">/ ${max ? formatBytes(max) : 'no limit'}</span></div>
      ${share !== undefined &&
      html`<meter class="meter" min="0" max="1" low="0.7" high="0.9" optimum="0" value=${share}
        aria-label="Redis memory used">${Math.round(share * 100)}%</meter>`}
      <div class="stat-note muted">Redis ${redis.version}</div>
    </div>
  `;
}

function Throughput() {
  const [range, setRange] = useState<HistoryRange>('1h');
  const chosen = RANGES.find((r) => r.range === range) ?? RANGES[0]!;
  const history = usePoll(`history:${range}`, (signal) => api.history(range, signal), { intervalMs: chosen.pollMs });
  const buckets = history.data ?? [];
  const processed = buckets.reduce((sum, b) => sum + b.processed, 0);
  const failed = buckets.reduce((sum, b) => sum + b.failed, 0);
  return html`
    <section class="card" aria-labelledby="throughput-title">
      <div class="card-head">
        <h2 id="throughput-title">Throughput</h2>
        <div class="segmented" role="group" aria-label="Time range">
          ${RANGES.map(
            (r) => html`<button type="button" class="seg" aria-pressed=${r.range === range ? 'true' : 'false'}
              onClick=${() => setRange(r.range)}>${r.range}</button>`,
          )}
        </div>
      </div>
      <p class="muted chart-summary">
        ${history.data
          ? html`<span class="c-completed">${formatCount(processed)} processed</span>, <span class="c-dead">${formatCount(failed)} failed</span> in ${chosen.label} (${chosen.unit})`
          : history.error ? history.error.message : 'Loading…'}
      </p>
      <div class="chart-box">
        ${history.data &&
        html`<${HistoryChart} buckets=${buckets} unit=${chosen.unit}
          label=${`Processed and failed attempts ${chosen.unit} over ${chosen.label}: ${processed} processed, ${failed} failed`} />`}
      </div>
    </section>
  `;
}

/** The overview: every job name with its counts and rates, throughput charts, workers and Redis memory. */
export function OverviewPage() {
  useTitle(['Overview']);
  const overview = usePoll('overview', (signal) => api.overview(signal));
  const data = overview.data;
  if (!data && overview.error) return html`<${LoadFailed} title="Overview" message=${overview.error.message} />`;
  const running = (data?.workers ?? []).reduce((n, w) => n + w.active.length, 0);
  const sum = (pick: (n: NameInfo) => number) => (data?.names ?? []).reduce((total, n) => total + pick(n), 0);
  return html`
    <section class="page">
      <h1 tabindex="-1">Overview</h1>
      ${!data
        ? html`<p class="muted">Loading…</p>`
        : html`
          <div class="stats">
            <div class="stat">
              <div class="stat-label">Workers alive</div>
              <div class="stat-value"><a href=${href.workers()}>${formatCount(data.workers.length)} ${data.workers.length === 1 ? 'worker' : 'workers'}</a></div>
              <div class="stat-note muted">${running === 1 ? '1 job' : `${formatCount(running)} jobs`} running now</div>
            </div>
            <div class="stat">
              <div class="stat-label">Processed, last hour</div>
              <div class="stat-value c-completed">${formatCount(sum((n) => n.processed.lastHour))}</div>
              <div class="stat-note muted">${formatCount(sum((n) => n.processed.lastMinute))} in the last minute</div>
            </div>
            <div class="stat">
              <div class="stat-label">Failed, last hour</div>
              <div class=${sum((n) => n.failed.lastHour) > 0 ? 'stat-value c-dead' : 'stat-value'}>${formatCount(sum((n) => n.failed.lastHour))}</div>
              <div class="stat-note muted">${formatCount(sum((n) => n.failed.lastMinute))} in the last minute</div>
            </div>
            <${Memory} redis=${data.redis} />
          </div>
          <section aria-labelledby="names-title">
            <h2 id="names-title">Job names</h2>
            <${NamesTable} names=${data.names} />
          </section>
        `}
      <${Throughput} />
    </section>
  `;
}
