import { table } from './components.ts';
import { html, join, type SafeHtml } from './html.ts';

/**
 * Bar charts drawn on the server as SVG (no script), each with a text alternative and its data as a table, so
 * the figures are there for a screen reader and survive printing.
 */

const COLOURS = ['#1d70b8', '#f47738', '#00703c', '#4c2c92'];
const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 16, right: 8, bottom: 48, left: 40 };

export interface ChartSeries {
  label: string;
  values: readonly number[];
}

export function barChart(options: {
  id: string;
  title: string;
  /** One sentence saying what the chart shows (its text alternative). */
  summary: string;
  categories: readonly string[];
  /** The data table's first column heading: what the categories are (an empty header fails axe). */
  categoryHeading: string;
  series: readonly ChartSeries[];
}): SafeHtml {
  const { id, categories, series } = options;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const group = plotWidth / Math.max(1, categories.length);
  const bar = (group * 0.8) / Math.max(1, series.length);
  const y = (value: number) => MARGIN.top + plotHeight - (value / max) * plotHeight;
  const bars = categories.flatMap((category, c) =>
    series.map((s, i) => {
      const value = s.values[c] ?? 0;
      const x = MARGIN.left + c * group + group * 0.1 + i * bar;
      return html`<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${Math.max(1, bar - 1).toFixed(1)}" height="${(MARGIN.top + plotHeight - y(value)).toFixed(1)}" fill="${COLOURS[i % COLOURS.length]}"><title>${category}, ${s.label}: ${value}</title></rect>`;
    }),
  );
  const labels = categories.map(
    (category, c) =>
      html`<text x="${(MARGIN.left + c * group + group / 2).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 16}" font-size="11" text-anchor="middle" fill="#0b0c0c">${category}</text>`,
  );
  const legend = series.map(
    (s, i) =>
      html`<rect x="${MARGIN.left + i * 160}" y="${HEIGHT - 18}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"></rect><text x="${MARGIN.left + i * 160 + 16}" y="${HEIGHT - 8}" font-size="12" fill="#0b0c0c">${s.label}</text>`,
  );
  return html`<figure class="govuk-!-margin-0 govuk-!-margin-bottom-6" aria-labelledby="${id}-caption">
  <figcaption class="govuk-heading-s" id="${id}-caption">${options.title}</figcaption>
  <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" data-testid="chart">
    <title id="${id}-title">${options.title}</title>
    <desc id="${id}-desc">${options.summary}</desc>
    <line x1="${MARGIN.left}" y1="${MARGIN.top + plotHeight}" x2="${WIDTH - MARGIN.right}" y2="${MARGIN.top + plotHeight}" stroke="#0b0c0c"></line>
    <text x="${MARGIN.left - 6}" y="${MARGIN.top + 4}" font-size="11" text-anchor="end" fill="#0b0c0c">${max}</text>
    <text x="${MARGIN.left - 6}" y="${MARGIN.top + plotHeight}" font-size="11" text-anchor="end" fill="#0b0c0c">0</text>
    ${join(bars)}${join(labels)}${join(legend)}
  </svg>
</figure>
${table({
  caption: `${options.title}: the data`,
  head: [options.categoryHeading, ...series.map((s) => s.label)],
  rows: categories.map((category, c) => [category, ...series.map((s) => String(s.values[c] ?? 0))]),
})}`;
}
