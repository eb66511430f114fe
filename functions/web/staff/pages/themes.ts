import { ValidationError } from '#shared/domain/errors.ts';
import { toLondon } from '#shared/time/london.ts';
import { type ThemesView, themeCases, viewThemes } from '#shared/usecases/annual-report.ts';
import { type StaffPageContext, staffPage } from '../../staff-route.ts';
import { barChart } from '../../ui/charts.ts';
import { backLink, table } from '../../ui/components.ts';
import { html, type SafeHtml, when } from '../../ui/html.ts';
import { civil } from '../words.ts';
import { caseLink } from './common.ts';

/**
 * The themes report (Code 9.4: the lead reviews themes and trends): the themes and root causes recorded with each
 * response, by month or quarter of a financial year, each count linking to the cases behind it.
 */

const PATH = '/staff/themes';
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

type By = 'month' | 'quarter';
/** A column of the report: a month, or a quarter of the financial year (Q1 is April to June). */
interface Column {
  key: string;
  label: string;
  months: string[];
}

function monthLabel(month: string): string {
  return `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
}

function columnsOf(view: ThemesView, by: By, upTo: string): Column[] {
  const months = view.months.filter((month) => month <= upTo);
  if (by === 'month')
    return months.map((month) => ({ key: month, label: monthLabel(month), months: [month] }));
  const quarters: Column[] = [];
  months.forEach((month, index) => {
    const q = Math.floor(index / 3);
    const quarter = quarters[q] ?? { key: `Q${q + 1}`, label: `Q${q + 1}`, months: [] };
    quarter.months.push(month);
    quarters[q] = quarter;
  });
  return quarters.map((quarter) => ({
    ...quarter,
    label: `Q${quarter.key.slice(1)} (${monthLabel(quarter.months[0] as string)} to ${monthLabel(quarter.months.at(-1) as string)})`,
  }));
}

/** The financial year (its first calendar year) a London date is in. */
function currentYear(today: string): string {
  const year = Number(today.slice(0, 4));
  return String(today.slice(5) >= '04-01' ? year : year - 1);
}

function href(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
  return `${PATH}?${params.toString()}`;
}

/** One table of counts over time: a row per theme or root cause, each non-zero count a link to its cases. */
function overTimeTable(options: {
  caption: string;
  head: string;
  filter: 'theme' | 'rootCause';
  rows: ReadonlyArray<{ name: string; total: number; byMonth: Record<string, number> }>;
  columns: readonly Column[];
  base: Record<string, string>;
}): SafeHtml {
  const { columns } = options;
  const countLink = (name: string, count: number, column?: Column) =>
    count === 0
      ? '0'
      : html`<a class="govuk-link" href="${href({ ...options.base, [options.filter]: name, in: column?.key })}">${String(count)}<span class="govuk-visually-hidden"> ${name}${column ? `, ${column.label}` : ', whole year'}: see the cases</span></a>`;
  return table({
    caption: options.caption,
    head: [options.head, ...columns.map((column) => column.label), 'Total'],
    rows: options.rows.map((row) => [
      row.name,
      ...columns.map((column) =>
        countLink(
          row.name,
          column.months.reduce((sum, month) => sum + (row.byMonth[month] ?? 0), 0),
          column,
        ),
      ),
      countLink(row.name, row.total),
    ]),
    numericColumns: columns.map((_, index) => index + 1).concat(columns.length + 1),
  });
}

async function drillDown(
  ctx: StaffPageContext,
  view: ThemesView,
  columns: readonly Column[],
  base: Record<string, string>,
  query: Record<string, string | undefined>,
) {
  const column = query.in === undefined ? undefined : columns.find((c) => c.key === query.in);
  if (query.in !== undefined && !column) {
    throw new ValidationError(
      `"in" must be one of ${columns.map((c) => c.key).join(', ')} for the ${view.label} report by ${base.by}`,
    );
  }
  const filter = {
    ...(query.theme !== undefined ? { theme: query.theme } : {}),
    ...(query.rootCause !== undefined ? { rootCause: query.rootCause } : {}),
  };
  const cases = await themeCases(ctx.deps, ctx.staff, column?.months ?? view.months, filter);
  const what = [
    query.theme !== undefined ? `theme "${query.theme}"` : undefined,
    query.rootCause !== undefined ? `root cause "${query.rootCause}"` : undefined,
  ]
    .filter(Boolean)
    .join(' and ');
  const span = column ? column.label : `the whole of ${view.label}`;
  const title = `Responses with the ${what || 'no theme'}: ${span}`;
  return ctx.render(
    title,
    html`${backLink(href(base), 'Back to themes and root causes')}
<h1 class="govuk-heading-l">${title}</h1>
<p class="govuk-body" data-testid="case-count">${String(cases.length)} response${cases.length === 1 ? '' : 's'} issued in ${span}.</p>
${when(cases.length > 0, () =>
  table({
    head: ['Case', 'Stage', 'Response issued', 'Theme', 'Root cause'],
    rows: cases.map((c) => [
      caseLink(c.caseId, c.reference),
      `Stage ${c.stage}`,
      civil(c.respondedOn),
      c.theme ?? 'Not recorded',
      c.rootCause ?? 'Not recorded',
    ]),
  }),
)}`,
  );
}

/** GET /staff/themes?year=YYYY&by=month|quarter[&theme=|rootCause=][&in=YYYY-MM|Qn]: managers and admins. */
export const themesPage = staffPage(async (ctx) => {
  const query = ctx.event.queryStringParameters ?? {};
  const today = toLondon(ctx.now.toISOString()).date;
  const by = (query.by ?? 'month') as By;
  if (by !== 'month' && by !== 'quarter') {
    throw new ValidationError(`"by" must be month or quarter, got "${query.by}"`);
  }
  const view = await viewThemes(ctx.deps, ctx.staff, query.year ?? currentYear(today));
  const year = view.period.from.slice(0, 4);
  const columns = columnsOf(view, by, today.slice(0, 7));
  const base = { year, by };
  if (['theme', 'rootCause', 'in', 'none'].some((name) => query[name] !== undefined)) {
    return drillDown(ctx, view, columns, base, query);
  }
  const other: By = by === 'month' ? 'quarter' : 'month';
  const byTheme = columns.map((column) =>
    view.themes.reduce(
      (sum, theme) => sum + column.months.reduce((n, month) => n + (theme.byMonth[month] ?? 0), 0),
      0,
    ),
  );
  return ctx.render(
    `Themes and root causes ${view.label}`,
    html`<h1 class="govuk-heading-l">Themes and root causes ${view.label}</h1>
<p class="govuk-body">The theme and root cause recorded with each response issued from ${civil(view.period.from)} to ${civil(view.period.to)}, by the ${by} it was issued in. Select a count to see the cases behind it (Code 9.4).</p>
<p class="govuk-body"><a class="govuk-link" href="${href({ year, by: other })}">Show by ${other}</a> · <a class="govuk-link" href="${href({ year: String(Number(year) - 1), by })}">Previous year</a> · <a class="govuk-link" href="/staff/improvements">Improvements register</a></p>
${
  view.themes.length === 0
    ? html`<p class="govuk-body" data-testid="no-themes">No theme was recorded with a response in ${view.label}.</p>`
    : html`${barChart({
        id: 'chart-themes-over-time',
        title: `Responses with a theme, by ${by}`,
        summary: `Responses with a theme recorded, by ${by}: ${columns.map((c, i) => `${c.label} ${byTheme[i]}`).join(', ')}.`,
        categories: columns.map((c) => c.label),
        categoryHeading: by === 'month' ? 'Month' : 'Quarter',
        series: [{ label: 'Responses with a theme', values: byTheme }],
      })}
${overTimeTable({ caption: `Themes by ${by}`, head: 'Theme', filter: 'theme', rows: view.themes.map((t) => ({ name: t.theme, total: t.total, byMonth: t.byMonth })), columns, base })}
${overTimeTable({ caption: `Root causes by ${by}`, head: 'Root cause', filter: 'rootCause', rows: view.rootCauses.map((c) => ({ name: c.rootCause, total: c.total, byMonth: c.byMonth })), columns, base })}`
}
${when(view.withoutLearning > 0, () => html`<p class="govuk-body">${String(view.withoutLearning)} responses were issued without a theme and root cause: <a class="govuk-link" href="${href({ ...base, none: '1' })}">see them</a>.</p>`)}`,
  );
});
