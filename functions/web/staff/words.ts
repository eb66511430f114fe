import type {
  Actor,
  CaseState,
  CaseStatus,
  ClosureReason,
  OmbudsmanOutcome,
  SatisfactionAnswer,
  StaffRole,
} from '#shared/domain/case.ts';
import type { PositionStep } from '#shared/domain/position.ts';
import type {
  DEADLINE_FILTERS,
  DeadlineStatus,
  DeadlineStatusKey,
  QueueStage,
} from '#shared/domain/work-queue.ts';
import { type TagColour, tag } from '../ui/components.ts';
import { dateWords, instantWords } from '../ui/dates.ts';
import { html, join, type SafeHtml } from '../ui/html.ts';

/** Words for the staff console: every code the domain uses, as a person would say it. */

export const STEP_WORDS: Record<PositionStep, string> = {
  triage: 'Triage: decide whether it is a complaint',
  'stage1-acknowledgement': 'Acknowledge the complaint (stage 1)',
  'stage1-response': 'Send the stage 1 response',
  'escalation-window': 'Waiting to see if the resident asks for stage 2',
  'stage2-acknowledgement': 'Acknowledge the escalation (stage 2)',
  'stage2-response': 'Send the stage 2 (final) response',
  'outstanding-actions': 'Complete the outstanding actions',
  'ready-to-close': 'Ready to close (the workflow closes it)',
  closed: 'Nothing: the case is closed',
};

export const STATUS_WORDS: Record<CaseStatus, string> = {
  'awaiting-triage': 'Awaiting triage',
  'stage1-acknowledgement': 'Stage 1: to be acknowledged',
  'stage1-investigation': 'Stage 1: being investigated',
  'stage1-responded': 'Stage 1: response sent',
  'stage2-acknowledgement': 'Stage 2: to be acknowledged',
  'stage2-investigation': 'Stage 2: being investigated',
  'final-response-issued': 'Final response sent',
  closed: 'Closed',
};

export const CLOSURE_WORDS: Record<ClosureReason, string> = {
  'service-request': 'handled as a service request',
  'not-accepted': 'not accepted as a complaint',
  'resolved-at-stage-1': 'resolved at stage 1',
  'escalation-window-ended': 'the time to ask for stage 2 ended',
  'final-response-issued': 'the final response was sent and its actions completed',
  withdrawn: 'withdrawn',
};

export const ROLE_WORDS: Record<StaffRole | 'resident', string> = {
  handler: 'Handler',
  reviewer: 'Reviewer',
  manager: 'Manager',
  admin: 'Admin',
  resident: 'Resident',
};

export const CHANNEL_WORDS: Record<string, string> = {
  web: 'Web form',
  email: 'Email',
  phone: 'Phone',
  letter: 'Letter',
  'in-person': 'In person',
  'social-media': 'Social media',
};

export const CONTACT_WORDS: Record<string, string> = { email: 'Email', phone: 'Phone', post: 'Post' };

export const TEMPLATE_WORDS: Record<string, string> = {
  'complaint-received': 'Complaint received',
  'not-accepted': 'Complaint not accepted',
  'service-request': 'Handled as a service request',
  'stage1-acknowledgement': 'Stage 1 acknowledgement',
  'extension-notice': 'Extension notice',
  'stage1-response': 'Stage 1 response',
  'stage2-acknowledgement': 'Stage 2 acknowledgement',
  'final-response': 'Final (stage 2) response',
  'withdrawal-confirmed': 'Withdrawal confirmed',
  'case-closed': 'Case closed',
  'deadline-missed': 'Apology for a missed deadline, with the new date',
  'due-date-moved': 'A due date moved later by a policy change, with the reason',
};

export const OMBUDSMAN_OUTCOME_WORDS: Record<OmbudsmanOutcome, string> = {
  'severe-maladministration': 'Severe maladministration',
  maladministration: 'Maladministration',
  'service-failure': 'Service failure',
  'reasonable-redress': 'Reasonable redress',
  'no-maladministration': 'No maladministration',
  'outside-jurisdiction': 'Outside jurisdiction',
  'withdrawn-or-resolved': 'Withdrawn or resolved',
};

export const SATISFACTION_WORDS: Record<SatisfactionAnswer, string> = {
  'very-satisfied': 'Very satisfied',
  'fairly-satisfied': 'Fairly satisfied',
  neither: 'Neither satisfied nor dissatisfied',
  'fairly-dissatisfied': 'Fairly dissatisfied',
  'very-dissatisfied': 'Very dissatisfied',
};

export const DECISION_WORDS: Record<string, string> = {
  upheld: 'Upheld',
  'partly-upheld': 'Partly upheld',
  'not-upheld': 'Not upheld',
};

export const STAGE_WORDS: Record<QueueStage, string> = { triage: 'Triage', '1': 'Stage 1', '2': 'Stage 2' };

export function actorWords(actor: Actor): string {
  if (actor.kind === 'staff') return `${actor.email ?? actor.id} (${ROLE_WORDS[actor.role].toLowerCase()})`;
  if (actor.kind === 'resident') return 'The resident';
  return 'The system (workflow)';
}

/** A member of staff named on a case: by the email they acted with, else by their id. */
export function staffName(state: Pick<CaseState, 'staff'> | undefined, staffId: string): string {
  return state?.staff?.[staffId] ?? staffId;
}

export { dateWords as civil, instantWords };

/** Text with its line breaks kept (escaped, line by line). */
export function multiline(text: string | undefined): SafeHtml {
  return join(
    (text ?? '').split(/\r\n|\r|\n/).map((line, index) => (index === 0 ? html`${line}` : html`<br>${line}`)),
  );
}

/** Plain text (a letter) as GOV.UK paragraphs. */
export function paragraphs(text: string): SafeHtml {
  return join(
    text
      .split(/\n\s*\n/)
      .map((block) => block.trim())
      .filter(Boolean)
      .map((block) => html`<p class="govuk-body">${multiline(block)}</p>`),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Red, amber, green against the working-day deadline (always with words: colour is never the only cue)

export interface Rag {
  key: DeadlineStatusKey;
  label: string;
  detail: string;
  colour: TagColour;
}

export const RAG_FILTERS: ReadonlyArray<{ value: (typeof DEADLINE_FILTERS)[number]; text: string }> = [
  { value: 'overdue', text: 'Overdue' },
  { value: 'due-soon', text: 'Due soon' },
  { value: 'on-track', text: 'On track' },
];

function daysWord(days: number): string {
  return `${days} working day${days === 1 ? '' : 's'}`;
}

/** The new date a missed deadline's apology letter gave the resident, and whether it has passed as well. */
export interface PromisedDate {
  date: string;
  missed: boolean;
}

/**
 * A deadline status (see deadlineStatus) in words and colour. An overdue deadline with a promise stays
 * "Overdue" (the Code's timescale was missed whatever was promised since) and says what the resident was told.
 */
export function ragFor(deadline: DeadlineStatus, dueAt: string | undefined, promise?: PromisedDate): Rag {
  const left = deadline.workingDaysLeft ?? 0;
  const detail = left <= 0 ? 'Due today' : `${daysWord(left)} left`;
  switch (deadline.status) {
    case 'no-deadline':
      return { key: 'no-deadline', label: 'No deadline', detail: 'No deadline is set', colour: 'grey' };
    case 'overdue':
      return {
        key: 'overdue',
        label: 'Overdue',
        detail: `Was due ${instantWords(dueAt)}${promise ? `; promised to the resident by ${dateWords(promise.date)}${promise.missed ? ', which has passed too' : ''}` : ''}`,
        colour: 'red',
      };
    case 'due-soon':
      return { key: 'due-soon', label: 'Due soon', detail, colour: 'yellow' };
    case 'on-track':
      return { key: 'on-track', label: 'On track', detail, colour: 'green' };
  }
}

export function ragTag(rag: Rag): SafeHtml {
  return html`${tag(rag.label, rag.colour)} <span class="govuk-body-s">${rag.detail}</span>`;
}
