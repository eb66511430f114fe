import { handledStage1 } from '#shared/domain/case.ts';
import { mayAct, offeredActions, type TaskAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { warningText } from '../../ui/components.ts';
import { html, join, type SafeHtml, when } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { STEP_WORDS } from '../words.ts';
import { acknowledgeForm } from './acknowledge.ts';
import { addActionForm } from './add-action.ts';
import { categoryForm } from './category.ts';
import { closeForm } from './close.ts';
import { completeActionForm } from './complete-action.ts';
import { escalateForm } from './escalate.ts';
import { extendForm } from './extend.ts';
import type { CaseForm, FormContext, Parsed, TaskForm, TaskFormContext } from './form.ts';
import { legalHoldForm, releaseLegalHoldForm } from './legal-hold.ts';
import { noteForm } from './note.ts';
import { ombudsmanOutcomeForm } from './ombudsman-outcome.ts';
import { ombudsmanReferralForm } from './ombudsman-referral.ts';
import { refuseEscalationForm } from './refuse-escalation.ts';
import { remedyPaidForm } from './remedy-paid.ts';
import { respondForm } from './respond.ts';
import { satisfactionForm } from './satisfaction.ts';
import { triageForm } from './triage.ts';
import { withdrawForm } from './withdraw.ts';

/** The staff actions on a case, one module each (its form and its parse), and the case page's two form areas. */

export type { FormContext, Preview } from './form.ts';
export { previewSummary } from './preview.ts';

const TASK_FORMS: Record<TaskAction['action'], TaskForm> = {
  triage: triageForm,
  acknowledge: acknowledgeForm,
  extend: extendForm,
  respond: respondForm,
  escalate: escalateForm,
  withdraw: withdrawForm,
  close: closeForm,
};

/** In page order. */
const CASE_FORMS = {
  note: noteForm,
  category: categoryForm,
  'add-action': addActionForm,
  'complete-action': completeActionForm,
  'remedy-paid': remedyPaidForm,
  'ombudsman-referral': ombudsmanReferralForm,
  'ombudsman-outcome': ombudsmanOutcomeForm,
  satisfaction: satisfactionForm,
  'refuse-escalation': refuseEscalationForm,
  'legal-hold': legalHoldForm,
  'release-legal-hold': releaseLegalHoldForm,
} as const satisfies Record<string, CaseForm>;

export const TASK_FORM_ACTIONS = Object.keys(TASK_FORMS) as readonly TaskAction['action'][];

function isTaskAction(action: string): action is TaskAction['action'] {
  return Object.hasOwn(TASK_FORMS, action);
}

/** The forms for the case's open task, or why there are none. */
export function taskForms(fc: FormContext): SafeHtml {
  const { task, state, staff } = fc;
  if (!task) {
    return html`<p class="govuk-body" data-testid="no-task">${state.status === 'closed' ? 'The case is closed: there is nothing to act on.' : 'There is no open task on this case right now: the workflow will create one when the next step is due.'}</p>`;
  }
  const stage = task.step.startsWith('stage2-') ? 2 : 1;
  const sameHandler = stage === 2 && handledStage1(state, staff.id);
  const heading = html`<p class="govuk-body">Open task: <strong>${STEP_WORDS[task.step]}</strong> (for the ${task.role} role).</p>`;
  if (!sameHandler && !mayAct(staff.role, task.role)) {
    return html`${heading}<p class="govuk-body" data-testid="cannot-act">This task is for a ${task.role}. A ${staff.role} cannot act on it: ask a ${task.role} or a manager.</p>`;
  }
  return html`${heading}
${when(
  sameHandler,
  () =>
    html`<div data-testid="same-handler">${warningText(
      `You handled this complaint at stage 1, so you cannot acknowledge, extend or respond to it at stage 2 (Code 6.13). Ask a colleague who was not involved at stage 1 to take it.`,
    )}</div>`,
)}
${join(offeredActions(task.step, state, staff.id).map((action) => TASK_FORMS[action].render(fc, stage)))}`;
}

/** The forms for what can be recorded on the case whatever its step. */
export function caseForms(fc: FormContext): SafeHtml {
  return join(Object.values(CASE_FORMS).map((caseForm) => caseForm.render(fc)));
}

export function parseTaskForm(body: FormValues, context: TaskFormContext): Parsed<TaskAction> {
  const action = field(body, 'action');
  if (!isTaskAction(action)) {
    return { errors: [{ field: 'task-forms', message: 'Choose one of the actions on this page' }] };
  }
  return TASK_FORMS[action].parse(body, context);
}

export function parseCaseForm(body: FormValues) {
  const action = field(body, 'action');
  if (!Object.hasOwn(CASE_FORMS, action)) {
    return { errors: [{ field: 'case-forms', message: 'Choose one of the forms on this page' }] };
  }
  return CASE_FORMS[action as keyof typeof CASE_FORMS].parse(body);
}
