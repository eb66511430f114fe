import { z } from 'zod';
import { STAFF_ROLES } from '#shared/domain/case.ts';
import { DEADLINE_FILTERS, QUEUE_STAGES } from '#shared/domain/work-queue.ts';
import { loadCase } from '#shared/usecases/case-log.ts';
import { findCases, summariseCase } from '#shared/usecases/search.ts';
import { staffQueue } from '#shared/usecases/staff-queue.ts';
import { positionOf, resendOwedCallbacks } from '#shared/usecases/workflow.ts';
import { httpRoute, json, staffIdentity } from '../lib/middleware.ts';
import { pathParameter } from './staff-actions.ts';

const QueueQuery = z.object({
  role: z.enum([...STAFF_ROLES, 'resident', 'all']).optional(),
  stage: z.enum(QUEUE_STAGES).optional(),
  status: z.enum(DEADLINE_FILTERS).optional(),
  assignee: z.string().min(1).max(200).optional(),
});

/**
 * GET /staff/queue?role=handler: open tasks for a role, earliest due first, and (for the handlers who own them
 * and the managers who chase them) every open outstanding action with its date, each with its assignee and
 * deadline status, filtered as the console's work queue filters. Tokens are never returned.
 */
export const queueHandler = httpRoute(async ({ deps, event }) => {
  const staff = staffIdentity(event);
  const { role, ...filters } = QueueQuery.parse(event.queryStringParameters ?? {});
  const { tasks, actions } = await staffQueue(deps, {
    role: role ?? staff.role,
    ...filters,
    viewerId: staff.id,
  });
  return json(200, { tasks, actions });
});

/** GET /staff/cases/{caseId}: the case, its events, its open tasks and where it is. */
export const caseHandler = httpRoute(async ({ deps, event }) => {
  staffIdentity(event);
  const caseId = pathParameter(event, 'caseId');
  await resendOwedCallbacks(deps, caseId);
  const { state, events } = await loadCase(deps, caseId);
  const tasks = (await deps.repository.tasksForCase(caseId)).map(({ token: _token, ...task }) => task);
  return json(200, { state, events, tasks, position: positionOf(deps, state) });
});

const SearchQuery = z.object({
  q: z.string({ error: 'Add ?q= with a reference, name, email or phone number' }),
});

/**
 * GET /staff/cases?q=: cases by reference, the resident's email, phone or name (exact lookups, newest first).
 * Each is a summary (no contact details); the case itself is GET /staff/cases/{caseId}.
 */
export const searchHandler = httpRoute(async ({ deps, event }) => {
  staffIdentity(event);
  const { q } = SearchQuery.parse(event.queryStringParameters ?? {});
  const { kind, cases } = await findCases(deps, q);
  return json(200, { matchedOn: kind, cases: cases.map(summariseCase) });
});
