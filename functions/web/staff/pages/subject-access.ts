import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ValidationError } from '#shared/domain/errors.ts';
import { requireManager } from '#shared/usecases/annual-report.ts';
import {
  findSubjectCases,
  type PreparedSubjectAccess,
  prepareSubjectAccess,
  type RedactionKind,
  type SubjectAccessExport,
  type SubjectAccessFormat,
  type SubjectRelation,
  subjectAccessData,
} from '#shared/usecases/subject-access.ts';
import { download, field, fieldList, formBody } from '../../http.ts';
import { csrfToken } from '../../staff-auth.ts';
import { type StaffPageContext, staffPage } from '../../staff-route.ts';
import {
  button,
  errorFor,
  errorSummary,
  type FieldError,
  hidden,
  summaryList,
  table,
  tag,
  textInput,
  warningText,
} from '../../ui/components.ts';
import { html, join, type SafeHtml } from '../../ui/html.ts';
import { timeline } from '../../ui/timeline.ts';
import { describeEvent, replacedValues } from '../case-view/timeline.ts';
import { actorWords, CHANNEL_WORDS, instantWords, multiline, STATUS_WORDS } from '../words.ts';
import { refusal } from './common.ts';
import { letterFile, lettersSection, sha256, utf8, zip, zipName } from './evidence-pack.ts';

/**
 * Subject access (UK GDPR Art. 15): a manager or admin finds a person by email, phone or whole name, confirms
 * which of the cases found are theirs, and exports everything held about them as a readable page, JSON or a
 * ZIP with the letters and files. Each export is recorded on every case it drew on; whatever holds other
 * people's data is flagged for redaction review, never left out or passed over silently.
 */

const FORMATS = ['html', 'json', 'zip'] as const;
const PATH = '/staff/subject-access';

const RELATION_WORDS: Record<SubjectRelation, string> = {
  complainant: 'The complainant',
  representative: 'The complainant’s representative',
  correspondent: 'Wrote to the case (someone else’s complaint): only their own emails are exported',
};

export const REDACTION_WORDS: Record<RedactionKind, string> = {
  'correspondence-from-others': 'From someone else',
  'staff-note': 'Staff note',
  'other-person-details': 'Another person’s details',
  'names-in-text': 'Names other people',
};

function isFormat(value: string): value is SubjectAccessFormat {
  return (FORMATS as readonly string[]).includes(value);
}

function findForm(query: string, errors: FieldError[] = []): SafeHtml {
  return html`<form method="get" action="${PATH}" novalidate class="govuk-!-margin-bottom-6" data-testid="subject-access-search">
  ${textInput({
    name: 'q',
    label: 'Who is asking?',
    hint: 'Their email address, phone number or whole name (first name and surname) exactly as on their complaint',
    error: errorFor(errors, 'q'),
    value: query,
    spellcheck: false,
  })}
  ${button('Find their cases', { secondary: true })}
</form>`;
}

const INTRO = html`<h1 class="govuk-heading-l">Subject access request</h1>
<p class="govuk-body">Everything held about a person across all their cases, for a request under UK GDPR Article 15 (answer within one month). Find them, check that each case listed is theirs, then export. Each export is recorded on every case it includes. Parts that hold other people's data are flagged for you to review and redact before sending.</p>`;

/** GET /staff/subject-access[?q=]: find the person's cases, then choose the export. Managers and admins. */
export const subjectAccessPage = staffPage(async (ctx) => {
  requireManager(ctx.staff, 'Subject access exports');
  const query = ctx.event.queryStringParameters?.q ?? '';
  if (!query.trim()) return ctx.render('Subject access request', html`${INTRO}${findForm('')}`);
  let found: Awaited<ReturnType<typeof findSubjectCases>>;
  try {
    found = await findSubjectCases(ctx.deps, query);
  } catch (error) {
    const problem = refusal(error);
    if (!problem) throw error;
    const errors = [{ field: 'q', message: problem.message }];
    return ctx.render(
      'Subject access request',
      html`${errorSummary(errors)}${INTRO}${findForm(query, errors)}`,
      { status: problem.status, hasErrors: true },
    );
  }
  const { matches, matchedOn } = found;
  const body =
    matches.length === 0
      ? html`<p class="govuk-body" data-testid="subject-access-empty">No case holds the ${matchedOn} “${query.trim()}”.</p>`
      : html`<form method="post" action="${PATH}" novalidate data-testid="subject-access-form">
  ${hidden('csrf', csrfToken(ctx))}${hidden('q', query.trim())}
  <div class="govuk-form-group">
    <fieldset class="govuk-fieldset">
      <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">${matches.length} case${matches.length === 1 ? '' : 's'} found by ${matchedOn}: untick any that are not this person's</legend>
      <div class="govuk-checkboxes" data-module="govuk-checkboxes">
      ${join(
        matches.map(
          ({ state, relation }, index) => html`<div class="govuk-checkboxes__item">
        <input class="govuk-checkboxes__input" id="caseId-${index}" name="caseId" type="checkbox" value="${state.caseId}" checked>
        <label class="govuk-label govuk-checkboxes__label" for="caseId-${index}">${state.reference}: ${state.complainant.name}, received ${instantWords(state.receivedAt)} (${STATUS_WORDS[state.status]})</label>
        <div class="govuk-hint govuk-checkboxes__hint">${RELATION_WORDS[relation]}</div>
      </div>`,
        ),
      )}
      </div>
    </fieldset>
  </div>
  <div class="govuk-button-group">
    ${button('Prepare the readable page', { name: 'format', value: 'html' })}
    ${button('Download as JSON', { name: 'format', value: 'json', secondary: true })}
    ${button('Download with letters and files (ZIP)', { name: 'format', value: 'zip', secondary: true })}
  </div>
</form>`;
  return ctx.render('Subject access request', html`${INTRO}${findForm(query)}${body}`);
});

/** The export as a JSON document (the ZIP carries the same). */
function exportJson(data: SubjectAccessExport): string {
  return JSON.stringify(subjectAccessData(data), null, 2);
}

function reviewTags(kinds: readonly RedactionKind[] | undefined): SafeHtml {
  if (!kinds?.length) return html``;
  return html`<p class="govuk-body" data-testid="redaction-flag">${join(
    kinds.map((kind) => html`${tag(`Review: ${REDACTION_WORDS[kind]}`, 'orange')} `),
  )}</p>`;
}

function exportDocument(
  ctx: StaffPageContext,
  { data, sources }: PreparedSubjectAccess,
): APIGatewayProxyStructuredResultV2 {
  const review =
    data.redactionReview.length === 0
      ? html`<p class="govuk-body">Nothing was flagged.</p>`
      : table({
          head: ['Case', 'Where', 'Why'],
          rows: data.redactionReview.map((flag) => [flag.reference, flag.where, flag.why]),
        });
  const cases = data.cases.map((held) => {
    const source = sources.get(held.caseId);
    const replaced = replacedValues(source?.events ?? []);
    const entries = held.events.flatMap(({ seq, review: kinds }) => {
      const event = source?.events[seq - 1];
      if (!event || !source) return [];
      const described = describeEvent(event, ctx.profile, source.state, replaced.get(seq - 1));
      return [
        {
          type: event.type,
          at: event.at,
          by: actorWords(event.by),
          title: described.title,
          body: html`${reviewTags(kinds)}${described.body}`,
        },
      ];
    });
    const person = held.complainant;
    return html`<section class="govuk-!-margin-bottom-9" data-testid="subject-access-case" data-case-id="${held.caseId}">
<h2 class="govuk-heading-l app-page-break">${held.reference}</h2>
${summaryList([
  { key: 'This person is', value: RELATION_WORDS[held.relation] },
  { key: 'Status', value: STATUS_WORDS[held.status] },
  {
    key: 'Received',
    value: `${instantWords(held.receivedAt)} by ${CHANNEL_WORDS[held.channel] ?? held.channel}`,
  },
  ...(person
    ? [
        { key: 'Name', value: person.name },
        { key: 'Email', value: person.email ?? 'None held' },
        { key: 'Phone', value: person.phone ?? 'None held' },
        { key: 'Address', value: person.address ? multiline(person.address) : 'None held' },
        { key: 'Preferred contact', value: person.preferredContact },
        { key: 'Reasonable adjustments', value: person.reasonableAdjustments ?? 'None recorded' },
        { key: 'Vulnerability', value: person.vulnerability ?? 'None recorded' },
        ...(person.representative
          ? [
              {
                key: 'Representative',
                value: `${person.representative.name} (${person.representative.relationship})`,
              },
            ]
          : []),
      ]
    : []),
])}
${
  held.complaint
    ? summaryList([
        { key: 'What happened', value: multiline(held.complaint.whatHappened) },
        { key: 'Outcome wanted', value: multiline(held.complaint.outcomeWanted) },
      ])
    : html``
}
<h3 class="govuk-heading-m">Everything recorded (${entries.length})</h3>
${timeline(entries, 'staff')}
${held.letters.length > 0 ? lettersSection(held) : html``}
<h3 class="govuk-heading-m">Files</h3>
${
  held.files.length === 0
    ? html`<p class="govuk-body">None.</p>`
    : table({
        head: ['File', 'From', 'Type', 'Review'],
        rows: held.files.map((file) => [
          html`<span dir="auto">${file.name}</span>`,
          file.from,
          file.contentType,
          file.review ? REDACTION_WORDS[file.review[0] as RedactionKind] : '',
        ]),
      })
}
</section>`;
  });
  const body = html`<span class="govuk-caption-l">Subject access request</span>
<h1 class="govuk-heading-l">Everything held about “${data.subject.query}”</h1>
<p class="govuk-body">Prepared ${instantWords(data.preparedAt)} by ${data.preparedBy}: ${data.cases.length} case${data.cases.length === 1 ? '' : 's'} found by ${data.subject.matchedOn}. Print this page, or save it as PDF, once reviewed.</p>
${warningText('Review and redact every flagged part before sending: it holds other people’s personal data.')}
<h2 class="govuk-heading-m" id="redaction-review">For redaction review (${data.redactionReview.length})</h2>
<div data-testid="redaction-review">${review}</div>
${join(cases)}`;
  return ctx.render(`Subject access: ${data.subject.query}`, body);
}

function exportZip({ data }: PreparedSubjectAccess): Promise<Uint8Array> {
  const entries: Record<string, Uint8Array> = {};
  const manifest = [
    `Subject access export for "${data.subject.query}", prepared ${data.preparedAt} by ${data.preparedBy}`,
    'export.json holds everything held, machine-readable. Letters are as rendered when sent; files as received.',
    'Files under for-review/ are other people’s: review them, and every flag listed below, before sending.',
    '',
  ];
  for (const held of data.cases) {
    held.letters.forEach((letter, index) => {
      const name = `${held.reference}/letters/${String(index + 1).padStart(2, '0')}-${letter.template}.txt`;
      entries[name] = letterFile(letter);
      manifest.push(`${name}  ${sha256(entries[name])}`);
    });
    held.files.forEach((file, index) => {
      if (!file.bytes) return;
      const folder = file.review ? 'for-review' : 'files';
      const name = `${held.reference}/${folder}/${String(index + 1).padStart(2, '0')}-${zipName(file.name)}`;
      entries[name] = file.bytes;
      manifest.push(`${name}  ${sha256(file.bytes)}`);
    });
    for (const missing of held.missingFiles)
      manifest.push(`MISSING from the store: ${held.reference} ${missing}`);
  }
  manifest.push('', `For redaction review (${data.redactionReview.length}):`);
  for (const flag of data.redactionReview) manifest.push(`${flag.reference}  ${flag.where}  ${flag.why}`);
  entries['export.json'] = utf8(exportJson(data));
  entries['MANIFEST.txt'] = utf8(`${manifest.join('\n')}\n`);
  return zip(entries);
}

/** A name for the download: the person's details never go in a file name (it shows in logs and histories). */
function fileName(data: SubjectAccessExport, extension: string): string {
  return `subject-access-${data.preparedAt.slice(0, 10)}.${extension}`;
}

/** POST /staff/subject-access (q, caseId..., format): the export, recorded on each case. Managers and admins. */
export const subjectAccessExport = staffPage(async (ctx) => {
  const form = formBody(ctx.event);
  const format = field(form, 'format');
  if (!isFormat(format)) {
    throw new ValidationError('Choose the export as a readable page (html), JSON (json) or a ZIP (zip)');
  }
  const prepared = await prepareSubjectAccess(
    ctx.deps,
    { query: field(form, 'q'), caseIds: fieldList(form, 'caseId'), format },
    ctx.staff,
  );
  if (format === 'html') return exportDocument(ctx, prepared);
  if (format === 'json') {
    return download(utf8(exportJson(prepared.data)), fileName(prepared.data, 'json'), 'application/json');
  }
  return download(await exportZip(prepared), fileName(prepared.data, 'zip'), 'application/zip');
});
