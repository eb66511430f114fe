import type {
  CaseEvent,
  CaseState,
  DeletableRecordKind,
  RecordCounts,
  RectifiableField,
} from '#shared/domain/case.ts';
import type { StageResponse } from '#shared/domain/letters.ts';
import { legalProceedingsWords } from '#shared/notifications/words.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { bulletList, summaryList } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import { timeline } from '../../ui/timeline.ts';
import {
  actorWords,
  CHANNEL_WORDS,
  CLOSURE_WORDS,
  civil,
  DECISION_WORDS,
  instantWords,
  multiline,
  OMBUDSMAN_OUTCOME_WORDS,
  SATISFACTION_WORDS,
  STEP_WORDS,
  TEMPLATE_WORDS,
} from '../words.ts';
import { rawEmailLink } from './complaint.ts';
import type { CaseView } from './view.ts';

/** The case's history for staff: every event, internal ones included, with who did it. */

const SUBJECT_ACCESS_FORMAT_WORDS = {
  json: 'machine-readable JSON',
  html: 'readable page',
  zip: 'ZIP of letters and files',
} as const;

function letterSummary(letter: StageResponse): SafeHtml {
  const remedy =
    letter.remedy === 'none'
      ? `None${letter.noRemedyReason ? `: ${letter.noRemedyReason}` : ''}`
      : `${letter.remedy.description}${letter.remedy.compensationPounds !== undefined ? ` (compensation £${letter.remedy.compensationPounds})` : ''}`;
  const actions =
    letter.outstandingActions === 'none'
      ? html`None`
      : bulletList(
          letter.outstandingActions.map(
            (a) =>
              html`${a.actionId ? `${a.actionId}: ` : ''}${a.description} (who: ${a.owner}; by ${civil(a.dueDate)})`,
          ),
        );
  return summaryList([
    { key: 'Complaint definition', value: multiline(letter.complaintDefinition) },
    { key: 'Decision', value: DECISION_WORDS[letter.decision] ?? letter.decision },
    { key: 'Reasons', value: multiline(letter.reasons) },
    { key: 'Remedy', value: remedy },
    { key: 'Outstanding actions', value: actions },
    { key: 'Escalation route', value: multiline(letter.escalationRoute) },
  ]);
}

const RECORD_KIND_WORDS: Record<DeletableRecordKind, string> = {
  attachments: 'attachments',
  letters: 'letters for post',
  rawEmail: 'raw emails',
};

export const RECTIFIABLE_WORDS: Record<RectifiableField, string> = {
  name: 'name',
  email: 'email address',
  phone: 'phone number',
  address: 'postal address',
  reasonableAdjustments: 'reasonable adjustments',
  vulnerability: 'vulnerability',
};

function countsWords(counts: RecordCounts): string {
  return `${counts.attachments} attachment(s), ${counts.rawEmails} raw email(s), ${counts.letters} letter(s) for post and ${counts.lookups} search entries deleted.`;
}

export function describeEvent(
  event: CaseEvent,
  profile: ProviderProfile,
  state: CaseState,
  /** For a correction: the value it replaced (undefined when the detail was not held). */
  replaced?: string,
): { title: string; body: SafeHtml } {
  const text = (value: string | undefined) =>
    value ? html`<p class="govuk-body">${multiline(value)}</p>` : html``;
  switch (event.type) {
    case 'received':
      return {
        title: `Complaint received (${(CHANNEL_WORDS[event.channel] ?? event.channel).toLowerCase()})`,
        body: text(`Reference ${event.reference}. Complainant: ${event.complainant.name}.`),
      };
    case 'triaged':
      if (event.outcome === 'complaint')
        return { title: 'Triaged: it is a complaint', body: text(event.notes) };
      if (event.outcome === 'service-request') {
        return {
          title: 'Triaged: a service request, not a complaint',
          body: text(`What will be done: ${event.notes}`),
        };
      }
      return {
        title: 'Triaged: not accepted as a complaint',
        body: html`${text(`Reason: ${profile.exclusions.find((e) => e.code === event.exclusionCode)?.description ?? event.exclusionCode} (${event.exclusionCode})`)}${text(event.rationale)}${text(legalProceedingsWords(event.legalProceedings))}${text(event.outOfTimeReason && `Why outside the time limit: ${event.outOfTimeReason}`)}${text(`Ombudsman route given: ${event.ombudsmanRoute}`)}`,
      };
    case 'acknowledged':
      return {
        title: `Stage ${event.stage} acknowledged`,
        body: html`${text(`Complaint definition: ${event.definition}`)}<p class="govuk-body govuk-!-margin-bottom-1">Outcomes sought:</p>${bulletList(event.outcomesSought.map((o) => html`${o}`))}`,
      };
    case 'extension-granted':
      return {
        title: `Stage ${event.stage} response extended by ${event.workingDays} working day${event.workingDays === 1 ? '' : 's'}`,
        body: html`${text(`Reason: ${event.reason}`)}${text(`Explanation to the resident: ${event.explanation}`)}`,
      };
    case 'related-issue-added':
      return { title: 'Additional issue added', body: text(event.description) };
    case 'response-issued':
      return {
        title: event.stage === 1 ? 'Stage 1 response issued' : 'Stage 2 (final) response issued',
        body: html`${letterSummary(event.letter)}${text(event.learning && `Learning (not sent to the resident): theme "${event.learning.theme}", root cause "${event.learning.rootCause}"`)}`,
      };
    case 'escalation-requested':
      return {
        title: 'Stage 2 requested',
        body: text(event.reason ? `Reason: ${event.reason}` : 'No reason given'),
      };
    case 'action-added':
      return {
        title: `Outstanding action ${event.actionId} added`,
        body: text(`${event.description} (who: ${event.owner}; by ${civil(event.dueDate)})`),
      };
    case 'action-completed':
      return { title: `Outstanding action ${event.actionId} completed`, body: text(event.note) };
    case 'withdrawn':
      return {
        title: 'Complaint withdrawn',
        body: text(event.reason ? `Reason: ${event.reason}` : 'No reason given'),
      };
    case 'ombudsman-referral-recorded':
      return {
        title: 'Referred to the Ombudsman',
        body: html`${text(event.reference ? `Ombudsman reference: ${event.reference}` : 'No reference given')}${text(event.notes)}`,
      };
    case 'category-recorded':
      return { title: `Category recorded: ${event.category}`, body: html`` };
    case 'satisfaction-recorded':
      return {
        title: `Satisfaction with the handling: ${SATISFACTION_WORDS[event.answer]}`,
        body: text(event.how),
      };
    case 'escalation-refused':
      return {
        title: 'Stage 2 request refused: asked after the window ended',
        body: text(
          `The window to ask for stage 2 ended ${instantWords(event.windowEndedAt)}.${event.requestedAt ? ` Asked ${instantWords(event.requestedAt)}${event.fromEmail ? ' by email' : ''}.` : ''}`,
        ),
      };
    case 'remedy-paid':
      return {
        title: `Remedy carried out${event.compensationPounds ? `: £${event.compensationPounds.toFixed(2)} paid` : ''}`,
        body: text(event.description),
      };
    case 'ombudsman-outcome-recorded':
      return {
        title: `Ombudsman outcome: ${OMBUDSMAN_OUTCOME_WORDS[event.outcome]}`,
        body: html`${text(event.reference ? `Ombudsman reference: ${event.reference}` : undefined)}${text(event.notes)}`,
      };
    case 'note-added':
      return { title: 'Note', body: text(event.text) };
    case 'evidence-pack-prepared':
      return {
        title: `Ombudsman evidence pack prepared (${event.format === 'zip' ? 'ZIP of letters and files' : 'printable document'})`,
        body: html``,
      };
    case 'subject-access-exported':
      return {
        title: `Subject access export prepared (${SUBJECT_ACCESS_FORMAT_WORDS[event.format]})`,
        body: text(
          `The person was found by ${event.matchedOn}; on this case they are the ${event.relation}.`,
        ),
      };
    case 'reminder-sent':
      return {
        title: `Reminder sent: ${STEP_WORDS[event.step]}${event.actionId ? ` (action ${event.actionId})` : ''}`,
        body: text(`Due ${instantWords(event.dueAt)}`),
      };
    case 'deadline-breached':
      return {
        title: `Deadline missed: ${STEP_WORDS[event.step]}`,
        body: text(`Was due ${instantWords(event.dueAt)}`),
      };
    case 'correspondence-sent':
      return {
        title: `Letter sent: ${TEMPLATE_WORDS[event.template] ?? event.template}`,
        body: text(
          `By ${event.channel} to ${event.recipient}${event.messageId ? ` (message ${event.messageId})` : ''}`,
        ),
      };
    case 'correspondence-failed':
      return {
        title: `Letter could not be sent: ${TEMPLATE_WORDS[event.template] ?? event.template}`,
        body: text(`Why: ${event.reason}`),
      };
    case 'email-received':
      return {
        title: `Email received from ${event.from.name ? `${event.from.name} <${event.from.address}>` : event.from.address}${event.fromComplainant ? '' : ' (not the complainant)'}`,
        body: html`${text(`Subject: ${event.subject}. Received ${instantWords(event.receivedAt)}.${event.threadedBy === 'staff' ? ' It was held for staff, and a member of staff added it to this case.' : ''}`)}${text(event.text)}<p class="govuk-body">${rawEmailLink(state, event.messageId)}</p>${text(event.flags?.length ? `Check before trusting it: ${event.flags.join('; ')}` : undefined)}${text(event.refusedAttachments?.length ? `Files not stored: ${event.refusedAttachments.map((file) => file.problem).join('; ')}` : undefined)}`,
      };
    case 'raw-email-downloaded':
      return { title: 'Raw email downloaded', body: text(`Message ${event.messageId}`) };
    case 'deadlines-recalculated':
      return {
        title:
          event.direction === 'later'
            ? `Due date moved later by a policy change: ${event.oldDueDate} to ${event.newDueDate}`
            : `Due date kept at ${event.oldDueDate} after a policy change (it never moves earlier)`,
        body: text(`Why: ${event.reason}`),
      };
    case 'legal-hold-set':
      return {
        title: 'Legal hold set: retention and erasure stopped',
        body: text(`Reason: ${event.reason}`),
      };
    case 'legal-hold-released':
      return { title: 'Legal hold released', body: text(`Reason: ${event.reason}`) };
    case 'records-deleted':
      return {
        title: `Records deleted under the retention policy: ${event.kinds.map((kind) => RECORD_KIND_WORDS[kind]).join(', ')}`,
        body: text(countsWords(event.counts)),
      };
    case 'anonymised':
      return {
        title: `Personal data removed (${event.trigger === 'retention' ? 'retention period ended' : 'erasure request'})`,
        body: text(countsWords(event.counts)),
      };
    case 'erasure-decided':
      return {
        title: `Erasure request (made ${civil(event.requestedOn)}) ${event.decision}`,
        body: text(`Reason: ${event.reason}`),
      };
    case 'rectified':
      return {
        title: `Corrected: ${RECTIFIABLE_WORDS[event.field]}`,
        body: text(
          `Was: ${replaced || '(not held)'}. Now: ${event.value || '(removed)'}. Reason: ${event.reason}`,
        ),
      };
    case 'closed':
      return {
        title: `Case closed: ${CLOSURE_WORDS[event.reason]}`,
        body: text(
          event.residentSatisfied && `The resident said they are satisfied: ${event.residentSatisfied}`,
        ),
      };
  }
}

/** The value each correction replaced, by its place in the log: the log keeps both, and so does the timeline. */
export function replacedValues(events: readonly CaseEvent[]): Map<number, string | undefined> {
  const replaced = new Map<number, string | undefined>();
  let details: Partial<Record<RectifiableField, string>> = {};
  for (const [index, event] of events.entries()) {
    if (event.type === 'received') details = { ...event.complainant };
    if (event.type === 'rectified') {
      replaced.set(index, details[event.field]);
      details = { ...details, [event.field]: event.value || undefined };
    }
  }
  return replaced;
}

export function timelineSection(view: CaseView): SafeHtml {
  const replaced = replacedValues(view.events);
  return html`<h2 class="govuk-heading-m" id="timeline">Timeline</h2>
${timeline(
  view.events.map((event, index) => ({
    type: event.type,
    at: event.at,
    by: actorWords(event.by),
    ...describeEvent(event, view.profile, view.state, replaced.get(index)),
  })),
  'staff',
)}`;
}
