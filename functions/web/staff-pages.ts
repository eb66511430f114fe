import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ZodError } from 'zod';
import {
  applyCaseEvent,
  type CaseEvent,
  type CaseState,
  CONTACT_METHODS,
  OPEN_STATUSES,
  openActions,
  STAFF_ROLES,
  type StaffRole,
} from '#shared/domain/case.ts';
import { DomainError, NotFoundError } from '#shared/domain/errors.ts';
import { type StageResponse, stageResponseProblems } from '#shared/domain/letters.ts';
import type { PositionStep } from '#shared/domain/position.ts';
import {
  DEADLINE_FILTERS,
  deadlineStatus,
  QUEUE_STAGES,
  type QueueRole,
  queueShowsActions,
  queueStageOf,
} from '#shared/domain/work-queue.ts';
import { renderResidentMessage } from '#shared/notifications/templates.ts';
import type { TaskRecord } from '#shared/ports/case-repository.ts';
import { londonWallClockToInstant, toLondon } from '#shared/time/london.ts';
import { ACTIONS_FOR_STEP, actOnTask, recordCaseAction, type TaskAction } from '#shared/usecases/actions.ts';
import { loadCase } from '#shared/usecases/case-log.ts';
import { type IntakeInput, submitComplaint } from '#shared/usecases/intake.ts';
import { findCases, type SearchKind, type SearchResult } from '#shared/usecases/search.ts';
import { staffQueue, UNASSIGNED } from '#shared/usecases/staff-queue.ts';
import { positionOf, resendOwedCallbacks } from '#shared/usecases/workflow.ts';
import { isServiceBusy, toHttpError } from '../lib/errors.ts';
import { checkId } from '../lib/middleware.ts';
import { contentDisposition } from './attachments.ts';
import {
  button,
  dateInput,
  errorFor,
  errorSummary,
  type FieldError,
  hidden,
  radios,
  table,
  textarea,
  textInput,
} from './components.ts';
import { html, type SafeHtml } from './html.ts';
import { field, formBody, redirect } from './http.ts';
import { type StaffPageContext, staffPage } from './route.ts';
import {
  caseForms,
  type FormContext,
  type Preview,
  parseCaseForm,
  parseTaskForm,
  previewSummary,
  TASK_FORM_ACTIONS,
  taskForms,
} from './staff/actions/index.ts';
import { checkCsrf, csrfToken } from './staff-auth.ts';
import {
  actionsSection,
  attachmentsSection,
  type CaseView,
  complaintDetails,
  deadlinesSection,
  referralsSection,
  residentDetails,
  residentNeedsBanner,
  statusSection,
  timelineSection,
} from './staff-case-view.ts';
import {
  banner,
  CHANNEL_WORDS,
  CONTACT_WORDS,
  civil,
  dateFrom,
  type FormValues,
  instantWords,
  RAG_FILTERS,
  ROLE_WORDS,
  ragFor,
  ragTag,
  STAGE_WORDS,
  STATUS_WORDS,
  STEP_WORDS,
  select,
  staffName,
} from './staff-format.ts';

/** The staff console: work queue, breaches and load, a case with its actions, and logging a complaint. */

const QUEUE_ROLES = [...STAFF_ROLES, 'resident'] as const;
const CASE_LINK_PLACEHOLDER = "[the resident's private case page link]";

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
  logged: 'Complaint logged: the resident will be sent the receipt.',
};

function isManager(role: StaffRole): boolean {
  return role === 'manager' || role === 'admin';
}

function caseIdOf(ctx: StaffPageContext): string {
  const caseId = ctx.event.pathParameters?.caseId;
  if (!caseId) throw new NotFoundError('There is no such case');
  return caseId;
}

function caseHref(caseId: string): string {
  return `/staff/case/${encodeURIComponent(caseId)}`;
}

function caseLink(caseId: string, reference: string): SafeHtml {
  return html`<a class="govuk-link" href="${caseHref(caseId)}">${reference}</a>`;
}

/**
 * A domain refusal, invalid input or a busy AWS service (503, "try again") as the words for an error summary,
 * with its HTTP status: the form is shown again with what was typed, so a retry loses nothing.
 */
function refusal(error: unknown): { status: number; message: string; code: string } | undefined {
  if (!(error instanceof DomainError) && !(error instanceof ZodError) && !isServiceBusy(error))
    return undefined;
  const mapped = toHttpError(error);
  if (!mapped) return undefined;
  return { status: mapped.statusCode, message: mapped.body.message, code: mapped.body.error };
}

// ---------------------------------------------------------------------------------------------------------
// Work queue

/** Managers may look at any role's queue (or all of them); everyone else sees their own role's. */
function queueRoleFor(ctx: StaffPageContext, requested: string | undefined): QueueRole {
  if (!isManager(ctx.staff.role) || !requested) return ctx.staff.role;
  if (requested === 'all') return 'all';
  return QUEUE_ROLES.find((role) => role === requested) ?? ctx.staff.role;
}

/** GET /staff?role=&stage=&status=&assignee=: open tasks, earliest due first, each against its working-day deadline. */
export const queuePage = staffPage(async (ctx) => {
  const query = ctx.event.queryStringParameters ?? {};
  const role = queueRoleFor(ctx, query.role);
  const stage = QUEUE_STAGES.find((candidate) => candidate === query.stage);
  const status = DEADLINE_FILTERS.find((candidate) => candidate === query.status);
  const assignee = query.assignee || undefined;
  const queue = await staffQueue(ctx.deps, { role, stage, status, assignee, viewerId: ctx.staff.id });
  const rows = queue.tasks;

  const roleItems = isManager(ctx.staff.role)
    ? [
        ...QUEUE_ROLES.map((r) => ({
          value: r,
          text: r === 'resident' ? 'Resident (waiting on the resident)' : ROLE_WORDS[r],
        })),
        { value: 'all', text: 'All roles' },
      ]
    : [];
  const whose = role === 'all' ? 'all roles' : `the ${role} role`;
  const filters = html`<form method="get" action="/staff" novalidate class="govuk-!-margin-bottom-6" data-testid="queue-filters">
  <h2 class="govuk-heading-m">Filter the queue</h2>
  ${
    roleItems.length
      ? select({ name: 'role', label: 'Role', value: role, items: roleItems })
      : html`<p class="govuk-body">Showing tasks for the ${ctx.staff.role} role.</p>`
  }
  ${select({
    name: 'stage',
    label: 'Stage',
    value: stage ?? '',
    items: [
      { value: '', text: 'Any stage' },
      ...QUEUE_STAGES.map((s) => ({ value: s, text: STAGE_WORDS[s] })),
    ],
  })}
  ${select({
    name: 'assignee',
    label: 'Assigned to',
    value: query.assignee ?? '',
    items: [
      { value: '', text: 'Anyone' },
      { value: 'me', text: 'Me' },
      ...queue.assignees
        .map(({ id, email }) => ({ value: id, text: email ?? id }))
        .sort((a, b) => a.text.localeCompare(b.text)),
    ],
  })}
  ${select({
    name: 'status',
    label: 'Status against the deadline',
    value: status ?? '',
    items: [{ value: '', text: 'Any status' }, ...RAG_FILTERS],
  })}
  <div class="govuk-button-group">${button('Apply filters', { secondary: true })}<a class="govuk-link" href="/staff">Clear filters</a></div>
</form>`;
  const list =
    rows.length === 0
      ? html`<p class="govuk-body" data-testid="queue-empty">There are no open tasks for ${whose}${stage || status || assignee ? ' matching these filters' : ''}.</p>`
      : table({
          caption: `${rows.length} open task${rows.length === 1 ? '' : 's'} for ${whose}, earliest due first`,
          head: ['Reference', 'What to do', 'Stage', 'Role', 'Assigned to', 'Due', 'Status'],
          rows: rows.map((task) => {
            const taskStage = queueStageOf(task.step);
            const rag = ragFor(task.deadline, task.dueAt);
            return [
              caseLink(task.caseId, task.reference),
              STEP_WORDS[task.step],
              taskStage ? STAGE_WORDS[taskStage] : 'After the response',
              ROLE_WORDS[task.role],
              task.assigneeEmail ?? task.assignee ?? UNASSIGNED,
              task.dueAt ? instantWords(task.dueAt) : 'No deadline',
              html`<span data-testid="rag" data-rag="${rag.key}">${ragTag(rag)}</span>`,
            ];
          }),
        });
  const actionRows = queue.actions;
  // Stage filters pick tasks by step; an action belongs to no step, so it is listed whatever the stage.
  const actionList = !queueShowsActions(role)
    ? html``
    : html`<h2 class="govuk-heading-m" id="outstanding-actions">Outstanding actions</h2>
<p class="govuk-body">Actions promised to residents, earliest due first. The handler mailbox is reminded ${ctx.profile.reminderLeadWorkingDays} working days before each date; managers are alerted once a date has passed.</p>
${
  actionRows.length === 0
    ? html`<p class="govuk-body" data-testid="actions-empty">There are no open outstanding actions${status || assignee ? ' matching these filters' : ''}.</p>`
    : table({
        caption: `${actionRows.length} open outstanding action${actionRows.length === 1 ? '' : 's'}, earliest due first`,
        head: ['Reference', 'Action', 'Who does it', 'Assigned to', 'Due', 'Status'],
        rows: actionRows.map((action) => {
          const rag = ragFor(action.deadline, action.dueAt);
          return [
            caseLink(action.caseId, action.reference),
            `${action.actionId}: ${action.description}`,
            action.owner,
            action.assigneeEmail ?? action.assignee ?? UNASSIGNED,
            civil(action.dueDate),
            html`<span data-testid="action-rag" data-rag="${rag.key}">${ragTag(rag)}</span>`,
          ];
        }),
      })
}`;
  return ctx.render(
    'Work queue',
    html`<h1 class="govuk-heading-l">Work queue</h1>
${searchForm('')}
<p class="govuk-body">Open tasks for ${whose}. "Due soon" means within ${ctx.profile.reminderLeadWorkingDays} working days of the deadline.</p>
${filters}
${list}
${actionList}`,
  );
});

// ---------------------------------------------------------------------------------------------------------
// Finding a case

function searchForm(query: string, errors: FieldError[] = []): SafeHtml {
  return html`<form method="get" action="/staff/search" novalidate role="search" class="govuk-!-margin-bottom-6" data-testid="case-search">
  ${textInput({
    name: 'q',
    label: 'Find a case',
    hint: "A reference like CMP-2026-000123, or the resident's full name, surname, email address or phone number",
    error: errorFor(errors, 'q'),
    value: query,
    spellcheck: false,
  })}
  ${button('Search', { secondary: true })}
</form>`;
}

const SEARCH_KIND_WORDS: Record<SearchKind, string> = {
  reference: 'the reference',
  email: 'the email address',
  phone: 'the phone number',
  name: 'the name',
};

/** GET /staff/search?q=: cases by reference, or the resident's name, email or phone (exact lookups). */
export const searchPage = staffPage(async (ctx) => {
  const query = ctx.event.queryStringParameters?.q ?? '';
  if (!query.trim()) {
    return ctx.render('Find a case', html`<h1 class="govuk-heading-l">Find a case</h1>${searchForm('')}`);
  }
  let found: SearchResult;
  try {
    found = await findCases(ctx.deps, query);
  } catch (error) {
    const problem = refusal(error);
    if (!problem) throw error;
    const errors = [{ field: 'q', message: problem.message }];
    return ctx.render(
      'Find a case',
      html`${errorSummary(errors)}<h1 class="govuk-heading-l">Find a case</h1>${searchForm(query, errors)}`,
      { status: problem.status, hasErrors: true },
    );
  }
  const { kind, cases } = found;
  const results =
    cases.length === 0
      ? html`<p class="govuk-body" data-testid="search-empty">No case matches ${SEARCH_KIND_WORDS[kind]} “${query.trim()}”. Names must be whole words (a full name, or one name such as the surname); email addresses and phone numbers must be complete.</p>`
      : table({
          caption: `${cases.length} case${cases.length === 1 ? '' : 's'} matching ${SEARCH_KIND_WORDS[kind]}, newest first`,
          head: ['Reference', 'Resident', 'Status', 'Received'],
          rows: cases.map((state) => [
            caseLink(state.caseId, state.reference),
            state.complainant.name,
            STATUS_WORDS[state.status],
            instantWords(state.receivedAt),
          ]),
        });
  return ctx.render(
    'Find a case',
    html`<h1 class="govuk-heading-l">Find a case</h1>${searchForm(query)}<div data-testid="search-results">${results}</div>`,
  );
});

// ---------------------------------------------------------------------------------------------------------
// Breaches and load

/** GET /staff/manager: missed deadlines on open cases, each handler's load, and overdue work per role. */
export const managerPage = staffPage(async (ctx) => {
  const { repository } = ctx.deps;
  const cases = (await Promise.all(OPEN_STATUSES.map((status) => repository.listByStatus(status)))).flat();
  const byId = new Map(cases.map((state) => [state.caseId, state]));
  const tasksByRole = await Promise.all(
    QUEUE_ROLES.map(async (role) => ({ role, tasks: await repository.queue(role) })),
  );
  const openTasks = tasksByRole.flatMap(({ tasks }) => tasks.filter((task) => task.status === 'open'));
  const { calendar } = ctx.deps.context.clocks;
  const rag = (task: TaskRecord) =>
    deadlineStatus(task.dueAt, ctx.now, calendar, ctx.profile.reminderLeadWorkingDays).status;

  const breaches = cases
    .flatMap((state) => state.breaches.map((breach) => ({ state, breach })))
    .sort((a, b) => b.breach.at.localeCompare(a.breach.at));
  const breachTable =
    breaches.length === 0
      ? html`<p class="govuk-body" data-testid="no-breaches">No open case has missed a deadline.</p>`
      : table({
          caption: `${breaches.length} missed deadline${breaches.length === 1 ? '' : 's'} on open cases`,
          head: ['Reference', 'Step', 'Was due', 'Breach recorded', 'Status now'],
          rows: breaches.map(({ state, breach }) => [
            caseLink(state.caseId, state.reference),
            STEP_WORDS[breach.step],
            instantWords(breach.dueAt),
            instantWords(breach.at),
            STATUS_WORDS[state.status],
          ]),
        });

  const handlerOf = (state: CaseState | undefined) => {
    const id = state?.stage1.handlers.at(-1);
    return id ? staffName(state, id) : 'unassigned';
  };
  const load = new Map<string, { cases: number; tasks: number; overdue: number }>();
  const entry = (name: string) => {
    const existing = load.get(name) ?? { cases: 0, tasks: 0, overdue: 0 };
    load.set(name, existing);
    return existing;
  };
  for (const state of cases) entry(handlerOf(state)).cases++;
  for (const task of openTasks) {
    const counts = entry(handlerOf(byId.get(task.caseId)));
    counts.tasks++;
    if (rag(task) === 'overdue') counts.overdue++;
  }
  const loadRows = [...load.entries()].sort((a, b) => b[1].tasks - a[1].tasks || a[0].localeCompare(b[0]));

  return ctx.render(
    'Breaches and load',
    html`<h1 class="govuk-heading-l">Breaches and load</h1>
<h2 class="govuk-heading-m">Missed deadlines</h2>
${breachTable}
<h2 class="govuk-heading-m">Each handler's load</h2>
<p class="govuk-body">Tasks are not assigned to people, so each open case counts for the member of staff who last handled it at stage 1 ("unassigned" until someone has).</p>
${
  loadRows.length === 0
    ? html`<p class="govuk-body">There are no open cases.</p>`
    : table({
        head: ['Stage 1 handler', 'Open cases', 'Open tasks', 'Overdue tasks'],
        rows: loadRows.map(([name, counts]) => [
          name,
          String(counts.cases),
          String(counts.tasks),
          String(counts.overdue),
        ]),
      })
}
<h2 class="govuk-heading-m">Overdue work by role</h2>
${table({
  head: ['Role', 'Open tasks', 'Overdue', 'Due soon'],
  rows: tasksByRole.map(({ role, tasks }) => {
    const open = tasks.filter((task) => task.status === 'open');
    return [
      ROLE_WORDS[role],
      String(open.length),
      String(open.filter((task) => rag(task) === 'overdue').length),
      String(open.filter((task) => rag(task) === 'due-soon').length),
    ];
  }),
})}`,
  );
});

// ---------------------------------------------------------------------------------------------------------
// A case

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
  const fc: FormContext = {
    caseId,
    csrf: csrfToken(ctx),
    profile: ctx.profile,
    state,
    staff: ctx.staff,
    task,
    submitted: options.submitted,
    errors,
    preview: options.preview,
  };
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
${caseForms(fc)}`;
  return ctx.render(`${options.preview ? 'Preview: complaint' : 'Complaint'} ${state.reference}`, body, {
    status: options.status,
    hasErrors: errors.length > 0,
  });
}

/** GET /staff/case/{caseId}: everything about a case, then the forms for what it is waiting for. */
export const casePage = staffPage(async (ctx) => {
  const done = ctx.event.queryStringParameters?.done;
  return renderCase(ctx, caseIdOf(ctx), { done });
});

/**
 * GET /staff/case/{caseId}/attachments/{index}: one of the resident's files, as a download (never shown
 * inline: it is whatever the resident sent, checked only for its type), after checking it is the file
 * that was received.
 */
export const downloadAttachment = staffPage(async (ctx) => {
  const caseId = caseIdOf(ctx);
  const index = ctx.event.pathParameters?.index ?? '';
  const { state } = await loadCase(ctx.deps, caseId);
  const record = /^\d{1,3}$/.test(index) ? state.complaint.attachments?.[Number(index)] : undefined;
  if (!record) throw new NotFoundError('There is no such file on this case');
  const stored = await ctx.deps.attachments.get(record.key);
  if (!stored) throw new NotFoundError('The file is missing from the attachment store');
  if (createHash('sha256').update(stored.bytes).digest('hex') !== record.sha256) {
    throw new Error(`Attachment ${index} of case ${caseId} does not match the SHA-256 recorded for it`);
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': record.contentType,
      'content-disposition': contentDisposition(record.name),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'referrer-policy': 'no-referrer',
    },
    body: Buffer.from(stored.bytes).toString('base64'),
    isBase64Encoded: true,
  };
});

function stageOfTask(task: TaskRecord): 1 | 2 {
  return task.step.startsWith('stage2-') ? 2 : 1;
}

/** What the resident would be sent if this extension or response were sent now (nothing is recorded). */
function previewFor(
  ctx: StaffPageContext,
  state: CaseState,
  task: TaskRecord,
  action: Extract<TaskAction, { action: 'extend' | 'respond' }>,
): Preview {
  const stage = stageOfTask(task);
  const at = ctx.now.toISOString();
  if (action.action === 'extend') {
    const event: CaseEvent = {
      type: 'extension-granted',
      at,
      by: ctx.staff,
      stage,
      workingDays: action.workingDays,
      reason: action.reason,
      explanation: action.explanation,
    };
    // Applying the event checks it as sending would (allowed reason, cap, not after the deadline).
    const next = applyCaseEvent(state, event, ctx.deps.context);
    const message = renderResidentMessage({
      template: 'extension-notice',
      state: next,
      event,
      profile: ctx.profile,
      caseLink: CASE_LINK_PLACEHOLDER,
    });
    const newDueDate = (stage === 1 ? next.stage1 : next.stage2).response?.dueDate;
    return { action: 'extend', subject: message.subject, text: message.text, problems: [], newDueDate };
  }
  const { action: _action, ...rest } = action;
  const letter: StageResponse = { stage, ...rest };
  const event: CaseEvent = { type: 'response-issued', at, by: ctx.staff, stage, letter };
  const problems = stageResponseProblems(letter, stage, ctx.profile, openActions(state));
  let next = state;
  try {
    next = applyCaseEvent(state, event, ctx.deps.context);
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'INCOMPLETE_LETTER') throw error;
  }
  const message = renderResidentMessage({
    template: stage === 1 ? 'stage1-response' : 'final-response',
    state: next,
    event,
    profile: ctx.profile,
    caseLink: CASE_LINK_PLACEHOLDER,
  });
  return { action: 'respond', subject: message.subject, text: message.text, problems };
}

/** POST /staff/case/{caseId}/task: acts on the open task (extensions and responses are previewed first). */
export const taskAction = staffPage(async (ctx) => {
  const caseId = caseIdOf(ctx);
  const body = formBody(ctx.event);
  checkCsrf(ctx, field(body, 'csrf'));
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
      return await renderCase(ctx, caseId, { submitted, preview: previewFor(ctx, state, task, action) });
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
  checkCsrf(ctx, field(body, 'csrf'));
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

// ---------------------------------------------------------------------------------------------------------
// Logging a complaint made by phone, letter, in person or social media

const LOG_CHANNELS = ['phone', 'letter', 'in-person', 'social-media', 'email'] as const;
type LogChannel = (typeof LOG_CHANNELS)[number];
const KEY_PATTERN = /^[A-Za-z0-9_-]{8,100}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s()-]{7,20}$/;
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

function newIntakeKey(): string {
  return `staff-${randomBytes(12).toString('base64url')}`;
}

function renderLogForm(
  ctx: StaffPageContext,
  body: FormValues,
  errors: FieldError[] = [],
  status?: number,
): APIGatewayProxyStructuredResultV2 {
  const v = (name: string) => field(body, name);
  const e = (name: string) => errorFor(errors, name);
  const page = html`${errorSummary(errors)}
<h1 class="govuk-heading-l">Log a complaint</h1>
<p class="govuk-body">For a complaint made by phone, letter, in person or on social media. The resident's deadlines run from when it was received.</p>
<form method="post" action="/staff/log-complaint" novalidate>
  ${hidden('csrf', csrfToken(ctx))}
  ${hidden('idempotencyKey', v('idempotencyKey'))}
  ${radios({
    name: 'channel',
    legend: 'How was it made?',
    legendSize: 'm',
    error: e('channel'),
    value: v('channel'),
    items: LOG_CHANNELS.map((channel) => ({ value: channel, text: CHANNEL_WORDS[channel] ?? channel })),
  })}
  ${dateInput({
    name: 'received',
    legend: 'When was it received?',
    hint: 'For example, 27 3 2026',
    error: e('received'),
    value: { day: v('received-day'), month: v('received-month'), year: v('received-year') },
  })}
  ${textInput({ name: 'received-time', label: 'Time received (24-hour, London time)', hint: 'For example, 14:30', error: e('received-time'), value: v('received-time'), width: '5' })}
  <h2 class="govuk-heading-m">The resident</h2>
  ${textInput({ name: 'name', label: 'Full name', error: e('name'), value: v('name'), spellcheck: false })}
  ${textInput({ name: 'email', label: 'Email address (optional)', type: 'email', error: e('email'), value: v('email'), spellcheck: false })}
  ${textInput({ name: 'phone', label: 'Phone number (optional)', type: 'tel', error: e('phone'), value: v('phone'), width: '20' })}
  ${textarea({ name: 'address', label: 'Postal address (optional)', error: e('address'), value: v('address'), rows: 4 })}
  ${radios({
    name: 'preferredContact',
    legend: 'How do they want us to contact them?',
    error: e('preferredContact'),
    value: v('preferredContact'),
    items: CONTACT_METHODS.map((method) => ({ value: method, text: CONTACT_WORDS[method] ?? method })),
  })}
  <h2 class="govuk-heading-m">The complaint</h2>
  ${textarea({ name: 'whatHappened', label: 'What went wrong', error: e('whatHappened'), value: v('whatHappened'), rows: 8 })}
  ${textarea({ name: 'outcomeWanted', label: 'What outcome they want', error: e('outcomeWanted'), value: v('outcomeWanted') })}
  ${textarea({ name: 'reasonableAdjustments', label: 'Reasonable adjustments they need (optional)', hint: 'For example, large print, phone calls instead of letters, an interpreter', error: e('reasonableAdjustments'), value: v('reasonableAdjustments') })}
  ${textarea({ name: 'vulnerability', label: 'Anything that makes them vulnerable (optional)', error: e('vulnerability'), value: v('vulnerability') })}
  ${button('Log the complaint')}
</form>`;
  return ctx.render('Log a complaint', page, {
    status: status ?? (errors.length ? 422 : 200),
    hasErrors: errors.length > 0,
  });
}

/** GET /staff/log-complaint. */
export const logComplaintForm = staffPage(async (ctx) => {
  const now = toLondon(ctx.now);
  const [year = '', month = '', day = ''] = now.date.split('-');
  const hours = String(Math.floor(now.minuteOfDay / 60)).padStart(2, '0');
  const minutes = String(now.minuteOfDay % 60).padStart(2, '0');
  return renderLogForm(ctx, {
    idempotencyKey: newIntakeKey(),
    'received-day': String(Number(day)),
    'received-month': String(Number(month)),
    'received-year': year,
    'received-time': `${hours}:${minutes}`,
  });
});

function parseLogForm(body: FormValues, now: Date): { input?: IntakeInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const v = (name: string) => field(body, name);
  const need = (name: string, message: string) => {
    if (!v(name)) errors.push({ field: name, message });
    return v(name);
  };
  const channel = v('channel');
  if (!(LOG_CHANNELS as readonly string[]).includes(channel)) {
    errors.push({ field: 'channel', message: 'Select how the complaint was made' });
  }
  const date = dateFrom(body, 'received', 'the date it was received');
  if (date.error) errors.push(date.error);
  const time = TIME.exec(v('received-time'));
  if (!time)
    errors.push({ field: 'received-time', message: 'Enter the time it was received, for example 14:30' });
  let receivedAt: string | undefined;
  if (date.value && time) {
    receivedAt = londonWallClockToInstant(date.value, Number(time[1]), Number(time[2]));
    if (Date.parse(receivedAt) > now.getTime()) {
      errors.push({
        field: 'received',
        message: 'The date and time it was received must be now or in the past',
      });
    }
  }
  const name = need('name', "Enter the resident's full name");
  const email = v('email');
  if (email && !EMAIL.test(email)) {
    errors.push({
      field: 'email',
      message: 'Enter an email address in the right format, like name@example.com',
    });
  }
  const phone = v('phone');
  if (phone && !PHONE.test(phone)) {
    errors.push({ field: 'phone', message: 'Enter a phone number of 7 to 20 digits, like 01632 960 001' });
  }
  const address = v('address');
  const preferredContact = v('preferredContact');
  if (!(CONTACT_METHODS as readonly string[]).includes(preferredContact)) {
    errors.push({ field: 'preferredContact', message: 'Select how they want us to contact them' });
  } else if (preferredContact === 'email' && !email) {
    errors.push({ field: 'email', message: 'Enter an email address, or choose another way to contact them' });
  } else if (preferredContact === 'phone' && !phone) {
    errors.push({ field: 'phone', message: 'Enter a phone number, or choose another way to contact them' });
  } else if (preferredContact === 'post' && !address) {
    errors.push({
      field: 'address',
      message: 'Enter a postal address, or choose another way to contact them',
    });
  }
  const whatHappened = need('whatHappened', 'Enter what went wrong');
  const outcomeWanted = need('outcomeWanted', 'Enter the outcome they want');
  if (errors.length || !receivedAt) return { errors };
  const optional = (value: string) => (value ? value : undefined);
  return {
    errors,
    input: {
      channel: channel as LogChannel,
      receivedAt,
      complainant: {
        name,
        email: optional(email),
        phone: optional(phone),
        address: optional(address),
        preferredContact: preferredContact as (typeof CONTACT_METHODS)[number],
        reasonableAdjustments: optional(v('reasonableAdjustments')),
        vulnerability: optional(v('vulnerability')),
      },
      complaint: { whatHappened, outcomeWanted },
    },
  };
}

const INTAKE_FIELDS: Record<string, string> = { receivedAt: 'received' };

/** POST /staff/log-complaint: creates the case (idempotent on the form's key) and opens it. */
export const logComplaint = staffPage(async (ctx) => {
  const body = formBody(ctx.event);
  checkCsrf(ctx, field(body, 'csrf'));
  if (!KEY_PATTERN.test(field(body, 'idempotencyKey'))) body.idempotencyKey = newIntakeKey();
  const { input, errors } = parseLogForm(body, ctx.now);
  if (!input) return renderLogForm(ctx, body, errors);
  try {
    const result = await submitComplaint(ctx.deps, input, field(body, 'idempotencyKey'), ctx.staff);
    return redirect(`${caseHref(result.caseId)}?done=logged`);
  } catch (error) {
    if (error instanceof ZodError) {
      const fieldErrors = error.issues.map((issue) => {
        const last = String(issue.path.at(-1) ?? 'name');
        return { field: INTAKE_FIELDS[last] ?? last, message: `${last}: ${issue.message}` };
      });
      return renderLogForm(ctx, body, fieldErrors);
    }
    const found = refusal(error);
    if (!found) throw error;
    // A key used for a different complaint: the next attempt gets a fresh one.
    if (found.code === 'CONFLICT') body.idempotencyKey = newIntakeKey();
    return renderLogForm(ctx, body, [{ field: 'channel', message: found.message }], found.status);
  }
});
