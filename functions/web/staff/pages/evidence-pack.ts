import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { CaseEvent, CaseState } from '#shared/domain/case.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { type EvidencePack, type PackLetter, prepareEvidencePack } from '#shared/usecases/evidence-pack.ts';
import { positionOf } from '#shared/usecases/workflow.ts';
import { download, field, formBody } from '../../http.ts';
import { type StaffPageContext, staffPage } from '../../staff-route.ts';
import { summaryList, table } from '../../ui/components.ts';
import { html, join, type SafeHtml } from '../../ui/html.ts';
import { complaintDetails } from '../case-view/complaint.ts';
import { deadlinesSection } from '../case-view/deadlines.ts';
import { actionsSection, referralsSection } from '../case-view/outstanding.ts';
import { residentDetails } from '../case-view/resident.ts';
import { statusSection } from '../case-view/status.ts';
import { timelineSection } from '../case-view/timeline.ts';
import type { CaseView } from '../case-view/view.ts';
import {
  actorWords,
  DECISION_WORDS,
  instantWords,
  multiline,
  OMBUDSMAN_OUTCOME_WORDS,
  SATISFACTION_WORDS,
  TEMPLATE_WORDS,
} from '../words.ts';
import { caseHref, caseIdOf } from './common.ts';

/**
 * The Ombudsman evidence pack for one case: one printable document (the timeline, every letter sent, every
 * deadline and how it was worked out, extensions with reasons, remedies offered and carried out, outstanding
 * actions, the Ombudsman's outcome, satisfaction) and a ZIP of the letters and files. Preparing either is recorded on the case.
 */

const FORMATS = ['html', 'zip'] as const;
type Format = (typeof FORMATS)[number];

function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

function remediesSection(state: CaseState): SafeHtml {
  const rows = ([1, 2] as const).flatMap((stage) => {
    const record = stage === 1 ? state.stage1 : state.stage2;
    const letter = record.letter;
    if (!letter) return [];
    const remedy =
      letter.remedy === 'none'
        ? `None${letter.noRemedyReason ? `: ${letter.noRemedyReason}` : ''}`
        : letter.remedy.description;
    const pounds =
      letter.remedy !== 'none' && letter.remedy.compensationPounds !== undefined
        ? `£${letter.remedy.compensationPounds.toFixed(2)}`
        : 'None';
    return [[`Stage ${stage}`, DECISION_WORDS[letter.decision] ?? letter.decision, remedy, pounds]];
  });
  return html`<h2 class="govuk-heading-m" id="remedies">Decisions and remedies</h2>
${rows.length === 0 ? html`<p class="govuk-body">No response has been issued yet.</p>` : table({ head: ['Stage', 'Decision', 'Remedy', 'Compensation offered'], rows })}`;
}

/** The events of one type in the log, oldest first: the pack shows who recorded each and when. */
function eventsOf<Type extends CaseEvent['type']>(
  events: readonly CaseEvent[],
  type: Type,
): Extract<CaseEvent, { type: Type }>[] {
  return events.filter((event): event is Extract<CaseEvent, { type: Type }> => event.type === type);
}

/** Payments and other remedies carried out (Code 7.4): what the resident was given, not only offered. */
function paymentsSection(events: readonly CaseEvent[]): SafeHtml {
  const paid = eventsOf(events, 'remedy-paid');
  return html`<section data-testid="pack-payments"><h2 class="govuk-heading-m" id="payments">Payments and remedies carried out</h2>
${
  paid.length === 0
    ? html`<p class="govuk-body">None recorded.</p>`
    : table({
        head: ['When', 'What was paid or done', 'Compensation paid', 'Recorded by'],
        rows: paid.map((event) => [
          instantWords(event.at),
          multiline(event.description),
          event.compensationPounds === undefined ? 'None' : `£${event.compensationPounds.toFixed(2)}`,
          actorWords(event.by),
        ]),
      })
}</section>`;
}

/** The Ombudsman's outcomes recorded on the referrals (Code 8.1(c)), with their notes. */
function ombudsmanOutcomesSection(events: readonly CaseEvent[]): SafeHtml {
  const outcomes = eventsOf(events, 'ombudsman-outcome-recorded');
  return html`<section data-testid="pack-ombudsman-outcomes"><h2 class="govuk-heading-m" id="ombudsman-outcomes">The Ombudsman's outcome</h2>
${
  outcomes.length === 0
    ? html`<p class="govuk-body">None recorded.</p>`
    : table({
        head: ['Recorded', 'Outcome', 'Ombudsman reference', 'Notes', 'Recorded by'],
        rows: outcomes.map((event) => [
          instantWords(event.at),
          OMBUDSMAN_OUTCOME_WORDS[event.outcome] ?? event.outcome,
          event.reference ?? 'None given',
          event.notes ? multiline(event.notes) : 'None',
          actorWords(event.by),
        ]),
      })
}</section>`;
}

/** What the resident said of how their complaint was handled, and how and when they said it. */
function satisfactionSection(events: readonly CaseEvent[]): SafeHtml {
  const answers = eventsOf(events, 'satisfaction-recorded');
  return html`<section data-testid="pack-satisfaction"><h2 class="govuk-heading-m" id="satisfaction">Satisfaction with the handling</h2>
${
  answers.length === 0
    ? html`<p class="govuk-body">None recorded.</p>`
    : table({
        head: ['Recorded', 'Answer', 'How and when they said it', 'Recorded by'],
        rows: answers.map((event) => [
          instantWords(event.at),
          SATISFACTION_WORDS[event.answer] ?? event.answer,
          multiline(event.how),
          actorWords(event.by),
        ]),
      })
}</section>`;
}

export function lettersSection(pack: Pick<EvidencePack, 'letters'>): SafeHtml {
  return html`<h2 class="govuk-heading-m app-page-break" id="letters">Every letter sent (${pack.letters.length})</h2>
<p class="govuk-body">Each letter is shown as it was rendered from the case when it was sent. The resident's private link is not reproduced.</p>
${join(
  pack.letters.map(
    (
      letter,
      index,
    ) => html`<section class="govuk-!-margin-bottom-6 app-keep-together" data-testid="pack-letter">
  <h3 class="govuk-heading-s">${index + 1}. ${TEMPLATE_WORDS[letter.template] ?? letter.template}</h3>
  ${summaryList([
    { key: 'Sent', value: `${instantWords(letter.sentAt)} by ${letter.channel} to ${letter.recipient}` },
    { key: 'Subject', value: letter.subject },
  ])}
  <div class="govuk-inset-text">${multiline(letter.text)}</div>
</section>`,
  ),
)}`;
}

function filesSection(pack: EvidencePack): SafeHtml {
  return html`<h2 class="govuk-heading-m" id="files">Files on the case</h2>
${
  pack.files.length === 0
    ? html`<p class="govuk-body">None.</p>`
    : table({
        head: ['File', 'From', 'Type', 'SHA-256'],
        rows: pack.files.map((file) => [
          html`<span dir="auto">${file.name}</span>`,
          file.from,
          file.contentType,
          html`<code>${file.sha256}</code>`,
        ]),
      })
}`;
}

function packDocument(ctx: StaffPageContext, pack: EvidencePack): APIGatewayProxyStructuredResultV2 {
  const { state, events } = pack;
  const view: CaseView = {
    state,
    events,
    position: positionOf(ctx.deps, state),
    profile: ctx.profile,
    now: ctx.now,
    calendar: ctx.deps.context.clocks.calendar,
  };
  const body = html`<span class="govuk-caption-l">Ombudsman evidence pack</span>
<h1 class="govuk-heading-l">${state.reference}: ${state.complainant.name}</h1>
<p class="govuk-body">Prepared ${instantWords(ctx.now.toISOString())} by ${ctx.staff.email ?? ctx.staff.id} from the case's event log (${events.length} events). Print this page, or save it as PDF, to send it.</p>
<p class="govuk-body app-no-print"><a class="govuk-link" href="${caseHref(state.caseId)}">Back to the case</a></p>
<h2 class="govuk-heading-m">Contents</h2>
<ul class="govuk-list">
  <li><a class="govuk-link" href="#status">Where the case is</a></li>
  <li><a class="govuk-link" href="#deadlines">Deadlines and how each was worked out</a></li>
  <li><a class="govuk-link" href="#remedies">Decisions and remedies</a></li>
  <li><a class="govuk-link" href="#payments">Payments and remedies carried out</a></li>
  <li><a class="govuk-link" href="#outstanding-actions">Outstanding actions</a></li>
  <li><a class="govuk-link" href="#referrals">Ombudsman referrals</a> and <a class="govuk-link" href="#ombudsman-outcomes">the Ombudsman's outcome</a></li>
  <li><a class="govuk-link" href="#satisfaction">Satisfaction with the handling</a></li>
  <li><a class="govuk-link" href="#timeline">Timeline</a></li>
  <li><a class="govuk-link" href="#letters">Every letter sent</a></li>
  <li><a class="govuk-link" href="#files">Files on the case</a></li>
</ul>
${statusSection(view)}
${residentDetails(state)}
${complaintDetails(state)}
${deadlinesSection(view)}
${remediesSection(state)}
${paymentsSection(events)}
${actionsSection(view)}
${referralsSection(state)}
${ombudsmanOutcomesSection(events)}
${satisfactionSection(events)}
${timelineSection(view)}
${lettersSection(pack)}
${filesSection(pack)}`;
  return ctx.render(`Evidence pack ${state.reference}`, body);
}

/** A name safe inside a ZIP: no folders, no control characters, never empty. */
export function zipName(name: string): string {
  const cleaned = name
    .replace(/[\\/:*?"<>|\p{Cc}]/gu, '_')
    .replace(/^\.+/, '')
    .slice(0, 100);
  return cleaned || 'file';
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A text's UTF-8 bytes (what fflate's strToU8 gives in Node). */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A ZIP of `entries`; its module is loaded with the first ZIP asked for (zip.ts says why). */
export async function zip(entries: Record<string, Uint8Array>): Promise<Uint8Array> {
  return (await import('./zip.ts')).zipFiles(entries);
}

/** A letter as a text file: its subject, when and how it was sent, and its words. */
export function letterFile(letter: PackLetter): Uint8Array {
  return utf8(
    `Subject: ${letter.subject}\nSent: ${letter.sentAt} by ${letter.channel} to ${letter.recipient}\n\n${letter.text}\n`,
  );
}

function packZip(pack: EvidencePack): Promise<Uint8Array> {
  const entries: Record<string, Uint8Array> = {};
  const manifest: string[] = [
    `Ombudsman evidence pack for ${pack.state.reference}`,
    'Every file with its SHA-256. Files are those received; letters are as rendered from the case when sent.',
    '',
  ];
  pack.letters.forEach((letter, index) => {
    const name = `letters/${String(index + 1).padStart(2, '0')}-${letter.template}.txt`;
    const content = letterFile(letter);
    entries[name] = content;
    manifest.push(`${name}  ${sha256(content)}`);
  });
  pack.files.forEach((file, index) => {
    if (!file.bytes) return;
    const name = `files/${String(index + 1).padStart(2, '0')}-${zipName(file.name)}`;
    const actual = sha256(file.bytes);
    entries[name] = file.bytes;
    manifest.push(
      `${name}  ${actual}${actual === file.sha256 ? '' : `  DOES NOT MATCH the SHA-256 recorded on receipt (${file.sha256})`}`,
    );
  });
  for (const missing of pack.missingFiles) manifest.push(`MISSING from the store: ${missing}`);
  const timeline = pack.events.map((event) => `${event.at}  ${event.type}  ${event.by.kind}:${event.by.id}`);
  entries['timeline.txt'] = utf8(`${timeline.join('\n')}\n`);
  manifest.push(`timeline.txt  ${sha256(entries['timeline.txt'])}`);
  entries['MANIFEST.txt'] = utf8(`${manifest.join('\n')}\n`);
  return zip(entries);
}

/** POST /staff/case/{caseId}/evidence-pack: the printable document (format=html) or the ZIP (format=zip). */
export const evidencePack = staffPage(async (ctx) => {
  const caseId = caseIdOf(ctx);
  const format = field(formBody(ctx.event), 'format');
  if (!isFormat(format)) {
    throw new ValidationError('Choose the evidence pack as a printable document (html) or a ZIP (zip)');
  }
  const pack = await prepareEvidencePack(ctx.deps, caseId, ctx.staff, format);
  if (format === 'html') return packDocument(ctx, pack);
  return download(await packZip(pack), `evidence-pack-${pack.state.reference}.zip`, 'application/zip');
});
