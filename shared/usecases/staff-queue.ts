import { allowsEvent, type CaseState, isOpenAction, OPEN_STATUSES, STAFF_ROLES } from '../domain/case.ts';
import { actionAlerts, promisedDate } from '../domain/position.ts';
import {
  type Assignment,
  assignmentOf,
  type DEADLINE_FILTERS,
  type DeadlineStatus,
  deadlineStatusesAt,
  type QueueRole,
  type QueueStage,
  queueShowsActions,
  queueStageOf,
} from '../domain/work-queue.ts';
import type { TaskRecord } from '../ports/case-repository.ts';
import type { CivilDate, Instant } from '../time/london.ts';
import type { AppDependencies } from './dependencies.ts';

/** Who a queued item is assigned to (see assignmentOf). */
type Assigned = Assignment;

/** An open task as the work queue lists it: never its token. */
export type QueuedTask = Omit<TaskRecord, 'token' | 'assignedSeq'> &
  Assigned & {
    deadline: DeadlineStatus;
    /**
     * On an overdue task: the new date the resident was promised when its deadline was missed (see
     * promisedDate). Shown beside the missed date; the status and order stay on the missed date.
     */
    promisedDate?: CivilDate;
  };

/** An open outstanding action as the work queue lists it: the handler mailbox owns it, managers chase it. */
export interface QueuedAction extends Assigned {
  caseId: string;
  reference: string;
  actionId: string;
  description: string;
  /** Who was named to do it (a team or person, as the letter told the resident). */
  owner: string;
  dueDate: CivilDate;
  /** The end of the due date, London time: the instant after which the action is overdue. */
  dueAt: Instant;
  reminded: boolean;
  breached: boolean;
  deadline: DeadlineStatus;
}

/** The "assigned to" filter's value for items nobody has handled yet. */
export const UNASSIGNED = 'Unassigned';

export interface StaffQueueQuery {
  role: QueueRole;
  stage?: QueueStage;
  status?: (typeof DEADLINE_FILTERS)[number];
  /** A staff id (sub), UNASSIGNED, or 'me' for the member of staff asking (viewerId). */
  assignee?: string;
  viewerId: string;
}

export interface StaffQueue {
  /** Open tasks matching the query, earliest due first (undated last). */
  tasks: QueuedTask[];
  /** Open outstanding actions matching the query (a stage filter leaves them: they belong to no step). */
  actions: QueuedAction[];
  /** Everyone the unfiltered queue is assigned to, as the "assigned to" filter offers them. */
  assignees: Array<{ id: string; email?: string }>;
}

/** Every role's queue, for 'all'. */
const ALL_QUEUES = [...STAFF_ROLES, 'resident'] as const;

/** Actions are added once a complaint is acknowledged, so earlier statuses never hold one. */
const STATUSES_WITH_ACTIONS = OPEN_STATUSES.filter((status) => allowsEvent(status, 'action-added'));

/** Every open outstanding action on an open case, earliest due first, read from these cases. */
function outstandingActions(cases: readonly CaseState[]): Omit<QueuedAction, 'deadline'>[] {
  return cases
    .flatMap((state) =>
      state.actions.filter(isOpenAction).map((action) => ({
        caseId: state.caseId,
        reference: state.reference,
        actionId: action.actionId,
        description: action.description,
        owner: action.owner,
        dueDate: action.dueDate,
        ...actionAlerts(state, action),
        ...assignmentOf(state),
      })),
    )
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.reference.localeCompare(b.reference));
}

/**
 * The staff work queue: open tasks for a role with who they are assigned to and where each stands against its
 * working-day deadline, then (for the handlers who own them and the managers who chase them) the open
 * outstanding actions, both filtered by stage, deadline status and assignee.
 *
 * Primary course:
 * 1. Read the role's open tasks (each role's, for 'all') and, where actions are shown, the open cases that can
 *    hold them.
 * 2. Take each task's assignee from the task (kept there by every event that changes it); read the cases of
 *    tasks stored before it was kept, and not already read for their actions, in one batched read.
 * 3. Work out each item's deadline status at the Clock's now, filter, and sort earliest due first.
 */
export async function staffQueue(deps: AppDependencies, query: StaffQueueQuery): Promise<StaffQueue> {
  const { repository, context } = deps;
  const roles = query.role === 'all' ? ALL_QUEUES : [query.role];
  const showActions = queueShowsActions(query.role);
  const [tasks, actionCases] = await Promise.all([
    Promise.all(roles.map((role) => repository.queue(role))).then((lists) =>
      lists.flat().filter((task) => task.status === 'open'),
    ),
    showActions
      ? Promise.all(STATUSES_WITH_ACTIONS.map((status) => repository.listByStatus(status))).then((lists) =>
          lists.flat(),
        )
      : Promise.resolve([]),
  ]);
  const statusOf = deadlineStatusesAt(
    deps.clock.now(),
    context.clocks.calendar,
    context.profile.reminderLeadWorkingDays,
  );
  const cases = new Map(actionCases.map((state) => [state.caseId, state]));
  // An overdue task's case holds the date its resident was then promised; overdue tasks are few, so reading
  // their cases (with those of tasks stored before their assignee was kept) costs one batched read at most.
  const unread = [
    ...new Set(
      tasks
        .filter((task) => task.assignedSeq === undefined || statusOf(task.dueAt).status === 'overdue')
        .map((task) => task.caseId),
    ),
  ].filter((caseId) => !cases.has(caseId));
  if (unread.length > 0) {
    for (const state of await repository.getProjections(unread)) cases.set(state.caseId, state);
  }

  const queuedTasks: QueuedTask[] = tasks.map(
    ({ token: _token, assignedSeq: _seq, assignee, assigneeEmail, ...task }) => {
      // A case read anyway (for its actions, or for a task stored without its assignee) is the fresher source.
      const state = cases.get(task.caseId);
      const deadline = statusOf(task.dueAt);
      const promised = state && deadline.status === 'overdue' ? promisedDate(state, task.dueAt) : undefined;
      return {
        ...task,
        ...(state
          ? assignmentOf(state)
          : { ...(assignee ? { assignee } : {}), ...(assigneeEmail ? { assigneeEmail } : {}) }),
        deadline,
        ...(promised ? { promisedDate: promised } : {}),
      };
    },
  );
  const queuedActions: QueuedAction[] = showActions
    ? outstandingActions(actionCases).map((action) => ({ ...action, deadline: statusOf(action.dueAt) }))
    : [];

  const assignees = new Map<string, StaffQueue['assignees'][number]>();
  for (const { assignee = UNASSIGNED, assigneeEmail } of [...queuedTasks, ...queuedActions]) {
    assignees.set(assignee, { id: assignee, ...(assigneeEmail ? { email: assigneeEmail } : {}) });
  }
  const assignee = query.assignee === 'me' ? query.viewerId : query.assignee;
  const matches = (item: Assigned & { deadline: DeadlineStatus }) =>
    (!query.status || item.deadline.status === query.status) &&
    (!assignee || (item.assignee ?? UNASSIGNED) === assignee);
  return {
    tasks: queuedTasks
      .filter((task) => !query.stage || queueStageOf(task.step) === query.stage)
      .filter(matches)
      .sort((a, b) => (a.dueAt ?? '\uffff').localeCompare(b.dueAt ?? '\uffff')),
    actions: queuedActions.filter(matches),
    assignees: [...assignees.values()],
  };
}
