import type { Context } from 'aws-lambda';
import { CaseLinkError } from '#shared/domain/errors.ts';
import { residentAct, residentView } from '#shared/usecases/resident-case.ts';
import { type ApiEvent, httpRoute, json, jsonObject } from '../lib/middleware.ts';
import { wantsHtml } from '../web/http.ts';
import { casePage } from '../web/resident/case.ts';

function linkToken(event: ApiEvent, fromBody?: unknown): string {
  const token = typeof fromBody === 'string' ? fromBody : event.queryStringParameters?.token;
  if (!token) throw new CaseLinkError('missing');
  return token;
}

const viewJson = httpRoute(async ({ deps, event }) => {
  const view = await residentView(deps, linkToken(event), event.pathParameters?.caseId ?? '');
  return json(200, view);
});

/**
 * GET /cases/{caseId}?token=...: the resident's view of their case (signed, case-scoped link). Browsers
 * (Accept: text/html) get the case page; everything else gets JSON.
 */
export const viewHandler = (event: ApiEvent, context: Context) =>
  wantsHtml(event) ? casePage(event, context) : viewJson(event, context);

/** POST /cases/{caseId}/actions: ask for stage 2, withdraw, or add information. */
export const actionHandler = httpRoute(async ({ deps, event, body }) => {
  const { token, ...action } = jsonObject(body);
  const result = await residentAct(deps, linkToken(event, token), action, event.pathParameters?.caseId ?? '');
  return json(200, {
    reference: result.state.reference,
    status: result.state.status,
    position: result.position,
  });
});
