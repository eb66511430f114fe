import type { Deadline } from '#shared/calendar/deadline.ts';
import type { WorkingCalendar } from '#shared/calendar/working-calendar.ts';
import type { CaseEvent, CaseState } from '#shared/domain/case.ts';
import type { StageResponse } from '#shared/domain/letters.ts';
import type { CasePosition } from '#shared/domain/position.ts';
import { deadlineStatus } from '#shared/domain/work-queue.ts';
import { formatCivilDate, legalProceedingsWords } from '#shared/notifications/words.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { toLondon } from '#shared/time/london.ts';
import { rawEmailsOf } from '#shared/usecases/raw-email.ts';
import { sizeWords, typeWords } from '../attachments.ts';
import { banner, summaryList, table, tag } from '../ui/components.ts';
import { html, join, type SafeHtml, when } from '../ui/html.ts';
import {
  actorWords,
  CHANNEL_WORDS,
  CLOSURE_WORDS,
  CONTACT_WORDS,
  civil,
  DECISION_WORDS,
  instantWords,
  multiline,
  ROLE_WORDS,
  ragFor,
  ragTag,
  STATUS_WORDS,
  STEP_WORDS,
  staffName,
  TEMPLATE_WORDS,
} from './words.ts';

/** The read-only parts of the staff case page: who the resident is, where the case is, and what happened. */

export interface CaseView {
  state: CaseState;
  events: readonly CaseEvent[];
  position: CasePosition;
  profile: ProviderProfile;
  now: Date;
  calendar: WorkingCalendar;
}

const bullets = (items: readonly SafeHtml[]) =>
  html`<ul class="govuk-list govuk-list--bullet">${join(items.map((item) => html`<li>${item}</li>`))}</ul>`;

/** Reasonable adjustments, vulnerability and any representative: shown first, before anyone gets in touch. */
export function residentNeedsBanner(state: CaseState): SafeHtml {
  const { reasonableAdjustments, vulnerability, representative } = state.complainant;
  const items: SafeHtml[] = [];
  if (reasonableAdjustments) {
    items.push(html`<strong>Reasonable adjustments:</strong> ${multiline(reasonableAdjustments)}`);
  }
  if (vulnerability) items.push(html`<strong>Vulnerability:</strong> ${multiline(vulnerability)}`);
  if (representative) {
    const contact = [representative.email, representative.phone].filter(Boolean).join(', ');
    items.push(
      html`<strong>Representative:</strong> ${representative.name} (${representative.relationship}) acts for the resident. ${representative.consentRecorded ? "The resident's consent is recorded." : 'Consent is NOT recorded.'}${contact ? ` Contact: ${contact}.` : ''} Letters go to the representative.`,
    );
  }
  if (items.length === 0) return html``;
  return banner('resident-needs', 'Before you contact this resident', bullets(items), {
    testId: 'resident-needs',
  });
}

export function residentDetails(state: CaseState): SafeHtml {
  const c = state.complainant;
  const none = html`<span class="govuk-hint">Not given</span>`;
  return html`<h2 class="govuk-heading-m" id="resident">The resident</h2>
${summaryList([
  { key: 'Name', value: c.name },
  { key: 'Email', value: c.email ?? none },
  { key: 'Phone', value: c.phone ?? none },
  { key: 'Address', value: c.address ? multiline(c.address) : none },
  { key: 'Preferred contact', value: CONTACT_WORDS[c.preferredContact] ?? c.preferredContact },
  {
    key: 'Reasonable adjustments',
    value: c.reasonableAdjustments ? multiline(c.reasonableAdjustments) : html`None recorded`,
  },
  { key: 'Vulnerability', value: c.vulnerability ? multiline(c.vulnerability) : html`None recorded` },
  {
    key: 'Representative',
    value: c.representative
      ? html`${c.representative.name} (${c.representative.relationship}); consent ${c.representative.consentRecorded ? 'recorded' : 'not recorded'}${c.representative.email ? `; ${c.representative.email}` : ''}${c.representative.phone ? `; ${c.representative.phone}` : ''}`
      : html`None`,
  },
])}`;
}

export function complaintDetails(state: CaseState): SafeHtml {
  const { complaint } = state;
  return html`<h2 class="govuk-heading-m" id="complaint">The complaint</h2>
${summaryList([
  {
    key: 'Received',
    value: `${instantWords(state.receivedAt)} by ${(CHANNEL_WORDS[state.channel] ?? state.channel).toLowerCase()}`,
  },
  ...(state.email
    ? [
        {
          key: 'The email',
          value: html`From ${emailAddressWords(state.email.from)}${state.email.forwardedBy ? html`, forwarded by ${emailAddressWords(state.email.forwardedBy)}` : html``}. ${rawEmailLink(state, state.email.messageId)}${state.email.flags.length ? html`<p class="govuk-body">Check before trusting it: ${state.email.flags.join('; ')}</p>` : html``}`,
        },
      ]
    : []),
  { key: 'What went wrong', value: multiline(complaint.whatHappened) },
  ...(complaint.happenedOn ? [{ key: 'When it happened', value: civil(complaint.happenedOn) }] : []),
  ...(complaint.becameAwareOn
    ? [{ key: 'When the resident became aware', value: civil(complaint.becameAwareOn) }]
    : []),
  { key: 'Outcome wanted', value: multiline(complaint.outcomeWanted) },
  ...(state.relatedIssues.length
    ? [{ key: 'Additional issues', value: bullets(state.relatedIssues.map((issue) => multiline(issue))) }]
    : []),
])}`;
}

function emailAddressWords(address: { name?: string; address: string }): string {
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

/** The download of a raw email (message/rfc822, staff only, recorded on the case as an access). */
function rawEmailLink(state: CaseState, messageId: string): SafeHtml {
  const index = rawEmailsOf(state).findIndex((email) => email.messageId === messageId);
  if (index < 0) return html``;
  return html`<a class="govuk-link" href="/staff/case/${encodeURIComponent(state.caseId)}/emails/${index}" data-testid="raw-email">Download the email as received (.eml)</a>`;
}

/** The resident's photos and documents: what each is, and a link to download it (staff only). */
export function attachmentsSection(state: CaseState): SafeHtml {
  const files = state.complaint.attachments ?? [];
  return html`<h2 class="govuk-heading-m" id="attachments">Photos and documents</h2>
${
  files.length === 0
    ? html`<p class="govuk-body">The resident did not send any.</p>`
    : table({
        caption: `${files.length} file${files.length === 1 ? '' : 's'} sent with the complaint`,
        head: ['File', 'Type', 'Size', 'SHA-256 (first 12 characters)'],
        rows: files.map((file, index) => [
          html`<a class="govuk-link" href="/staff/case/${encodeURIComponent(state.caseId)}/attachments/${index}" data-testid="attachment">Download <span dir="auto">${file.name}</span></a>`,
          typeWords(file.contentType),
          sizeWords(file.size),
          html`<code title="${file.sha256}">${file.sha256.slice(0, 12)}</code>`,
        ]),
      })
}`;
}

/** How a deadline was worked out: the start day, the working days counted, and every day not counted. */
export function explainDeadline(deadline: Deadline): SafeHtml {
  return html`<p class="govuk-body">Due by the end of ${formatCivilDate(deadline.dueDate)} (${instantWords(deadline.dueAt)}, London time): ${deadline.workingDays} working days counted from ${formatCivilDate(deadline.startDate)}, the day the clock started (it runs from ${instantWords(deadline.from)}).</p>
${
  deadline.skipped.length
    ? html`<p class="govuk-body govuk-!-margin-bottom-1">Days not counted:</p>${bullets(deadline.skipped.map((day) => html`${formatCivilDate(day.date)}: ${day.reason}`))}`
    : html`<p class="govuk-body">No days were skipped.</p>`
}`;
}

/** The deadline the current step runs against. */
export function deadlineForStep(state: CaseState, step: CasePosition['step']): Deadline | undefined {
  switch (step) {
    case 'triage':
    case 'stage1-acknowledgement':
      return state.stage1.acknowledgement;
    case 'stage1-response':
      return state.stage1.response;
    case 'escalation-window':
      return state.escalationWindow;
    case 'stage2-acknowledgement':
      return state.stage2.acknowledgement;
    case 'stage2-response':
      return state.stage2.response;
    default:
      return undefined;
  }
}

export function statusSection(view: CaseView): SafeHtml {
  const { state, position, profile, now, calendar } = view;
  const current = deadlineForStep(state, position.step);
  const rag = position.dueAt
    ? ragFor(deadlineStatus(position.dueAt, now, calendar, profile.reminderLeadWorkingDays), position.dueAt)
    : undefined;
  const triage = state.triage;
  const waitingFor = html`${STEP_WORDS[position.step]}${position.role ? html` <span class="govuk-body-s">(${ROLE_WORDS[position.role].toLowerCase()})</span>` : html``}`;
  return html`<h2 class="govuk-heading-m" id="status">Where the case is</h2>
${summaryList([
  {
    key: 'Status',
    value: `${STATUS_WORDS[state.status]}${state.closureReason ? `: ${CLOSURE_WORDS[state.closureReason]}` : ''}${state.closedAt ? ` (${instantWords(state.closedAt)})` : ''}`,
  },
  ...(triage
    ? [
        {
          key: 'Triage',
          value: html`${triage.outcome === 'complaint' ? 'A complaint' : triage.outcome === 'service-request' ? 'A service request' : 'Not accepted'}, ${instantWords(triage.at)} by ${staffName(state, triage.by)}${triage.detail ? html`<br>${multiline(triage.detail)}` : html``}`,
        },
      ]
    : []),
  { key: 'What the case is waiting for', value: waitingFor },
  ...(position.dueAt && rag
    ? [{ key: 'Deadline', value: html`${instantWords(position.dueAt)} ${ragTag(rag)}` }]
    : []),
  ...(position.reminderAt ? [{ key: 'Reminder', value: instantWords(position.reminderAt) }] : []),
])}
${when(current, () => html`<h3 class="govuk-heading-s">How this deadline was worked out</h3>${explainDeadline(current as Deadline)}`)}
${when(
  position.step === 'escalation-window' && !state.escalationWindow,
  () =>
    html`<p class="govuk-body">${profile.name} sets no time limit for asking for stage 2, so the resident can ask at any time.</p>`,
)}`;
}

interface DeadlineItem {
  title: string;
  deadline?: Deadline;
  doneAt?: string;
  doneWords: string;
  extensions?: CaseState['stage1']['extensions'];
  window?: boolean;
}

export function deadlinesSection(view: CaseView): SafeHtml {
  const { state, now } = view;
  const triagedOut = state.triage && state.triage.outcome !== 'complaint' ? state.triage.at : undefined;
  const items: DeadlineItem[] = [
    {
      title: 'Stage 1 acknowledgement (triage runs to the same deadline)',
      deadline: state.stage1.acknowledgement,
      doneAt: state.stage1.acknowledgedAt ?? triagedOut,
      doneWords: state.stage1.acknowledgedAt ? 'Acknowledged' : 'Triaged',
    },
    {
      title: 'Stage 1 response',
      deadline: state.stage1.response,
      doneAt: state.stage1.respondedAt,
      doneWords: 'Response sent',
      extensions: state.stage1.extensions,
    },
    {
      title: 'Window to ask for stage 2',
      deadline: state.escalationWindow,
      doneAt: state.stage2.escalationRequestedAt,
      doneWords: 'Stage 2 requested',
      window: true,
    },
    {
      title: 'Stage 2 acknowledgement',
      deadline: state.stage2.acknowledgement,
      doneAt: state.stage2.acknowledgedAt,
      doneWords: 'Acknowledged',
    },
    {
      title: 'Stage 2 (final) response',
      deadline: state.stage2.response,
      doneAt: state.stage2.respondedAt,
      doneWords: 'Response sent',
      extensions: state.stage2.extensions,
    },
  ];
  const shown = items.filter((item) => item.deadline);
  const breachFor = (dueAt: string) => state.breaches.find((breach) => breach.dueAt === dueAt);
  return html`<h2 class="govuk-heading-m" id="deadlines">Deadlines</h2>
${
  shown.length === 0
    ? html`<p class="govuk-body">No deadlines yet.</p>`
    : join(
        shown.map((item) => {
          const deadline = item.deadline as Deadline;
          const late = item.doneAt ? item.doneAt > deadline.dueAt : false;
          const breach = breachFor(deadline.dueAt);
          let status: SafeHtml;
          if (item.doneAt) {
            status = html`${tag(late ? 'Done late' : 'Done in time', late ? 'orange' : 'green')} ${item.doneWords} ${instantWords(item.doneAt)}`;
          } else if (state.status === 'closed') {
            status = html`${tag('Not needed', 'grey')} The case closed before this was due`;
          } else if (item.window) {
            status =
              Date.parse(deadline.dueAt) < now.getTime()
                ? html`${tag('Ended', 'grey')} The window has ended`
                : html`${tag('Open', 'blue')} The resident can still ask`;
          } else if (Date.parse(deadline.dueAt) < now.getTime()) {
            status = html`${tag('Overdue', 'red')} Not done by the deadline`;
          } else {
            status = html`${tag('Open', 'blue')} Not done yet`;
          }
          return html`<div class="govuk-!-margin-bottom-6" data-testid="deadline">
  <h3 class="govuk-heading-s govuk-!-margin-bottom-2">${item.title}</h3>
  <p class="govuk-body">${status}${breach ? html` (deadline breach recorded ${instantWords(breach.at)})` : html``}</p>
  ${explainDeadline(deadline)}
  ${when(
    item.extensions?.length,
    () =>
      html`<p class="govuk-body govuk-!-margin-bottom-1">Extensions:</p>${bullets(
        (item.extensions ?? []).map(
          (extension) =>
            html`${extension.workingDays} working day${extension.workingDays === 1 ? '' : 's'} granted ${instantWords(extension.at)} (${extension.reason}); new date ${formatCivilDate(extension.newDueDate)}`,
        ),
      )}`,
  )}
</div>`;
        }),
      )
}`;
}

function letterSummary(letter: StageResponse): SafeHtml {
  const remedy =
    letter.remedy === 'none'
      ? `None${letter.noRemedyReason ? `: ${letter.noRemedyReason}` : ''}`
      : `${letter.remedy.description}${letter.remedy.compensationPounds !== undefined ? ` (compensation £${letter.remedy.compensationPounds})` : ''}`;
  const actions =
    letter.outstandingActions === 'none'
      ? html`None`
      : bullets(
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

function describeEvent(
  event: CaseEvent,
  profile: ProviderProfile,
  state: CaseState,
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
        body: html`${text(`Complaint definition: ${event.definition}`)}<p class="govuk-body govuk-!-margin-bottom-1">Outcomes sought:</p>${bullets(event.outcomesSought.map((o) => html`${o}`))}`,
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
    case 'note-added':
      return { title: 'Note', body: text(event.text) };
    case 'evidence-pack-prepared':
      return {
        title: `Ombudsman evidence pack prepared (${event.format === 'zip' ? 'ZIP of letters and files' : 'printable document'})`,
        body: html``,
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
    case 'closed':
      return {
        title: `Case closed: ${CLOSURE_WORDS[event.reason]}`,
        body: text(
          event.residentSatisfied && `The resident said they are satisfied: ${event.residentSatisfied}`,
        ),
      };
  }
}

export function timelineSection(view: CaseView): SafeHtml {
  return html`<h2 class="govuk-heading-m" id="timeline">Timeline</h2>
<ol class="govuk-list" data-testid="timeline">
${join(
  view.events.map((event) => {
    const { title, body } = describeEvent(event, view.profile, view.state);
    return html`<li class="govuk-!-margin-bottom-6" data-event-type="${event.type}">
  <h3 class="govuk-heading-s govuk-!-margin-bottom-1">${title}</h3>
  <p class="govuk-body-s govuk-!-margin-bottom-2">${instantWords(event.at)} · ${actorWords(event.by)}</p>
  ${body}
</li>`;
  }),
)}
</ol>`;
}

export function actionsSection(view: CaseView): SafeHtml {
  const { state, now } = view;
  const today = toLondon(now).date;
  return html`<h2 class="govuk-heading-m" id="outstanding-actions">Outstanding actions</h2>
${
  state.actions.length === 0
    ? html`<p class="govuk-body">No outstanding actions.</p>`
    : table({
        head: ['Action', 'What', 'Who', 'Due', 'Status'],
        rows: state.actions.map((action) => [
          action.actionId,
          multiline(action.description),
          action.owner,
          civil(action.dueDate),
          action.completedAt
            ? html`${tag('Done', 'green')} ${instantWords(action.completedAt)}${action.completionNote ? html`: ${action.completionNote}` : html``}`
            : action.dueDate < today
              ? html`${tag('Overdue', 'red')} Not done`
              : html`${tag('Open', 'blue')} Not done yet`,
        ]),
      })
}`;
}

export function referralsSection(state: CaseState): SafeHtml {
  return html`<h2 class="govuk-heading-m" id="referrals">Ombudsman referrals</h2>
${
  state.ombudsmanReferrals.length === 0
    ? html`<p class="govuk-body">None recorded.</p>`
    : bullets(
        state.ombudsmanReferrals.map(
          (referral) =>
            html`Referred ${instantWords(referral.at)}${referral.reference ? html`, Ombudsman reference ${referral.reference}` : html`, no reference recorded`}`,
        ),
      )
}`;
}
