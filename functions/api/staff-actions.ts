import { actOnTask } from '#shared/usecases/actions.ts';
import { recordStaffEvent } from '#shared/usecases/case-events.ts';
import { httpRoute, json, pathParameter, staffIdentity } from '../lib/middleware.ts';

/** POST /staff/tasks/{taskId}/actions: act on a workflow step (triage, acknowledge, extend, respond...). */
export const taskActionHandler = httpRoute(async ({ deps, event, body }) => {
  const result = await actOnTask(deps, pathParameter(event, 'taskId'), staffIdentity(event), body);
  return json(200, result);
});

/** POST /staff/cases/{caseId}/events: notes, outstanding actions, referrals, legal holds, corrections. */
export const caseActionHandler = httpRoute(async ({ deps, event, body }) => {
  const state = await recordStaffEvent(deps, pathParameter(event, 'caseId'), staffIdentity(event), body);
  return json(200, { state });
});
