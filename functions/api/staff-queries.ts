import { z } from 'zod';
import { STAFF_ROLES } from '#shared/domain/case.ts';
import { loadCase } from '#shared/usecases/case-log.ts';
import { positionOf } from '#shared/usecases/workflow.ts';
import { httpRoute, json, staffIdentity } from '../lib/middleware.ts';
import { pathParameter } from './staff-actions.ts';

const QueueQuery = z.object({ role: z.enum([...STAFF_ROLES, 'resident']).optional() });

/** GET /staff/queue?role=handler: open tasks for a role, earliest due first. Tokens are never returned. */
export const queueHandler = httpRoute(async (deps, event) => {
  const staff = staffIdentity(event);
  const { role } = QueueQuery.parse(event.queryStringParameters ?? {});
  const tasks = await deps.repository.queue(role ?? staff.role);
  return json(200, { tasks: tasks.map(({ token: _token, ...task }) => task) });
});

/** GET /staff/cases/{caseId}: the case, its events, its open tasks and where it is. */
export const caseHandler = httpRoute(async (deps, event) => {
  staffIdentity(event);
  const caseId = pathParameter(event, 'caseId');
  const { state, events } = await loadCase(deps, caseId);
  const tasks = (await deps.repository.tasksForCase(caseId)).map(({ token: _token, ...task }) => task);
  return json(200, { state, events, tasks, position: positionOf(deps, state) });
});
