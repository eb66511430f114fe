import { decideErasure } from '#shared/usecases/erasure.ts';
import { httpRoute, json, pathParameter, staffIdentity } from '../lib/middleware.ts';

/**
 * POST /staff/cases/{caseId}/erasure: an erasure request and its decision (managers and admins). Its own
 * function: granting one deletes the case's files and letters, which no other staff route may do.
 */
export const decisionHandler = httpRoute(async ({ deps, event, body }) => {
  const state = await decideErasure(deps, pathParameter(event, 'caseId'), staffIdentity(event), body);
  return json(200, { state });
});
