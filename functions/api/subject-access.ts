import * as z from 'zod/mini';
import { lazy } from '#shared/lazy.ts';
import { prepareSubjectAccess, subjectAccessData } from '#shared/usecases/subject-access.ts';
import '#shared/zod-messages.ts';
import { httpRoute, json, staffIdentity } from '../lib/middleware.ts';

/** The request: who is asking (email, phone or whole name) and, optionally, which of their cases found. */
const SubjectAccessRequest = lazy(() =>
  z.object({
    q: z.string({ error: 'Add "q": the email address, phone number or whole name of the person asking' }),
    caseIds: z.optional(
      z
        .array(z.string().check(z.minLength(1), z.maxLength(100)), {
          error: '"caseIds" must be a list of case ids',
        })
        .check(
          z.minLength(1, { error: '"caseIds", when given, must name at least one case' }),
          z.maxLength(500),
        ),
    ),
  }),
);

/**
 * POST /staff/subject-access/export: everything held about a person across their cases, as JSON (files listed, not
 * included: the ZIP on the staff console has them). Managers and admins; recorded on every case exported.
 */
export const exportHandler = httpRoute(async ({ deps, event, body }) => {
  const staff = staffIdentity(event);
  const { q, caseIds } = SubjectAccessRequest().parse(body);
  const { data } = await prepareSubjectAccess(deps, { query: q, caseIds, format: 'json' }, staff);
  return json(200, subjectAccessData(data));
});
