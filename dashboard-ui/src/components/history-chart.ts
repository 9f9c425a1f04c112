import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { HistoryBucket } from '../../../lib/core/inspector-types.js';
import { formatCompact } from '../format.js';
import { html } from '../html.js';

const HEIGHT = 220;
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];

/** Follows the system's light/dark preference. */
function useDarkScheme(): boolean {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  const [dark, setDark] = useState(query.matches);
  useEffect(() => {
    const update = () => setDark(query.matches);
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);
  return dark;
}

function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || 'gray';
}

function options(width: number, unit: string): uPlot.Options {
  const text = cssColor('--muted');
  const grid = cssColor('--border');
  const ok = cssColor('--c-completed');
  const bad = cssColor('--c-dead');
  const axis: uPlot.Axis = {
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    font: '12px system-ui, sans-serif',
  };
  return {
    width,
    height: HEIGHT,
    cursor: { drag: { x: false, y: false, setScale: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? Math.ceil(max * 1.15) : 1] } },
    series: [
      {},
      { label: `Processed ${unit}`, stroke: ok, fill: `${ok}22`, width: 1.5, points: { show: false } },
      { label: `Failed ${unit}`, stroke: bad, fill: `${bad}22`, width: 1.5, points: { show: false } },
    ],
    axes: [axis, { ...axis, size: 48, incrs: COUNT_STEPS, values: (_u, splits) => splits.map(formatCompact) }],
  };
}

function chartData(buckets: readonly HistoryBucket[]): uPlot.AlignedData {
  return [buckets.map((b) => b.at / 1000), buckets.map((b) => b.processed), buckets.map((b) => b.failed)];
}

/**
 * Processed and failed attempts per bucket as a uPlot chart, as wide as its container, in the system's colours.
 * @param buckets - the history, oldest first
 * @param unit - what one bucket is (`per minute`, `per hour`), for the legend
 * @param label - the chart's accessible description
 */
export function HistoryChart({ buckets, unit, label }: { buckets: readonly HistoryBucket[]; unit: string; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const dark = useDarkScheme();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(options(Math.max(200, el.clientWidth), unit), chartData(buckets), el);
    chart.current = plot;
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
    // rebuilt when the colours or the legend change; data updates go through setData below
  }, [dark, unit]);

  useEffect(() => {
    chart.current?.setData(chartData(buckets));
  }, [buckets]);

  return html`<div class="chart" ref=${box} role="img" aria-label=${label}></div>`;
}
