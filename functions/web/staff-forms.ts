import {
  allowsEvent,
  type CaseState,
  extensionAllowance,
  handledStage1,
  openActions,
  type StaffRole,
} from '#shared/domain/case.ts';
import { durationWords } from '#shared/domain/clocks.ts';
import {
  DECISIONS,
  defaultEscalationRoute,
  defaultNonAcceptanceRoute,
  isTimeLimitExclusion,
  LEGAL_PROCEEDINGS_EXCLUSION,
  type LetterAction,
  SERVICE_REQUEST_EXCLUSION,
} from '#shared/domain/letters.ts';
import { formatCivilDate } from '#shared/notifications/words.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import type { TaskRecord } from '#shared/ports/case-repository.ts';
import {
  type CaseAction,
  MAX_EXTENSION_WORKING_DAYS,
  mayAct,
  offeredActions,
  type TaskAction,
} from '#shared/usecases/actions.ts';
import {
  button,
  checkboxes,
  dateInput,
  errorFor,
  type FieldError,
  hidden,
  radios,
  textarea,
  textInput,
  warningText,
} from './components.ts';
import { html, join, type SafeHtml, when } from './html.ts';
import { field, fieldList } from './http.ts';
import {
  DECISION_WORDS,
  dateFrom,
  type FormValues,
  insetText,
  lines,
  paragraphs,
  STEP_WORDS,
} from './staff-format.ts';

/** The forms on the staff case page, and the parsing of what they send back. */

export const TASK_FORM_ACTIONS = [
  'triage',
  'acknowledge',
  'extend',
  'respond',
  'escalate',
  'withdraw',
  'close',
] as const;
export type TaskFormAction = (typeof TASK_FORM_ACTIONS)[number];
export const CASE_FORM_ACTIONS = ['note', 'add-action', 'complete-action', 'ombudsman-referral'] as const;
export type CaseFormAction = (typeof CASE_FORM_ACTIONS)[number];

export const MAX_PLANNED_ACTIONS = 3;

export interface Preview {
  action: 'extend' | 'respond';
  subject: string;
  text: string;
  problems: string[];
  newDueDate?: string;
}

export interface FormContext {
  caseId: string;
  csrf: string;
  profile: ProviderProfile;
  state: CaseState;
  staff: { id: string; role: StaffRole };
  task?: TaskRecord;
  /** What was sent, when the page is shown again (errors or a preview): the values are kept. */
  submitted?: { action: string; body: FormValues };
  errors: readonly FieldError[];
  preview?: Preview;
}

function value(fc: FormContext, action: string, name: string, fallback = ''): string {
  if (fc.submitted?.action !== action) return fallback;
  const raw = fc.submitted.body[name];
  return Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '');
}

function values(fc: FormContext, action: string, name: string): string[] {
  return fc.submitted?.action === action ? fieldList(fc.submitted.body, name) : [];
}

function dateValue(fc: FormContext, action: string, name: string, fallback?: string) {
  if (fallback && fc.submitted?.action !== action) {
    const [year = '', month = '', day = ''] = fallback.split('-');
    return { day: String(Number(day)), month: String(Number(month)), year };
  }
  return {
    day: value(fc, action, `${name}-day`),
    month: value(fc, action, `${name}-month`),
    year: value(fc, action, `${name}-year`),
  };
}

function stageOf(step: TaskRecord['step']): 1 | 2 {
  return step.startsWith('stage2-') ? 2 : 1;
}

function form(
  fc: FormContext,
  kind: 'task' | 'record',
  action: string,
  heading: string,
  content: SafeHtml,
): SafeHtml {
  const id = `${action}-form`;
  return html`<section class="govuk-!-margin-bottom-8" aria-labelledby="${id}-heading" data-testid="${id}">
  <h3 class="govuk-heading-m" id="${id}-heading">${heading}</h3>
  <form method="post" action="/staff/case/${encodeURIComponent(fc.caseId)}/${kind}" id="${id}" novalidate>
    ${hidden('csrf', fc.csrf)}
    ${kind === 'task' && fc.task ? hidden('taskId', fc.task.taskId) : html``}
    ${hidden('action', action)}
    ${content}
  </form>
</section>`;
}

// ---------------------------------------------------------------------------------------------------------
// Task forms

function triageForm(fc: FormContext): SafeHtml {
  const { profile, errors } = fc;
  const v = (name: string, fallback = '') => value(fc, 'triage', name, fallback);
  const serviceRequest = profile.exclusions.find((exclusion) => exclusion.code === SERVICE_REQUEST_EXCLUSION);
  const reasons = profile.exclusions.filter((exclusion) => exclusion.code !== SERVICE_REQUEST_EXCLUSION);
  return form(
    fc,
    'task',
    'triage',
    'Triage: is this a complaint?',
    html`${radios({
      name: 'outcome',
      legend: 'What is it?',
      error: errorFor(errors, 'outcome'),
      value: v('outcome'),
      items: [
        { value: 'complaint', text: 'A complaint', hint: 'It goes to stage 1: acknowledge it next' },
        {
          value: 'service-request',
          text: 'A service request',
          hint: `${serviceRequest ? `${serviceRequest.description} ` : 'A first request for a service. '}Say below what will be done.`,
        },
        {
          value: 'not-accepted',
          text: 'It cannot be accepted as a complaint',
          hint: 'Choose the reason from the policy below, explain it, and give the Ombudsman route',
        },
      ],
    })}
    <h4 class="govuk-heading-s">If it is a complaint</h4>
    ${textarea({
      name: 'complaint-notes',
      label: 'Notes for staff (optional)',
      hint: 'Kept on the case; not sent to the resident',
      error: errorFor(errors, 'complaint-notes'),
      value: v('complaint-notes'),
    })}
    <h4 class="govuk-heading-s">If it is a service request</h4>
    ${textarea({
      name: 'triage-notes',
      label: 'What will be done about the service request',
      hint: 'Sent to the resident',
      error: errorFor(errors, 'triage-notes'),
      value: v('triage-notes'),
    })}
    <h4 class="govuk-heading-s">If it cannot be accepted</h4>
    ${radios({
      name: 'exclusionCode',
      legend: 'Which reason in the complaints policy applies?',
      hint: serviceRequest
        ? 'A service request is not listed here: choose "A service request" above.'
        : undefined,
      error: errorFor(errors, 'exclusionCode'),
      value: v('exclusionCode'),
      items: reasons.map((exclusion) => ({
        value: exclusion.code,
        text: exclusion.description,
        hint: `Policy reason: ${exclusion.code}${exclusion.evidenceRequired ? ' (keep the evidence)' : ''}`,
      })),
    })}
    ${when(
      profile.exclusions.some((exclusion) => exclusion.code === LEGAL_PROCEEDINGS_EXCLUSION),
      () => html`<h4 class="govuk-heading-s">If legal proceedings have started</h4>
    <p class="govuk-body">A claim must have been filed at court (Code 2.2): a pre-action letter is not enough. Give at least one of these.</p>
    ${textInput({ name: 'legal-court', label: 'The court', error: errorFor(errors, 'legal-court'), value: v('legal-court') })}
    ${textInput({ name: 'legal-claim-number', label: 'The claim number', error: errorFor(errors, 'legal-claim-number'), value: v('legal-claim-number'), width: '20', spellcheck: false })}
    ${dateInput({ name: 'legal-filed', legend: 'When the claim was filed', hint: 'For example, 27 3 2026', error: errorFor(errors, 'legal-filed'), value: dateValue(fc, 'triage', 'legal-filed') })}`,
    )}
    ${when(
      profile.exclusions.some((exclusion) => isTimeLimitExclusion(exclusion.code)),
      () => html`<h4 class="govuk-heading-s">If it is outside the time limit</h4>
    <p class="govuk-body" data-testid="complaint-dates">${complaintDatesWords(fc.state, profile)}</p>
    ${textarea({
      name: 'out-of-time-reason',
      label: 'Why you think it is outside the time limit',
      hint: 'Needed when the complaint gives no date (Code 2.3). Where there is a good reason for the delay, accept it.',
      error: errorFor(errors, 'out-of-time-reason'),
      value: v('out-of-time-reason'),
    })}`,
    )}
    ${textarea({
      name: 'rationale',
      label: 'Why it cannot be accepted',
      hint: 'Explain the decision to the resident (Code 2.4)',
      error: errorFor(errors, 'rationale'),
      value: v('rationale'),
    })}
    ${textarea({
      name: 'ombudsmanRoute',
      label: 'How the resident can ask the Ombudsman to look at this decision',
      error: errorFor(errors, 'ombudsmanRoute'),
      value: v('ombudsmanRoute', defaultNonAcceptanceRoute(profile)),
    })}
    ${button('Record the triage decision')}`,
  );
}

/** What the complaint says about when it happened, for the Code 2.3 decision. */
function complaintDatesWords(state: CaseState, profile: ProviderProfile): string {
  const { happenedOn, becameAwareOn } = state.complaint;
  const window = durationWords(profile.raisingWindow);
  const given = [
    happenedOn && `it happened on ${formatCivilDate(happenedOn)}`,
    becameAwareOn && `they became aware of it on ${formatCivilDate(becameAwareOn)}`,
  ].filter(Boolean);
  if (given.length === 0) {
    return `The complaint gives no date. Complaints are accepted within ${window} of the issue or of the resident becoming aware of it.`;
  }
  return `The resident says ${given.join(' and ')}. A complaint made within ${window} of the later date must be accepted: the time-limit reason is refused if it was.`;
}

/** Rows in the response form: one per open action, then room for new ones. */
function plannedRowCount(state: CaseState): number {
  return openActions(state).length + MAX_PLANNED_ACTIONS;
}

function acknowledgeForm(fc: FormContext, stage: 1 | 2): SafeHtml {
  const { errors, state } = fc;
  const v = (name: string, fallback = '') => value(fc, 'acknowledge', name, fallback);
  const definitionDefault = stage === 2 ? (state.stage1.definition ?? '') : '';
  // What the resident asked for, in their words, is where the handler starts (Code 5.6).
  const outcomesDefault =
    stage === 2 ? state.stage1.outcomesSought.join('\n') : state.complaint.outcomeWanted;
  return form(
    fc,
    'task',
    'acknowledge',
    `Acknowledge the complaint at stage ${stage}`,
    html`${textarea({
      name: 'definition',
      label: 'What the complaint is about (the complaint definition)',
      hint: 'In your own words, as the acknowledgement will set it out to the resident (Code 5.6)',
      error: errorFor(errors, 'definition'),
      value: v('definition', definitionDefault),
    })}
    ${textarea({
      name: 'outcomes',
      label: 'The outcomes the resident is seeking',
      hint: 'One outcome per line',
      error: errorFor(errors, 'outcomes'),
      value: v('outcomes', outcomesDefault),
    })}
    ${button(`Acknowledge at stage ${stage}`)}`,
  );
}

/** The extension still possible at a stage: the cap's remainder, or the most one request may ask. */
export function extensionLeft(profile: ProviderProfile, state: CaseState, stage: 1 | 2) {
  const allowance = extensionAllowance(state, stage, profile.stages[stage - 1]);
  return { ...allowance, remaining: allowance.remaining ?? MAX_EXTENSION_WORKING_DAYS };
}

function sendText(action: Preview['action'], stage: 1 | 2): string {
  if (action === 'extend') return 'Send extension notice';
  return stage === 1 ? 'Send the stage 1 response' : 'Send the final response';
}

/**
 * The preview, shown first on the page (the form is far down it): what is missing, the letter as it will be
 * sent, and the send button, which submits the form below through its form attribute (no JavaScript).
 */
export function previewSummary(fc: FormContext): SafeHtml {
  const preview = fc.preview;
  if (!preview) return html``;
  const { action } = preview;
  const formId = `${action}-form`;
  const what = action === 'extend' ? 'notice' : 'letter';
  const canSend = preview.problems.length === 0;
  return html`<section class="govuk-!-margin-bottom-8" id="preview" aria-labelledby="preview-heading" data-testid="${action}-preview">
  <h2 class="govuk-heading-l" id="preview-heading">Preview: the ${what} the resident will be sent</h2>
  ${when(preview.newDueDate, () => html`<p class="govuk-body" data-testid="new-due-date">New response date: <strong>${formatCivilDate(preview.newDueDate as string)}</strong></p>`)}
  ${when(
    !canSend,
    () => html`${warningText(`This ${what} cannot be sent yet. What is missing or wrong:`)}
  <ul class="govuk-list govuk-list--bullet" data-testid="letter-problems">${join(preview.problems.map((problem) => html`<li>${problem}</li>`))}</ul>`,
  )}
  ${insetText(html`<p class="govuk-body"><strong>Subject: ${preview.subject}</strong></p>${paragraphs(preview.text)}`, 'letter-preview')}
  <div class="govuk-button-group">
    ${when(canSend, () => html`<button type="submit" form="${formId}" class="govuk-button" data-module="govuk-button" name="intent" value="send">${sendText(action, fc.task ? stageOf(fc.task.step) : 1)}</button>`)}
    <a class="govuk-link" href="#${formId}">${canSend ? `Change the ${what}` : `Change the ${what} and preview it again`}</a>
  </div>
</section>`;
}

/** Inside the form, after a preview: where the preview is (it is shown at the top of the page). */
function previewBlock(fc: FormContext, action: 'extend' | 'respond'): SafeHtml {
  if (fc.preview?.action !== action) return html``;
  return html`<p class="govuk-body"><a class="govuk-link" href="#preview">Back to the preview at the top of the page</a></p>`;
}

function previewButtons(fc: FormContext, action: 'extend' | 'respond'): SafeHtml {
  const previewed = fc.preview?.action === action;
  return html`<div class="govuk-button-group">
    ${button(previewed ? 'Preview again with changes' : 'Preview', { name: 'intent', value: 'preview', secondary: previewed })}
  </div>`;
}

function extendForm(fc: FormContext, stage: 1 | 2): SafeHtml {
  const { profile, errors, state } = fc;
  const v = (name: string) => value(fc, 'extend', name);
  const policy = profile.stages[stage - 1];
  const { used, cap, remaining } = extensionLeft(profile, state, stage);
  const usage =
    cap === null
      ? `${used} working days used (the policy sets no cap).`
      : `${used} of ${cap} working days used.`;
  if (cap !== null && remaining === 0) {
    return html`<section class="govuk-!-margin-bottom-8" data-testid="extend-form">
  <h3 class="govuk-heading-m">Extend the time to respond</h3>
  <p class="govuk-body">${usage} No more extensions are possible at stage ${stage}.</p>
</section>`;
  }
  return form(
    fc,
    'task',
    'extend',
    'Extend the time to respond',
    html`<p class="govuk-body" data-testid="extension-usage">${usage}${cap === null ? '' : ` At most ${remaining} more.`}</p>
    ${radios({
      name: 'extend-reason',
      legend: 'Why is more time needed?',
      error: errorFor(errors, 'extend-reason'),
      value: v('extend-reason'),
      items: (policy?.extension.allowedReasons ?? []).map((reason) => ({ value: reason, text: reason })),
    })}
    ${textInput({
      name: 'extend-days',
      label: 'How many more working days?',
      hint: `A whole number from 1 to ${remaining}`,
      error: errorFor(errors, 'extend-days'),
      value: v('extend-days'),
      width: '3',
      spellcheck: false,
    })}
    ${textarea({
      name: 'extend-explanation',
      label: 'Explanation for the resident',
      hint: 'Sent to the resident in the extension notice',
      error: errorFor(errors, 'extend-explanation'),
      value: v('extend-explanation'),
    })}
    ${previewBlock(fc, 'extend')}
    ${previewButtons(fc, 'extend')}`,
  );
}

function respondForm(fc: FormContext, stage: 1 | 2): SafeHtml {
  const { profile, errors, state } = fc;
  const v = (name: string, fallback = '') => value(fc, 'respond', name, fallback);
  const record = stage === 1 ? state.stage1 : state.stage2;
  // Actions still open are carried into this letter (Code 6.6, 6.9): prefilled, each keeping its id.
  const open = openActions(state);
  const plannedRows = Array.from({ length: plannedRowCount(state) }, (_, index) => index + 1).map((n) => {
    const carried: (typeof open)[number] | undefined = open[n - 1];
    const id =
      fc.submitted?.action === 'respond' ? value(fc, 'respond', `oa${n}-id`) : (carried?.actionId ?? '');
    return html`<h4 class="govuk-heading-s">Outstanding action ${n}${id ? ` (${id}, still open: keep it in the letter)` : ''}</h4>
    ${id ? hidden(`oa${n}-id`, id) : html``}
    ${textInput({ name: `oa${n}-description`, label: 'What will be done', error: errorFor(errors, `oa${n}-description`), value: v(`oa${n}-description`, carried?.description) })}
    ${textInput({ name: `oa${n}-owner`, label: 'Who will do it', error: errorFor(errors, `oa${n}-owner`), value: v(`oa${n}-owner`, carried?.owner), width: '20' })}
    ${dateInput({ name: `oa${n}-due`, legend: 'By when', hint: 'For example, 27 3 2026', error: errorFor(errors, `oa${n}-due`), value: dateValue(fc, 'respond', `oa${n}-due`, carried?.dueDate) })}`;
  });
  return form(
    fc,
    'task',
    'respond',
    stage === 1 ? 'Send the stage 1 response' : 'Send the stage 2 (final) response',
    html`${textarea({
      name: 'complaintDefinition',
      label: 'What the complaint is about',
      error: errorFor(errors, 'complaintDefinition'),
      value: v('complaintDefinition', record.definition ?? ''),
    })}
    ${radios({
      name: 'decision',
      legend: 'Decision',
      error: errorFor(errors, 'decision'),
      value: v('decision'),
      items: DECISIONS.map((decision) => ({ value: decision, text: DECISION_WORDS[decision] ?? decision })),
    })}
    ${textarea({
      name: 'reasons',
      label: 'The reasons for the decision',
      error: errorFor(errors, 'reasons'),
      value: v('reasons'),
      rows: 8,
    })}
    ${radios({
      name: 'remedy',
      legend: 'Remedy: putting things right',
      error: errorFor(errors, 'remedy'),
      value: v('remedy'),
      items: [
        {
          value: 'none',
          text: 'No remedy',
          hint: 'If the complaint is upheld or partly upheld, say below why no remedy is due (Code 7.1)',
        },
        { value: 'remedy', text: 'A remedy', hint: 'Describe it below; compensation is optional' },
      ],
    })}
    ${textarea({
      name: 'noRemedyReason',
      label: 'Why no remedy is due',
      hint: 'Needed if you chose no remedy for a complaint that is upheld or partly upheld; sent to the resident',
      error: errorFor(errors, 'noRemedyReason'),
      value: v('noRemedyReason'),
    })}
    ${textarea({
      name: 'remedyDescription',
      label: 'What we will do to put things right',
      hint: 'Needed if you chose a remedy',
      error: errorFor(errors, 'remedyDescription'),
      value: v('remedyDescription'),
    })}
    ${textInput({
      name: 'compensation',
      label: 'Compensation in pounds (optional)',
      hint: `For example, 50 or 75.50. ${profile.compensation.handlerLimitPounds !== undefined ? `Above £${profile.compensation.handlerLimitPounds} needs a manager.` : ''}`,
      error: errorFor(errors, 'compensation'),
      value: v('compensation'),
      width: '5',
    })}
    ${radios({
      name: 'actions',
      legend: 'Outstanding actions',
      error: errorFor(errors, 'actions'),
      value: v('actions', open.length > 0 ? 'some' : ''),
      hint:
        open.length > 0
          ? `${open.length} action(s) promised on this case are still open: they are filled in below and must stay in the letter, or be marked as done first.`
          : undefined,
      items: [
        { value: 'none', text: 'No outstanding actions' },
        {
          value: 'some',
          text: 'There are outstanding actions',
          hint: `Give them below (up to ${MAX_PLANNED_ACTIONS} new ones)`,
        },
      ],
    })}
    ${join(plannedRows)}
    ${textarea({
      name: 'escalationRoute',
      label:
        stage === 1
          ? 'How the resident can escalate to stage 2'
          : 'How the resident can refer it to the Ombudsman',
      error: errorFor(errors, 'escalationRoute'),
      value: v('escalationRoute', defaultEscalationRoute(profile, stage)),
      rows: 6,
    })}
    ${previewBlock(fc, 'respond')}
    ${previewButtons(fc, 'respond')}`,
  );
}

function escalateForm(fc: FormContext): SafeHtml {
  return form(
    fc,
    'task',
    'escalate',
    "Ask for stage 2 on the resident's behalf",
    html`<p class="govuk-body">Use this when the resident asks by phone, letter or in person.</p>
    ${textarea({
      name: 'escalate-reason',
      label: 'Why the resident is unhappy (optional)',
      error: errorFor(fc.errors, 'escalate-reason'),
      value: value(fc, 'escalate', 'escalate-reason'),
    })}
    ${button('Ask for stage 2')}`,
  );
}

function withdrawForm(fc: FormContext): SafeHtml {
  return form(
    fc,
    'task',
    'withdraw',
    "Withdraw the complaint on the resident's behalf",
    html`${textarea({
      name: 'withdraw-reason',
      label: 'Reason (optional)',
      error: errorFor(fc.errors, 'withdraw-reason'),
      value: value(fc, 'withdraw', 'withdraw-reason'),
    })}
    ${checkboxes({
      name: 'withdraw-confirm',
      legend: 'Confirm',
      error: errorFor(fc.errors, 'withdraw-confirm'),
      values: values(fc, 'withdraw', 'withdraw-confirm'),
      items: [{ value: 'yes', text: 'The resident has asked us to withdraw their complaint' }],
    })}
    ${button('Withdraw the complaint', { warning: true })}`,
  );
}

function closeForm(fc: FormContext): SafeHtml {
  const window = fc.state.escalationWindow;
  return form(
    fc,
    'task',
    'close',
    'Close the complaint as resolved at stage 1',
    html`<p class="govuk-body">Use this when the matter is resolved at stage 1. The resident is told it is closed and how to contact the Ombudsman. Any outstanding actions must be completed first.</p>
    ${
      window
        ? html`<p class="govuk-body" data-testid="close-window">The resident can ask for stage 2 until ${formatCivilDate(window.dueDate)}. Before then, close it only if the resident has told you they are satisfied, and record how and when they said so.</p>`
        : html`<p class="govuk-body" data-testid="close-window">The resident can ask for stage 2 at any time (the policy sets no deadline). Close it only if the resident has told you they are satisfied, and record how and when they said so.</p>`
    }
    ${checkboxes({
      name: 'close-satisfied-confirm',
      legend: 'Has the resident said they are satisfied?',
      error: errorFor(fc.errors, 'close-satisfied-confirm'),
      values: values(fc, 'close', 'close-satisfied-confirm'),
      items: [{ value: 'yes', text: 'The resident has told us they are satisfied and do not want stage 2' }],
    })}
    ${textarea({
      name: 'close-satisfied',
      label: 'How and when the resident told us',
      hint: window
        ? 'Needed to close before the window to ask for stage 2 ends. For example: "Phoned on 4 March: happy with the repair."'
        : 'Needed to close while the resident can still ask for stage 2. For example: "Phoned on 4 March: happy with the repair."',
      error: errorFor(fc.errors, 'close-satisfied'),
      value: value(fc, 'close', 'close-satisfied'),
    })}
    ${checkboxes({
      name: 'close-confirm',
      legend: 'Confirm',
      error: errorFor(fc.errors, 'close-confirm'),
      values: values(fc, 'close', 'close-confirm'),
      items: [{ value: 'yes', text: 'The complaint is resolved at stage 1' }],
    })}
    ${button('Close the complaint', { secondary: true })}`,
  );
}

/** The forms for the case's open task, or why there are none. */
export function taskForms(fc: FormContext): SafeHtml {
  const { task, state, staff } = fc;
  if (!task) {
    return html`<p class="govuk-body" data-testid="no-task">${state.status === 'closed' ? 'The case is closed: there is nothing to act on.' : 'There is no open task on this case right now: the workflow will create one when the next step is due.'}</p>`;
  }
  const stage = stageOf(task.step);
  const sameHandler = stage === 2 && handledStage1(state, staff.id);
  const heading = html`<p class="govuk-body">Open task: <strong>${STEP_WORDS[task.step]}</strong> (for the ${task.role} role).</p>`;
  if (!sameHandler && !mayAct(staff.role, task.role)) {
    return html`${heading}<p class="govuk-body" data-testid="cannot-act">This task is for a ${task.role}. A ${staff.role} cannot act on it: ask a ${task.role} or a manager.</p>`;
  }
  const forms = offeredActions(task.step, state, staff.id);
  const render = (action: TaskFormAction): SafeHtml => {
    switch (action) {
      case 'triage':
        return triageForm(fc);
      case 'acknowledge':
        return acknowledgeForm(fc, stage);
      case 'extend':
        return extendForm(fc, stage);
      case 'respond':
        return respondForm(fc, stage);
      case 'escalate':
        return escalateForm(fc);
      case 'withdraw':
        return withdrawForm(fc);
      case 'close':
        return closeForm(fc);
    }
  };
  return html`${heading}
${when(
  sameHandler,
  () =>
    html`<div data-testid="same-handler">${warningText(
      `You handled this complaint at stage 1, so you cannot acknowledge, extend or respond to it at stage 2 (Code 6.13). Ask a colleague who was not involved at stage 1 to take it.`,
    )}</div>`,
)}
${join(forms.map(render))}`;
}

// ---------------------------------------------------------------------------------------------------------
// Case-level forms

export function caseForms(fc: FormContext): SafeHtml {
  const { errors, state } = fc;
  const open = openActions(state);
  const actionsAllowed = allowsEvent(state.status, 'action-added');
  return html`${form(
    fc,
    'record',
    'note',
    'Add a note',
    html`${textarea({ name: 'note-text', label: 'Note (staff only)', error: errorFor(errors, 'note-text'), value: value(fc, 'note', 'note-text') })}
    ${button('Add note', { secondary: true })}`,
  )}
${when(actionsAllowed, () =>
  form(
    fc,
    'record',
    'add-action',
    'Add an outstanding action',
    html`${textInput({ name: 'add-action-description', label: 'What will be done', error: errorFor(errors, 'add-action-description'), value: value(fc, 'add-action', 'add-action-description') })}
    ${textInput({ name: 'add-action-owner', label: 'Who will do it', error: errorFor(errors, 'add-action-owner'), value: value(fc, 'add-action', 'add-action-owner'), width: '20' })}
    ${dateInput({ name: 'add-action-due', legend: 'By when', hint: 'For example, 27 3 2026', error: errorFor(errors, 'add-action-due'), value: dateValue(fc, 'add-action', 'add-action-due') })}
    ${button('Add outstanding action', { secondary: true })}`,
  ),
)}
${when(actionsAllowed && open.length > 0, () =>
  form(
    fc,
    'record',
    'complete-action',
    'Complete an outstanding action',
    html`${radios({
      name: 'complete-action-id',
      legend: 'Which action is done?',
      error: errorFor(errors, 'complete-action-id'),
      value: value(fc, 'complete-action', 'complete-action-id'),
      items: open.map((action) => ({
        value: action.actionId,
        text: `${action.actionId}: ${action.description}`,
        hint: `Who: ${action.owner}`,
      })),
    })}
    ${textarea({ name: 'complete-action-note', label: 'What was done', error: errorFor(errors, 'complete-action-note'), value: value(fc, 'complete-action', 'complete-action-note') })}
    ${button('Mark as done', { secondary: true })}`,
  ),
)}
${form(
  fc,
  'record',
  'ombudsman-referral',
  'Record an Ombudsman referral',
  html`${textInput({ name: 'referral-reference', label: "The Ombudsman's reference (optional)", error: errorFor(errors, 'referral-reference'), value: value(fc, 'ombudsman-referral', 'referral-reference'), width: '20' })}
    ${textarea({ name: 'referral-notes', label: 'Notes (optional)', error: errorFor(errors, 'referral-notes'), value: value(fc, 'ombudsman-referral', 'referral-notes') })}
    ${button('Record referral', { secondary: true })}`,
)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

export interface Parsed<T> {
  action?: T;
  errors: FieldError[];
}

function required(body: FormValues, name: string, message: string, errors: FieldError[]): string {
  const text = field(body, name);
  if (!text) errors.push({ field: name, message });
  return text;
}

function parsePounds(text: string): number | undefined | 'invalid' {
  if (!text) return undefined;
  const cleaned = text.replace(/^£/, '').replace(/,/g, '').trim();
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return 'invalid';
  return Number(cleaned);
}

/** What a reason needs on record: the court filing (Code 2.2), or why an undated issue is too old (2.3). */
function exclusionEvidence(
  body: FormValues,
  exclusionCode: string,
  state: CaseState,
  errors: FieldError[],
): {
  legalProceedings?: { court?: string; claimNumber?: string; filedOn?: string };
  outOfTimeReason?: string;
} {
  if (exclusionCode === LEGAL_PROCEEDINGS_EXCLUSION) {
    const court = field(body, 'legal-court');
    const claimNumber = field(body, 'legal-claim-number');
    const filed = dateFrom(body, 'legal-filed', 'the date the claim was filed', { required: false });
    if (filed.error) errors.push(filed.error);
    else if (!court && !claimNumber && !filed.value) {
      errors.push({
        field: 'legal-court',
        message: 'Give the court, the claim number or the date the claim was filed (Code 2.2)',
      });
    }
    return {
      legalProceedings: {
        ...(court ? { court } : {}),
        ...(claimNumber ? { claimNumber } : {}),
        ...(filed.value ? { filedOn: filed.value } : {}),
      },
    };
  }
  if (isTimeLimitExclusion(exclusionCode)) {
    const outOfTimeReason = field(body, 'out-of-time-reason');
    const { happenedOn, becameAwareOn } = state.complaint;
    if (!outOfTimeReason && !happenedOn && !becameAwareOn) {
      errors.push({
        field: 'out-of-time-reason',
        message: 'The complaint gives no date: say why you think it is outside the time limit (Code 2.3)',
      });
    }
    return outOfTimeReason ? { outOfTimeReason } : {};
  }
  return {};
}

export function parseTaskForm(
  body: FormValues,
  context: { profile: ProviderProfile; state: CaseState; step: TaskRecord['step'] },
): Parsed<TaskAction> {
  const errors: FieldError[] = [];
  const kind = field(body, 'action');
  const stage = stageOf(context.step);
  switch (kind) {
    case 'triage': {
      const outcome = field(body, 'outcome');
      if (outcome === 'complaint') {
        const notes = field(body, 'complaint-notes');
        return { action: { action: 'triage', outcome, ...(notes ? { notes } : {}) }, errors };
      }
      if (outcome === 'service-request') {
        const notes = required(
          body,
          'triage-notes',
          'Say what will be done about the service request',
          errors,
        );
        return errors.length ? { errors } : { action: { action: 'triage', outcome, notes }, errors };
      }
      if (outcome === 'not-accepted') {
        const exclusionCode = field(body, 'exclusionCode');
        if (exclusionCode === SERVICE_REQUEST_EXCLUSION) {
          errors.push({
            field: 'exclusionCode',
            message:
              'A service request is not a reason to refuse a complaint: choose "A service request" instead',
          });
        } else if (!context.profile.exclusions.some((exclusion) => exclusion.code === exclusionCode)) {
          errors.push({
            field: 'exclusionCode',
            message: 'Select the reason in the complaints policy that applies',
          });
        }
        const rationale = required(body, 'rationale', 'Explain why it cannot be accepted', errors);
        const ombudsmanRoute = required(
          body,
          'ombudsmanRoute',
          'Say how the resident can ask the Ombudsman to look at this decision',
          errors,
        );
        const evidence = exclusionEvidence(body, exclusionCode, context.state, errors);
        return errors.length
          ? { errors }
          : {
              action: { action: 'triage', outcome, exclusionCode, rationale, ombudsmanRoute, ...evidence },
              errors,
            };
      }
      return {
        errors: [
          {
            field: 'outcome',
            message: 'Select whether it is a complaint, a service request or not accepted',
          },
        ],
      };
    }
    case 'acknowledge': {
      const definition = required(body, 'definition', 'Enter what the complaint is about', errors);
      const outcomesSought = lines(field(body, 'outcomes'));
      if (outcomesSought.length === 0) {
        errors.push({
          field: 'outcomes',
          message: 'Enter at least one outcome the resident is seeking, one per line',
        });
      }
      return errors.length
        ? { errors }
        : { action: { action: 'acknowledge', definition, outcomesSought }, errors };
    }
    case 'extend': {
      const { remaining } = extensionLeft(context.profile, context.state, stage);
      const reason = field(body, 'extend-reason');
      const allowed = context.profile.stages[stage - 1]?.extension.allowedReasons ?? [];
      if (!allowed.includes(reason))
        errors.push({ field: 'extend-reason', message: 'Select why more time is needed' });
      const daysText = field(body, 'extend-days');
      const workingDays = Number(daysText);
      if (!/^\d+$/.test(daysText) || workingDays < 1 || workingDays > remaining) {
        errors.push({
          field: 'extend-days',
          message:
            remaining > 0
              ? `Enter a whole number of working days from 1 to ${remaining}`
              : 'No more extensions are possible at this stage',
        });
      }
      const explanation = required(
        body,
        'extend-explanation',
        'Enter an explanation for the resident',
        errors,
      );
      return errors.length
        ? { errors }
        : { action: { action: 'extend', workingDays, reason, explanation }, errors };
    }
    case 'respond': {
      const complaintDefinition = required(
        body,
        'complaintDefinition',
        'Enter what the complaint is about',
        errors,
      );
      const decision = field(body, 'decision');
      if (!(DECISIONS as readonly string[]).includes(decision)) {
        errors.push({ field: 'decision', message: 'Select the decision' });
      }
      const reasons = required(body, 'reasons', 'Enter the reasons for the decision', errors);
      const remedyChoice = field(body, 'remedy');
      let remedy: 'none' | { description: string; compensationPounds?: number } = 'none';
      if (remedyChoice === 'remedy') {
        const description = required(
          body,
          'remedyDescription',
          'Describe the remedy, or choose no remedy',
          errors,
        );
        const pounds = parsePounds(field(body, 'compensation'));
        if (pounds === 'invalid') {
          errors.push({
            field: 'compensation',
            message: 'Enter compensation in pounds, for example 50 or 75.50',
          });
        }
        remedy = { description, ...(typeof pounds === 'number' ? { compensationPounds: pounds } : {}) };
      } else if (remedyChoice !== 'none') {
        errors.push({ field: 'remedy', message: 'Select whether there is a remedy' });
      }
      const noRemedyReason = remedyChoice === 'none' ? field(body, 'noRemedyReason') : '';
      if (
        remedyChoice === 'none' &&
        !noRemedyReason &&
        (decision === 'upheld' || decision === 'partly-upheld')
      ) {
        errors.push({
          field: 'noRemedyReason',
          message: `The complaint is ${DECISION_WORDS[decision]?.toLowerCase() ?? decision}: describe the remedy, or say why no remedy is due (Code 7.1)`,
        });
      }
      const actionsChoice = field(body, 'actions');
      const open = openActions(context.state);
      let outstandingActions: 'none' | LetterAction[] = 'none';
      if (actionsChoice === 'none' && open.length > 0) {
        errors.push({
          field: 'actions',
          message: `${open.length} action(s) promised on this case are still open (${open.map((a) => a.actionId).join(', ')}): keep them in the letter, or mark them as done first (Code 6.6)`,
        });
      }
      if (actionsChoice === 'some') {
        const planned: LetterAction[] = [];
        for (let n = 1; n <= plannedRowCount(context.state); n++) {
          const actionId = field(body, `oa${n}-id`);
          const description = field(body, `oa${n}-description`);
          const owner = field(body, `oa${n}-owner`);
          const due = dateFrom(body, `oa${n}-due`, 'the date it will be done by', { required: false });
          const any = description || owner || due.value || due.error;
          if (!any) continue;
          if (!description)
            errors.push({ field: `oa${n}-description`, message: `Say what outstanding action ${n} is` });
          if (!owner)
            errors.push({ field: `oa${n}-owner`, message: `Say who will do outstanding action ${n}` });
          if (due.error)
            errors.push({ ...due.error, message: `Outstanding action ${n}: ${due.error.message}` });
          else if (!due.value)
            errors.push({ field: `oa${n}-due`, message: `Enter when outstanding action ${n} will be done` });
          if (description && owner && due.value) {
            planned.push({ ...(actionId ? { actionId } : {}), description, owner, dueDate: due.value });
          }
        }
        if (planned.length === 0 && !errors.some((error) => error.field.startsWith('oa'))) {
          errors.push({
            field: 'oa1-description',
            message: 'Give at least one outstanding action, or choose no outstanding actions',
          });
        }
        outstandingActions = planned;
      } else if (actionsChoice !== 'none') {
        errors.push({ field: 'actions', message: 'Select whether there are outstanding actions' });
      }
      const escalationRoute = required(
        body,
        'escalationRoute',
        stage === 1 ? 'Say how the resident can escalate to stage 2' : 'Give the route to the Ombudsman',
        errors,
      );
      if (errors.length) return { errors };
      return {
        action: {
          action: 'respond',
          complaintDefinition,
          decision: decision as (typeof DECISIONS)[number],
          reasons,
          remedy,
          ...(noRemedyReason ? { noRemedyReason } : {}),
          outstandingActions,
          escalationRoute,
        },
        errors,
      };
    }
    case 'escalate': {
      const reason = field(body, 'escalate-reason');
      return { action: { action: 'escalate', ...(reason ? { reason } : {}) }, errors };
    }
    case 'withdraw': {
      if (!fieldList(body, 'withdraw-confirm').includes('yes')) {
        return {
          errors: [
            {
              field: 'withdraw-confirm',
              message: 'Confirm that the resident has asked to withdraw their complaint',
            },
          ],
        };
      }
      const reason = field(body, 'withdraw-reason');
      return { action: { action: 'withdraw', ...(reason ? { reason } : {}) }, errors };
    }
    case 'close': {
      if (!fieldList(body, 'close-confirm').includes('yes')) {
        errors.push({ field: 'close-confirm', message: 'Confirm that the complaint is resolved at stage 1' });
      }
      const satisfied = fieldList(body, 'close-satisfied-confirm').includes('yes');
      const residentSatisfied = field(body, 'close-satisfied');
      if (satisfied && !residentSatisfied) {
        errors.push({
          field: 'close-satisfied',
          message: 'Say how and when the resident told us they are satisfied',
        });
      } else if (!satisfied && residentSatisfied) {
        errors.push({
          field: 'close-satisfied-confirm',
          message: 'Tick the box if the resident has told us they are satisfied, or clear the note',
        });
      }
      return errors.length
        ? { errors }
        : { action: { action: 'close', confirm: true, ...(satisfied ? { residentSatisfied } : {}) }, errors };
    }
    default:
      return { errors: [{ field: 'task-forms', message: 'Choose one of the actions on this page' }] };
  }
}

export function parseCaseForm(body: FormValues): Parsed<CaseAction> {
  const errors: FieldError[] = [];
  switch (field(body, 'action')) {
    case 'note': {
      const text = required(body, 'note-text', 'Enter the note', errors);
      return errors.length ? { errors } : { action: { action: 'note', text }, errors };
    }
    case 'add-action': {
      const description = required(body, 'add-action-description', 'Say what will be done', errors);
      const owner = required(body, 'add-action-owner', 'Say who will do it', errors);
      const due = dateFrom(body, 'add-action-due', 'the date it will be done by');
      if (due.error) errors.push(due.error);
      return errors.length || !due.value
        ? { errors }
        : { action: { action: 'add-action', description, owner, dueDate: due.value }, errors };
    }
    case 'complete-action': {
      const actionId = required(body, 'complete-action-id', 'Select the action that is done', errors);
      const note = required(body, 'complete-action-note', 'Say what was done', errors);
      return errors.length ? { errors } : { action: { action: 'complete-action', actionId, note }, errors };
    }
    case 'ombudsman-referral': {
      const reference = field(body, 'referral-reference');
      const notes = field(body, 'referral-notes');
      if (reference.length > 100)
        errors.push({
          field: 'referral-reference',
          message: 'The reference must be 100 characters or fewer',
        });
      return errors.length
        ? { errors }
        : {
            action: {
              action: 'ombudsman-referral',
              ...(reference ? { reference } : {}),
              ...(notes ? { notes } : {}),
            },
            errors,
          };
    }
    default:
      return { errors: [{ field: 'case-forms', message: 'Choose one of the forms on this page' }] };
  }
}
