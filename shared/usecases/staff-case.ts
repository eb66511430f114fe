import { loadCase, repairTaskAssignees } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import { positionOf, resendOwedCallbacks } from './workflow.ts';

/**
 * A case as staff read it through the API.
 *
 * Primary course:
 * 1. Resend any workflow callback the case is owed (a refused SendTaskSuccess is owed, not lost).
 * 2. Load the case's events and state, and its tasks without their task tokens; an open task whose copy of
 *    the assignee is behind the log (a write stopped after its projection) is given it.
 * 3. Say where the case is.
 */
export async function staffCaseView(deps: AppDependencies, caseId: string) {
  await resendOwedCallbacks(deps, caseId);
  const { state, events } = await loadCase(deps, caseId);
  const stored = await deps.repository.tasksForCase(caseId);
  await repairTaskAssignees(deps, state, stored);
  // The state says who the case is assigned to; the copy each task keeps for the queue is left out.
  const tasks = stored.map(
    ({ token: _token, assignedSeq: _seq, assignee: _assignee, assigneeEmail: _email, ...task }) => task,
  );
  return { state, events, tasks, position: positionOf(deps, state) };
}
