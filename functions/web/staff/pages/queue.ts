import { promiseMissed } from '#shared/domain/position.ts';
import {
  DEADLINE_FILTERS,
  QUEUE_STAGES,
  type QueueRole,
  queueShowsActions,
  queueStageOf,
} from '#shared/domain/work-queue.ts';
import { staffQueue, UNASSIGNED } from '#shared/usecases/staff-queue.ts';
import { type StaffPageContext, staffPage } from '../../staff-route.ts';
import { button, select, table } from '../../ui/components.ts';
import { html } from '../../ui/html.ts';
import {
  civil,
  instantWords,
  RAG_FILTERS,
  ROLE_WORDS,
  ragFor,
  ragTag,
  STAGE_WORDS,
  STEP_WORDS,
} from '../words.ts';
import { caseLink, isManager, QUEUE_ROLES } from './common.ts';
import { searchForm } from './search.ts';

/** The work queue: open tasks and outstanding actions, filtered, against their deadlines. */

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
            const rag = ragFor(
              task.deadline,
              task.dueAt,
              task.promisedDate
                ? { date: task.promisedDate, missed: promiseMissed(task.promisedDate, ctx.now) }
                : undefined,
            );
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
