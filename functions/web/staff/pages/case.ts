import { setTimeout as sleep } from 'node:timers/promises';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { PositionStep } from '#shared/domain/position.ts';
import type { TaskRecord } from '#shared/ports/case-repository.ts';
import { ACTIONS_FOR_STEP, actOnTask, recordCaseAction } from '#shared/usecases/actions.ts';
import { loadCase, repairTaskAssignees } from '#shared/usecases/case-log.ts';
import { previewLetter } from '#shared/usecases/preview-letter.ts';
import { positionOf, resendOwedCallbacks } from '#shared/usecases/workflow.ts';
import { checkId } from '../../../lib/middleware.ts';
import { field, formBody, redirect } from '../../http.ts';
import { type StaffPageContext, staffPage } from '../../staff-route.ts';
import { banner, errorSummary, type FieldError, hidden } from '../../ui/components.ts';
import { html, when } from '../../ui/html.ts';
import {
  caseForms,
  type Preview,
  parseCaseForm,
  parseTaskForm,
  previewSummary,
  TASK_FORM_ACTIONS,
  taskForms,
} from '../actions/index.ts';
import { attachmentsSection, complaintDetails } from '../case-view/complaint.ts';
import { deadlinesSection } from '../case-view/deadlines.ts';
import { actionsSection, referralsSection } from '../case-view/outstanding.ts';
import { residentDetails, residentNeedsBanner } from '../case-view/resident.ts';
import { statusSection } from '../case-view/status.ts';
import { timelineSection } from '../case-view/timeline.ts';
import type { CaseView } from '../case-view/view.ts';
import type { FormValues } from '../form-values.ts';
import { caseHref, caseIdOf, formContext, isManager, refusal } from './common.ts';

/** A case: everything about it, the forms for what it waits for, and the two routes those forms post to. */

const DONE_MESSAGES: Record<string, string> = {
  triage: 'Triage decision recorded.',
  acknowledge: 'Complaint acknowledged: the resident will be sent the acknowledgement.',
  extend: 'Extension granted: the resident will be sent the extension notice.',
  respond: 'Response issued: the resident will be sent the letter.',
  escalate: "Stage 2 requested on the resident's behalf.",
  withdraw: 'The complaint was withdrawn: the resident will be sent a confirmation.',
  note: 'Note added.',
  'add-action': 'Outstanding action added.',
  'complete-action': 'Outstanding action marked as done.',
  'ombudsman-referral': 'Ombudsman referral recorded.',
  'legal-hold': 'Legal hold placed: the case will not be anonymised or erased while it is held.',
  'release-legal-hold': 'Legal hold released: the retention policy applies to the case again.',
  category: 'Category recorded.',
  'remedy-paid': 'Remedy carried out recorded.',
  'ombudsman-outcome': "Ombudsman's outcome recorded.",
  satisfaction: 'Satisfaction recorded.',
  'refuse-escalation': 'Stage 2 request recorded as refused: out of time.',
  logged: 'Complaint logged: the resident will be sent the receipt.',
  'held-attached': 'The held email was added to this case as correspondence from its sender.',
  'held-opened': 'A case was opened from the held email: the sender will be sent the receipt.',
};

interface CasePageOptions {
  status?: number;
  errors?: FieldError[];
  submitted?: { action: string; body: FormValues };
  preview?: Preview;
  done?: string;
}

async function openTaskOf(ctx: StaffPageContext, caseId: string): Promise<TaskRecord | undefined> {
  return (await ctx.deps.repository.tasksForCase(caseId)).find((candidate) => candidate.status === 'open');
}

/**
 * After an action on a task the workflow creates the next task a moment later (it sends the letters the case
 * is owed first). Waiting for it here shows the next form straight away, with no reload and no JavaScript;
 * an automatic refresh would be a timed change of page (WCAG 2.2.1), so the page never refreshes by itself.
 */
const NEXT_TASK_WAIT_MS = 6000;
const NEXT_TASK_POLL_MS = 200;

async function waitForNextTask(ctx: StaffPageContext, caseId: string): Promise<TaskRecord | undefined> {
  for (let waited = 0; waited < NEXT_TASK_WAIT_MS; waited += NEXT_TASK_POLL_MS) {
    await sleep(NEXT_TASK_POLL_MS);
    const task = await openTaskOf(ctx, caseId);
    if (task) return task;
  }
  return undefined;
}

/** Whether the case is at a step the workflow waits on with a task (not closing, not only tracking actions). */
function expectsTask(step: PositionStep): boolean {
  return step !== 'closed' && step !== 'ready-to-close' && ACTIONS_FOR_STEP[step].length > 0;
}

async function renderCase(
  ctx: StaffPageContext,
  caseId: string,
  options: CasePageOptions = {},
): Promise<APIGatewayProxyStructuredResultV2> {
  // A callback Step Functions refused when this case was last acted on goes now, so the next task appears.
  await resendOwedCallbacks(ctx.deps, caseId);
  const { state, events } = await loadCase(ctx.deps, caseId);
  const position = positionOf(ctx.deps, state);
  const afterTaskAction = (TASK_FORM_ACTIONS as readonly (string | undefined)[]).includes(options.done);
  let task = await openTaskOf(ctx, caseId);
  // The queue lists the task with its own copy of the assignee: one left behind by a write that stopped is put
  // right here, where staff look next.
  if (task) await repairTaskAssignees(ctx.deps, state, [task]);
  let stillWaiting = false;
  if (!task && afterTaskAction && expectsTask(position.step)) {
    task = await waitForNextTask(ctx, caseId);
    stillWaiting = !task;
  }
  const view: CaseView = {
    state,
    events,
    position,
    profile: ctx.profile,
    now: ctx.now,
    calendar: ctx.deps.context.clocks.calendar,
  };
  const errors = options.errors ?? [];
  const fc = formContext(ctx, caseId, state, {
    task,
    submitted: options.submitted,
    errors,
    preview: options.preview,
  });
  const done = options.done ? DONE_MESSAGES[options.done] : undefined;
  const body = html`${errorSummary(errors)}
${previewSummary(fc)}
${
  done
    ? banner('done', 'Success', html`<p class="govuk-notification-banner__heading">${done}</p>`, {
        success: true,
        testId: 'done',
      })
    : html``
}
${residentNeedsBanner(state)}
<span class="govuk-caption-l">Complaint</span>
<h1 class="govuk-heading-l">${state.reference}: ${state.complainant.name}</h1>
<p class="govuk-body"><a class="govuk-link" href="#task-forms">Go to what to do next</a></p>
${statusSection(view)}
${residentDetails(state)}
${complaintDetails(state)}
${attachmentsSection(state)}
${deadlinesSection(view)}
${timelineSection(view)}
${actionsSection(view)}
${referralsSection(state)}
<h2 class="govuk-heading-l" id="task-forms">What to do next</h2>
${
  stillWaiting
    ? html`<p class="govuk-body" data-testid="next-task-pending">The workflow is still setting up the next step. <a class="govuk-link" href="${caseHref(caseId)}?done=${options.done ?? ''}#task-forms">Check again</a> in a few seconds.</p>`
    : taskForms(fc)
}
<h2 class="govuk-heading-l" id="case-forms">Record something on the case</h2>
${caseForms(fc)}
${when(
  isManager(ctx.staff.role) && !state.anonymised,
  () =>
    html`<p class="govuk-body" data-testid="personal-data-link"><a class="govuk-link" href="${caseHref(caseId)}/personal-data">Correct the resident's details, or record an erasure request</a></p>`,
)}
${evidencePackForm(caseId, fc.csrf)}`;
  return ctx.render(`${options.preview ? 'Preview: complaint' : 'Complaint'} ${state.reference}`, body, {
    status: options.status,
    hasErrors: errors.length > 0,
  });
}

/** One action gives the Ombudsman the whole case: a printable document, or a ZIP of its letters and files. */
function evidencePackForm(caseId: string, csrf: string) {
  return html`<section class="govuk-!-margin-bottom-8" aria-labelledby="evidence-pack-heading" data-testid="evidence-pack-form">
  <h2 class="govuk-heading-m" id="evidence-pack-heading">Ombudsman evidence pack</h2>
  <p class="govuk-body">Everything the Ombudsman asks for in one document: the timeline, every letter sent, every deadline and how it was worked out, extensions and their reasons, remedies and outstanding actions. Preparing it is recorded on the case.</p>
  <form method="post" action="${caseHref(caseId)}/evidence-pack" id="evidence-pack-form" novalidate>
    ${hidden('csrf', csrf)}
    <div class="govuk-button-group">
      <button type="submit" class="govuk-button" data-module="govuk-button" name="format" value="html">Prepare the printable document</button>
      <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" name="format" value="zip">Download letters and files (ZIP)</button>
    </div>
  </form>
</section>`;
}

/** GET /staff/case/{caseId}: everything about a case, then the forms for what it is waiting for. */
export const casePage = staffPage(async (ctx) => {
  const done = ctx.event.queryStringParameters?.done;
  return renderCase(ctx, caseIdOf(ctx), { done });
});

/** POST /staff/case/{caseId}/task: acts on the open task (extensions and responses are previewed first). */
export const taskAction = staffPage(async (ctx) => {
  const caseId = caseIdOf(ctx);
  const body = formBody(ctx.event);
  const task = await ctx.deps.repository.getTask(checkId('task id', field(body, 'taskId')));
  if (!task || task.caseId !== caseId) throw new NotFoundError('There is no such task on this case');
  const submitted = { action: field(body, 'action'), body };
  const { state } = await loadCase(ctx.deps, caseId);
  const parsed = parseTaskForm(body, { profile: ctx.profile, state, step: task.step });
  if (!parsed.action) return renderCase(ctx, caseId, { status: 422, errors: parsed.errors, submitted });
  const action = parsed.action;
  const formId = `${action.action}-form`;
  const problem = (error: unknown) => {
    const found = refusal(error);
    if (!found) throw error;
    const target = ['TASK_NOT_OPEN', 'SAME_HANDLER', 'FORBIDDEN'].includes(found.code)
      ? 'task-forms'
      : formId;
    return renderCase(ctx, caseId, {
      status: found.status,
      errors: [{ field: target, message: found.message }],
      submitted,
    });
  };
  if ((action.action === 'extend' || action.action === 'respond') && field(body, 'intent') !== 'send') {
    try {
      return await renderCase(ctx, caseId, {
        submitted,
        preview: previewLetter(ctx.deps, state, task, ctx.staff, action),
      });
    } catch (error) {
      return problem(error);
    }
  }
  try {
    await actOnTask(ctx.deps, task.taskId, ctx.staff, action);
  } catch (error) {
    return problem(error);
  }
  return redirect(`${caseHref(caseId)}?done=${action.action}`);
});

/** POST /staff/case/{caseId}/record: notes, outstanding actions and Ombudsman referrals. */
export const recordOnCase = staffPage(async (ctx) => {
  const caseId = caseIdOf(ctx);
  const body = formBody(ctx.event);
  const submitted = { action: field(body, 'action'), body };
  const parsed = parseCaseForm(body);
  if (!parsed.action) return renderCase(ctx, caseId, { status: 422, errors: parsed.errors, submitted });
  const action = parsed.action;
  try {
    await recordCaseAction(ctx.deps, caseId, ctx.staff, action);
  } catch (error) {
    const found = refusal(error);
    if (!found || found.code === 'NOT_FOUND') throw error;
    return renderCase(ctx, caseId, {
      status: found.status,
      errors: [{ field: `${action.action}-form`, message: found.message }],
      submitted,
    });
  }
  return redirect(`${caseHref(caseId)}?done=${action.action}`);
});
