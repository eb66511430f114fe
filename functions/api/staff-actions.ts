import { ValidationError } from '#shared/domain/errors.ts';
import { actOnTask, recordCaseAction } from '#shared/usecases/actions.ts';
import { type ApiEvent, httpRoute, json, staffIdentity } from '../lib/middleware.ts';

export function pathParameter(event: ApiEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new ValidationError(`The path must include ${name}`);
  return value;
}

/** POST /staff/tasks/{taskId}/actions: act on a workflow step (triage, acknowledge, extend, respond...). */
export const taskActionHandler = httpRoute(async ({ deps, event, body }) => {
  const result = await actOnTask(deps, pathParameter(event, 'taskId'), staffIdentity(event), body);
  return json(200, result);
});

/** POST /staff/cases/{caseId}/events: notes, outstanding actions, related issues, Ombudsman referrals. */
export const caseActionHandler = httpRoute(async ({ deps, event, body }) => {
  const state = await recordCaseAction(deps, pathParameter(event, 'caseId'), staffIdentity(event), body);
  return json(200, { state });
});
