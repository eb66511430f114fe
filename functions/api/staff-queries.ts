import { staffReport } from '#shared/usecases/report.ts';
import { retentionDryRun } from '#shared/usecases/retention.ts';
import { findCases, summariseCase } from '#shared/usecases/search.ts';
import { staffCaseView } from '#shared/usecases/staff-case.ts';
import { staffQueue } from '#shared/usecases/staff-queue.ts';
import { httpRoute, json, pathParameter, staffIdentity } from '../lib/middleware.ts';
import { reportResponse } from './report-output.ts';
import { QueueQuery, ReportQuery, SearchQuery } from './staff-query-input.ts';

/**
 * GET /staff/queue?role=handler: open tasks for a role, earliest due first, and (for the handlers who own them
 * and the managers who chase them) every open outstanding action with its date, each with its assignee and
 * deadline status, filtered as the console's work queue filters. Tokens are never returned.
 */
export const queueHandler = httpRoute(async ({ deps, event }) => {
  const staff = staffIdentity(event);
  const { role, ...filters } = QueueQuery().parse(event.queryStringParameters ?? {});
  const query = { role: role ?? staff.role, ...filters, viewerId: staff.id };
  const { tasks, actions } = await staffQueue(deps, query);
  return json(200, { tasks, actions });
});

/** GET /staff/cases/{caseId}: the case, its events, its open tasks and where it is. */
export const caseHandler = httpRoute(async ({ deps, event }) => {
  staffIdentity(event);
  return json(200, await staffCaseView(deps, pathParameter(event, 'caseId')));
});

/**
 * GET /staff/cases?q=: cases by reference, the resident's email, phone or name (exact lookups, newest first).
 * Each is a summary (no contact details); the case itself is GET /staff/cases/{caseId}.
 */
export const searchHandler = httpRoute(async ({ deps, event }) => {
  staffIdentity(event);
  const { q } = SearchQuery().parse(event.queryStringParameters ?? {});
  const { kind, cases } = await findCases(deps, q);
  return json(200, { matchedOn: kind, cases: cases.map(summariseCase) });
});

/**
 * GET /staff/reports?from=&to=&format=json|csv|html[&explain=CH02_1]: the figures for a period (London dates,
 * both inclusive; default the current financial year), for managers and admins. `explain` lists the cases
 * behind one figure instead (JSON).
 */
export const reportsHandler = httpRoute(async ({ deps, event }) => {
  const staff = staffIdentity(event);
  const { format, ...query } = ReportQuery().parse(event.queryStringParameters ?? {});
  const { figures, explanation } = await staffReport(deps, staff.role, query);
  return explanation ? json(200, explanation) : reportResponse(figures, format);
});

/** GET /staff/retention: what the next retention run will do, changing nothing; managers and admins. */
export const retentionHandler = httpRoute(async ({ deps, event }) => {
  return json(200, await retentionDryRun(deps, staffIdentity(event).role));
});
