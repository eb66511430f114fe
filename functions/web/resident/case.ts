import { residentView } from '#shared/usecases/resident-case.ts';
import { renderCasePage } from './case-page.ts';
import { caseIdOf, tokenFromQuery } from './confirm-action.ts';
import { linkedPage } from './link-problem.ts';

/** The resident's case page, through the signed link in every letter. */

/** GET /cases/{caseId}?token=... for browsers (functions/api/resident.ts sends JSON to everyone else). */
export const casePage = linkedPage(async (ctx) => {
  const token = tokenFromQuery(ctx);
  const view = await residentView(ctx.deps, token, caseIdOf(ctx));
  const { title, body } = renderCasePage(ctx.profile, view, token, ctx.now);
  return ctx.render(title, body);
});
