import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { OmbudsmanOutcome } from '#shared/domain/case.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { NOT_CATEGORISED, type Ratio } from '#shared/domain/reporting/figures.ts';
import { toLondon } from '#shared/time/london.ts';
import {
  type AnnualReportView,
  approveAnnualReport,
  requireManager,
  saveAnnualDraft,
  viewAnnualReport,
} from '#shared/usecases/annual-report.ts';
import { field, formBody, redirect } from '../../http.ts';
import { csrfToken } from '../../staff-auth.ts';
import { type StaffPageContext, staffPage } from '../../staff-route.ts';
import { barChart } from '../../ui/charts.ts';
import {
  errorSummary,
  type FieldError,
  hidden,
  radios,
  summaryList,
  table,
  textarea,
} from '../../ui/components.ts';
import { html, join, type SafeHtml, when } from '../../ui/html.ts';
import { civil, instantWords, multiline, OMBUDSMAN_OUTCOME_WORDS } from '../words.ts';
import { refusal } from './common.ts';

/** The annual complaints performance and service improvement report (Code 8.1-8.2): HTML to print, and CSV. */

const PATH = '/staff/reports/annual';

function yearOf(ctx: StaffPageContext, given: string | undefined): string {
  if (given) return given;
  const today = toLondon(ctx.now.toISOString()).date;
  const year = Number(today.slice(0, 4));
  return String(today.slice(5) >= '04-01' ? year : year - 1);
}

function pct(ratio: Ratio): string {
  return ratio.value === null
    ? 'no cases'
    : `${ratio.value.toFixed(1)}% (${ratio.numerator} of ${ratio.denominator})`;
}

function figuresSection(view: AnnualReportView): SafeHtml {
  const { figures, monthly } = view.content;
  const { tsm, counts } = figures;
  const outcomes = counts.byOutcome;
  return html`<h2 class="govuk-heading-l app-page-break" id="performance">Complaint handling performance</h2>
${table({
  caption: 'Tenant Satisfaction Measures (complaints)',
  head: ['Measure', 'Value', 'From'],
  rows: [
    [
      'CH01(1) stage 1 complaints per 1,000 homes',
      tsm.CH01_1.value?.toFixed(1) ?? '0',
      `${tsm.CH01_1.numerator} complaints, ${figures.homes} homes`,
    ],
    [
      'CH01(2) stage 2 complaints per 1,000 homes',
      tsm.CH01_2.value?.toFixed(1) ?? '0',
      `${tsm.CH01_2.numerator} complaints, ${figures.homes} homes`,
    ],
    ['CH02(1) stage 1 responses within the Code timescale', pct(tsm.CH02_1), 'strict: original due date'],
    ['CH02(1) with extensions', pct(tsm.CH02_1_withExtensions), 'extensions within the Code cap'],
    ['CH02(2) stage 2 responses within the Code timescale', pct(tsm.CH02_2), 'strict: original due date'],
    ['CH02(2) with extensions', pct(tsm.CH02_2_withExtensions), 'extensions within the Code cap'],
  ],
})}
${summaryList([
  { key: 'Service requests recorded', value: String(counts.serviceRequests) },
  { key: 'Complaints not accepted', value: String(counts.notAccepted) },
  { key: 'Withdrawn', value: String(counts.withdrawn) },
  { key: 'Stage 1 complaints escalated to stage 2', value: pct(figures.escalated) },
  { key: 'Stage 2 requests refused (out of time)', value: String(figures.escalationRefusals.total) },
  {
    key: 'Acknowledged within 5 working days (stage 1)',
    value: pct(figures.acknowledgedWithin5WorkingDays.stage1),
  },
  {
    key: 'Acknowledged within 5 working days (stage 2)',
    value: pct(figures.acknowledgedWithin5WorkingDays.stage2),
  },
  { key: 'Deadlines missed', value: String(figures.breaches.total) },
  {
    key: 'Remedies offered',
    value: `${figures.remedies.offered.responses} (compensation £${figures.remedies.offered.compensationPounds.toFixed(2)})`,
  },
  {
    key: 'Outstanding actions due in the year',
    value: `${figures.actions.dueInPeriod}: ${figures.actions.completedOnTime} on time, ${figures.actions.overdue} overdue`,
  },
  {
    key: 'Remedies carried out',
    value: `${figures.remedies.paid.payments} (compensation paid £${figures.remedies.paid.compensationPounds.toFixed(2)})`,
  },
  { key: 'Ombudsman referrals', value: String(figures.ombudsman.referrals) },
  { key: 'Satisfied with the handling, of residents asked', value: pct(figures.satisfaction.satisfied) },
  {
    key: 'Ombudsman outcomes',
    value:
      Object.entries(figures.ombudsman.outcomes)
        .filter(([, count]) => count > 0)
        .map(([outcome, count]) => `${OMBUDSMAN_OUTCOME_WORDS[outcome as OmbudsmanOutcome]}: ${count}`)
        .join('; ') || 'none recorded',
  },
])}
${table({
  caption: 'Stage 1 complaints received by category',
  head: ['Category', 'Complaints'],
  rows: Object.entries(counts.byCategory).map(([category, count]) => [
    category === NOT_CATEGORISED ? 'No category recorded' : category,
    String(count),
  ]),
  numericColumns: [1],
})}
${barChart({
  id: 'chart-received',
  title: 'Complaints received each month',
  summary: `Stage 1 and stage 2 complaints received each month of the year: ${counts.stage1Received} at stage 1 and ${counts.stage2Received} at stage 2 in all.`,
  categories: monthly.map((m) => m.month.slice(5)),
  categoryHeading: 'Month',
  series: [
    { label: 'Stage 1', values: monthly.map((m) => m.stage1) },
    { label: 'Stage 2', values: monthly.map((m) => m.stage2) },
  ],
})}
${barChart({
  id: 'chart-outcomes',
  title: 'Outcomes of responses',
  summary: `Responses by decision: at stage 1 ${outcomes.stage1.upheld} upheld, ${outcomes.stage1.partlyUpheld} partly upheld, ${outcomes.stage1.notUpheld} not upheld; at stage 2 ${outcomes.stage2.upheld}, ${outcomes.stage2.partlyUpheld} and ${outcomes.stage2.notUpheld}.`,
  categories: ['Upheld', 'Partly upheld', 'Not upheld'],
  categoryHeading: 'Decision',
  series: [
    {
      label: 'Stage 1',
      values: [outcomes.stage1.upheld, outcomes.stage1.partlyUpheld, outcomes.stage1.notUpheld],
    },
    {
      label: 'Stage 2',
      values: [outcomes.stage2.upheld, outcomes.stage2.partlyUpheld, outcomes.stage2.notUpheld],
    },
  ],
})}`;
}

function refusedSection(view: AnnualReportView): SafeHtml {
  const { refused } = view.content;
  return html`<h2 class="govuk-heading-l" id="refused">Complaints not accepted (Code 8.1(b))</h2>
${
  refused.length === 0
    ? html`<p class="govuk-body">No complaint was refused this year.</p>`
    : table({
        head: ['Reason', 'Complaints'],
        rows: refused.map((r) => [
          html`${r.description} <span class="govuk-hint">(${r.code})</span>`,
          String(r.count),
        ]),
        numericColumns: [1],
      })
}`;
}

function learningSection(view: AnnualReportView): SafeHtml {
  const { themes, rootCauses, withoutLearning, improvements } = view.content;
  return html`<h2 class="govuk-heading-l app-page-break" id="learning">Learning and service improvements (Code 8.1(d), 9.1)</h2>
${
  themes.length === 0
    ? html`<p class="govuk-body">No theme was recorded with a response this year.</p>`
    : barChart({
        id: 'chart-themes',
        title: 'Themes of complaints responded to',
        summary: `The themes recorded with responses this year, most frequent first: ${themes.map((t) => `${t.theme} ${t.total}`).join(', ')}.`,
        categories: themes.map((t) => t.theme),
        categoryHeading: 'Theme',
        series: [{ label: 'Responses', values: themes.map((t) => t.total) }],
      })
}
${when(rootCauses.length > 0, () => table({ caption: 'Root causes', head: ['Root cause', 'Responses'], rows: rootCauses.map((c) => [c.rootCause, String(c.total)]), numericColumns: [1] }))}
${when(withoutLearning > 0, () => html`<p class="govuk-body">${withoutLearning} responses were issued without a theme and root cause.</p>`)}
<p class="govuk-body app-no-print"><a class="govuk-link" href="/staff/themes?year=${view.content.year}">Themes and root causes over the year, with the cases behind each</a></p>
<h3 class="govuk-heading-m">Improvements made because of complaints</h3>
${
  improvements.length === 0
    ? html`<p class="govuk-body">None recorded in the improvements register.</p>`
    : table({
        head: ['What changed', 'Cases', 'Owner', 'Due', 'Done'],
        rows: improvements.map((i) => [
          multiline(i.whatChanged),
          i.caseReferences.join(', ') || 'None linked',
          i.owner,
          civil(i.dueDate),
          i.doneDate ? civil(i.doneDate) : 'Not yet',
        ]),
      })
}`;
}

function selfAssessmentSection(
  view: AnnualReportView,
  editable: boolean,
  errors: readonly FieldError[],
  csrf: string,
): SafeHtml {
  const rows = view.content.selfAssessment;
  if (!editable) {
    return html`<h2 class="govuk-heading-l app-page-break" id="self-assessment">Self-assessment against the Complaint Handling Code</h2>
${table({
  head: ['Provision', 'Requirement', 'Complies', 'Evidence', 'Commentary'],
  rows: rows.map((row) => [
    row.id,
    row.requirement,
    row.complies === 'yes' ? 'Yes' : row.complies === 'no' ? 'No' : 'Not assessed',
    html`${row.dataEvidence ? html`<p class="govuk-body-s">${row.dataEvidence}</p>` : html``}${multiline(row.evidence)}`,
    multiline(row.commentary),
  ]),
})}
<h2 class="govuk-heading-l" id="response">The governing body's response (Code 8.2)</h2>
<div class="govuk-inset-text">${view.content.governingBodyResponse ? multiline(view.content.governingBodyResponse) : 'Not yet given.'}</div>`;
  }
  const err = (name: string) => errors.find((error) => error.field === name)?.message;
  return html`<h2 class="govuk-heading-l app-page-break" id="self-assessment">Self-assessment against the Complaint Handling Code</h2>
<p class="govuk-body">One row per provision. Where the cases can show it, the evidence from the data is given; add your own evidence and commentary, and say whether the provision is complied with.</p>
<form method="post" action="${PATH}" id="self-assessment-form" novalidate>
  ${hidden('csrf', csrf)}
  ${hidden('year', view.content.year)}
  ${hidden('version', String(view.draft?.version ?? 0))}
  ${hidden('intent', 'save')}
  ${join(
    rows.map(
      (
        row,
        index,
      ) => html`<fieldset class="govuk-fieldset govuk-!-margin-bottom-6 app-keep-together" data-testid="provision">
  <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">${row.id}: ${row.requirement}</legend>
  ${row.dataEvidence ? html`<p class="govuk-body-s" data-testid="data-evidence"><strong>From the data:</strong> ${row.dataEvidence}</p>` : html``}
  ${radios({
    name: `sa${index}-complies`,
    legend: `Does ${row.id} comply?`,
    legendSize: 's',
    inline: true,
    error: err(`sa${index}-complies`),
    value: row.complies,
    items: [
      { value: 'yes', text: 'Yes' },
      { value: 'no', text: 'No' },
    ],
  })}
  ${textarea({ name: `sa${index}-evidence`, label: `Evidence for ${row.id}`, value: row.evidence, rows: 2, error: err(`sa${index}-evidence`) })}
  ${textarea({ name: `sa${index}-commentary`, label: `Commentary for ${row.id}`, value: row.commentary, rows: 2, error: err(`sa${index}-commentary`) })}
</fieldset>`,
    ),
  )}
  <h2 class="govuk-heading-l" id="response">The governing body's response (Code 8.2)</h2>
  ${textarea({ name: 'governingBodyResponse', label: "The governing body's response", value: view.content.governingBodyResponse, rows: 6, error: err('governingBodyResponse') })}
  <button type="submit" class="govuk-button" data-module="govuk-button">Save the self-assessment and response</button>
</form>`;
}

function statusSection(view: AnnualReportView, csrf: string): SafeHtml {
  const versions = view.approved;
  const versionList =
    versions.length === 0
      ? html`<p class="govuk-body">No version of this year's report has been approved yet.</p>`
      : table({
          caption: 'Approved versions (each stored once and never changed)',
          head: ['Version', 'Approved', 'By', 'SHA-256 of the content'],
          rows: versions.map((v) => [
            html`<a class="govuk-link" href="${PATH}?year=${view.content.year}&amp;version=${String(v.version)}">Version ${String(v.version)}</a>`,
            instantWords(v.approvedAt),
            v.approvedBy,
            html`<code>${v.contentHash}</code>`,
          ]),
        });
  if (view.showing) {
    return html`<div class="govuk-inset-text" data-testid="approved-version">Approved version ${view.showing.version}: approved ${instantWords(view.showing.approvedAt)} by ${view.showing.approvedBy}. SHA-256 <code>${view.showing.contentHash}</code>.</div>
<p class="govuk-body app-no-print"><a class="govuk-link" href="${PATH}?year=${view.content.year}">See the current draft</a></p>`;
  }
  return html`<div class="app-no-print">${versionList}
<form method="post" action="${PATH}" id="approve-form" novalidate>
  ${hidden('csrf', csrf)}
  ${hidden('year', view.content.year)}
  ${hidden('version', String(view.draft?.version ?? 0))}
  ${hidden('intent', 'approve')}
  <p class="govuk-body">Approving stores the report as it is now as version ${(versions.at(-1)?.version ?? 0) + 1}, with your name and the time; it cannot be changed after. A later change is approved as a new version.</p>
  <button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button">Approve this report</button>
</form>
<p class="govuk-body"><a class="govuk-link" href="${PATH}?year=${view.content.year}&amp;format=csv" download>Download the figures and self-assessment (CSV)</a></p></div>`;
}

function page(
  ctx: StaffPageContext,
  view: AnnualReportView,
  options: { errors?: FieldError[]; status?: number; done?: string } = {},
) {
  const errors = options.errors ?? [];
  const csrf = csrfToken(ctx);
  const editable = !view.showing;
  const body = html`${errorSummary(errors)}
${options.done ? html`<div class="govuk-panel govuk-panel--confirmation app-no-print" data-testid="done"><div class="govuk-panel__body">${options.done}</div></div>` : html``}
<span class="govuk-caption-l">${view.content.provider.name}</span>
<h1 class="govuk-heading-xl">Annual complaints performance and service improvement report ${view.label}</h1>
<p class="govuk-body">For the year ${civil(view.content.period.from)} to ${civil(view.content.period.to)}. Every figure comes from the case records; definitions are in the reporting guide.</p>
${statusSection(view, csrf)}
<h2 class="govuk-heading-m">Contents</h2>
<ul class="govuk-list">
  <li><a class="govuk-link" href="#performance">Complaint handling performance</a></li>
  <li><a class="govuk-link" href="#refused">Complaints not accepted</a></li>
  <li><a class="govuk-link" href="#learning">Learning and service improvements</a></li>
  <li><a class="govuk-link" href="#self-assessment">Self-assessment</a></li>
  <li><a class="govuk-link" href="#response">The governing body's response</a></li>
</ul>
${figuresSection(view)}
${refusedSection(view)}
${learningSection(view)}
${selfAssessmentSection(view, editable, errors, csrf)}`;
  return ctx.render(`Annual complaints report ${view.label}`, body, {
    status: options.status,
    hasErrors: errors.length > 0,
  });
}

/** A CSV cell: quoted, quotes doubled, and a leading =, +, - or @ defused so a spreadsheet never runs it. */
function csvCell(value: string | number): string {
  const text = String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

function csv(view: AnnualReportView): APIGatewayProxyStructuredResultV2 {
  const { figures, selfAssessment, refused, themes, improvements } = view.content;
  const rows: Array<Array<string | number>> = [['section', 'item', 'value', 'detail']];
  for (const [name, ratio] of Object.entries(figures.tsm)) {
    rows.push(['tsm', name, ratio.value ?? '', `${ratio.numerator}/${ratio.denominator}`]);
  }
  for (const [name, count] of Object.entries(figures.counts)) {
    if (typeof count === 'number') rows.push(['counts', name, count, '']);
  }
  for (const [category, count] of Object.entries(figures.counts.byCategory))
    rows.push(['category', category, count, '']);
  const paid = figures.remedies.paid;
  rows.push([
    'remedies-paid',
    'payments',
    paid.payments,
    `£${paid.compensationPounds.toFixed(2)} compensation`,
  ]);
  for (const [outcome, count] of Object.entries(figures.ombudsman.outcomes))
    rows.push(['ombudsman-outcome', outcome, count, '']);
  for (const [answer, count] of Object.entries(figures.satisfaction.byAnswer))
    rows.push(['satisfaction', answer, count, '']);
  for (const r of refused) rows.push(['refused', r.code, r.count, r.description]);
  for (const [reason, count] of Object.entries(figures.escalationRefusals.byReason))
    rows.push(['stage2-refused', reason, count, '']);
  for (const t of themes) rows.push(['themes', t.theme, t.total, '']);
  for (const i of improvements)
    rows.push(['improvements', i.whatChanged, i.doneDate ?? '', i.caseReferences.join(' ')]);
  for (const row of selfAssessment) {
    rows.push([
      'self-assessment',
      row.id,
      row.complies ?? '',
      [row.dataEvidence, row.evidence, row.commentary].filter(Boolean).join(' | '),
    ]);
  }
  rows.push(['governing-body-response', '', view.content.governingBodyResponse, '']);
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="annual-report-${view.label}${view.showing ? `-v${view.showing.version}` : '-draft'}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: `${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`,
  };
}

const DONE: Record<string, string> = {
  saved: 'The self-assessment and response are saved.',
  approved: 'The report is approved and stored as a new version.',
};

/** GET /staff/reports/annual?year=YYYY[&version=N][&format=csv]: managers and admins only. */
export const annualReportPage = staffPage(async (ctx) => {
  requireManager(ctx.staff);
  const query = ctx.event.queryStringParameters ?? {};
  const version = query.version;
  if (version !== undefined && !/^\d{1,6}$/.test(version)) {
    throw new ValidationError('The version must be a whole number, such as 1');
  }
  const view = await viewAnnualReport(
    ctx.deps,
    ctx.staff,
    yearOf(ctx, query.year),
    version ? Number(version) : undefined,
  );
  if (query.format === 'csv') return csv(view);
  if (query.format !== undefined && query.format !== 'html') {
    throw new ValidationError('The format must be html or csv');
  }
  return page(ctx, view, { done: query.done ? DONE[query.done] : undefined });
});

/** The self-assessment form's fields as the use case's input, with the form's own checks. */
function draftInput(body: Record<string, string | string[]>, view: AnnualReportView, errors: FieldError[]) {
  const answers: Record<string, { complies: 'yes' | 'no'; evidence: string; commentary: string }> = {};
  view.content.selfAssessment.forEach((row, index) => {
    const complies = field(body, `sa${index}-complies`);
    const evidence = field(body, `sa${index}-evidence`);
    const commentary = field(body, `sa${index}-commentary`);
    for (const [name, text] of [
      [`sa${index}-evidence`, evidence],
      [`sa${index}-commentary`, commentary],
    ] as const) {
      if (text.length > 5000)
        errors.push({ field: name, message: `${row.id}: must be 5,000 characters or fewer` });
    }
    if (complies === 'yes' || complies === 'no') answers[row.id] = { complies, evidence, commentary };
    else if (complies) errors.push({ field: `sa${index}-complies`, message: `${row.id}: choose yes or no` });
    else if (evidence || commentary) {
      errors.push({
        field: `sa${index}-complies`,
        message: `${row.id}: say whether it complies, as well as the evidence`,
      });
    }
  });
  const governingBodyResponse = field(body, 'governingBodyResponse');
  if (governingBodyResponse.length > 20_000) {
    errors.push({
      field: 'governingBodyResponse',
      message: "The governing body's response must be 20,000 characters or fewer",
    });
  }
  return { version: Number(field(body, 'version')) || 0, answers, governingBodyResponse };
}

/** POST /staff/reports/annual: save the self-assessment and response (intent=save) or approve (intent=approve). */
export const annualReportAction = staffPage(async (ctx) => {
  requireManager(ctx.staff);
  const body = formBody(ctx.event);
  const year = field(body, 'year');
  const intent = field(body, 'intent');
  const view = await viewAnnualReport(ctx.deps, ctx.staff, year);
  const again = (errors: FieldError[], status: number) => page(ctx, view, { errors, status });
  try {
    if (intent === 'approve') {
      await approveAnnualReport(ctx.deps, ctx.staff, year, Number(field(body, 'version')) || 0);
      return redirect(`${PATH}?year=${encodeURIComponent(year)}&done=approved`);
    }
    if (intent !== 'save')
      return again([{ field: 'self-assessment-form', message: 'Choose to save or approve the report' }], 422);
    const errors: FieldError[] = [];
    const input = draftInput(body, view, errors);
    if (errors.length > 0) {
      // Shown again as typed.
      const typed = {
        ...view,
        content: {
          ...view.content,
          governingBodyResponse: input.governingBodyResponse,
          selfAssessment: view.content.selfAssessment.map((row, index) => ({
            ...row,
            complies: (['yes', 'no'] as const).find((c) => c === field(body, `sa${index}-complies`)),
            evidence: field(body, `sa${index}-evidence`),
            commentary: field(body, `sa${index}-commentary`),
          })),
        },
      };
      return page(ctx, typed, { errors, status: 422 });
    }
    await saveAnnualDraft(ctx.deps, ctx.staff, year, input);
    return redirect(`${PATH}?year=${encodeURIComponent(year)}&done=saved`);
  } catch (error) {
    const found = refusal(error);
    if (!found || found.code === 'FORBIDDEN' || found.code === 'NOT_FOUND') throw error;
    return again(
      [{ field: intent === 'approve' ? 'approve-form' : 'self-assessment-form', message: found.message }],
      found.status,
    );
  }
});
