import type { Deadline } from '#shared/calendar/deadline.ts';
import type { CaseState } from '#shared/domain/case.ts';
import { type CasePosition, promisedDate, promiseMissed } from '#shared/domain/position.ts';
import { deadlineStatus } from '#shared/domain/work-queue.ts';
import { summaryList } from '../../ui/components.ts';
import { html, type SafeHtml, when } from '../../ui/html.ts';
import {
  CLOSURE_WORDS,
  instantWords,
  multiline,
  ROLE_WORDS,
  ragFor,
  ragTag,
  STATUS_WORDS,
  STEP_WORDS,
  staffName,
} from '../words.ts';
import { explainDeadline } from './deadlines.ts';
import type { CaseView } from './view.ts';

/** Where the case is: its status, what it is waiting for and by when. */

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
  const promised = promisedDate(state, position.dueAt);
  const rag = position.dueAt
    ? ragFor(
        deadlineStatus(position.dueAt, now, calendar, profile.reminderLeadWorkingDays),
        position.dueAt,
        promised ? { date: promised, missed: promiseMissed(promised, now) } : undefined,
      )
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
  ...(state.legalHold
    ? [
        {
          key: 'Legal hold',
          value: html`<strong class="govuk-tag govuk-tag--orange" data-testid="legal-hold">Held</strong> since ${instantWords(state.legalHold.at)} by ${staffName(state, state.legalHold.by)}: ${multiline(state.legalHold.reason)}`,
        },
      ]
    : []),
  ...(state.anonymised
    ? [
        {
          key: 'Personal data',
          value: `Removed ${instantWords(state.anonymised.at)} (${state.anonymised.trigger === 'retention' ? 'the retention period ended' : 'an erasure request'})`,
        },
      ]
    : []),
  { key: 'What the case is waiting for', value: waitingFor },
  ...(position.dueAt && rag
    ? [
        {
          key: 'Deadline',
          value: html`<span data-testid="deadline-status">${instantWords(position.dueAt)} ${ragTag(rag)}</span>`,
        },
      ]
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
