import { type CaseState, isOpenAction, OPEN_STATUSES, type StaffRole } from '../domain/case.ts';
import { actionAlerts } from '../domain/position.ts';
import type { CivilDate, Instant } from '../time/london.ts';
import type { AppDependencies } from './dependencies.ts';

/** An open outstanding action as the work queue lists it: the handler mailbox owns it, managers chase it. */
export interface QueuedAction {
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
  /** The case's assignee (see assigneeOf), if anyone has handled its current stage: their staff id (sub). */
  assignee?: string;
  /** The email that assignee acted with, shown beside the id. */
  assigneeEmail?: string;
}

/** Whoever last acted on the case's current stage is its assignee: the Code wants one named owner. */
export function assigneeOf(state: CaseState): string | undefined {
  return (state.stage === 2 ? state.stage2.handlers : state.stage1.handlers).at(-1);
}

/** Actions are added once a complaint is acknowledged, so earlier statuses never hold one. */
const STATUSES_WITH_ACTIONS = OPEN_STATUSES.filter(
  (status) => status !== 'awaiting-triage' && status !== 'stage1-acknowledgement',
);

/** Who sees outstanding actions in their queue: the handlers who own them and the managers who chase them. */
export function queueShowsActions(role: StaffRole | 'resident' | 'all'): boolean {
  return role === 'handler' || role === 'manager' || role === 'admin' || role === 'all';
}

/** Every open outstanding action on an open case, earliest due first. */
export async function outstandingActions(deps: AppDependencies): Promise<QueuedAction[]> {
  const cases = (
    await Promise.all(STATUSES_WITH_ACTIONS.map((status) => deps.repository.listByStatus(status)))
  ).flat();
  return cases
    .flatMap((state) => {
      const assignee = assigneeOf(state);
      const assigneeEmail = assignee ? state.staff?.[assignee] : undefined;
      return state.actions.filter(isOpenAction).map((action) => ({
        caseId: state.caseId,
        reference: state.reference,
        actionId: action.actionId,
        description: action.description,
        owner: action.owner,
        dueDate: action.dueDate,
        ...actionAlerts(state, action),
        ...(assignee ? { assignee } : {}),
        ...(assigneeEmail ? { assigneeEmail } : {}),
      }));
    })
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.reference.localeCompare(b.reference));
}
