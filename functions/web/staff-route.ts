import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { withDependencies } from '../lib/middleware.ts';
import { checkPathIds, extendContext, limitBody } from '../lib/middlewares.ts';
import { MAX_BODY_BYTES, type StaffIdentity } from '../lib/request.ts';
import { field, formBody, redirect } from './http.ts';
import {
  context,
  type PageContext,
  type PageMiddleware,
  type PageStackContext,
  pageStack,
  type SignedIn,
} from './route.ts';
import { checkCsrf, csrfToken, pageStaff } from './staff-auth.ts';

/**
 * Staff pages' stack, apart from functions/web/route.ts so that the resident pages' functions do not bundle
 * the session verification (aws-jwt-verify) they never use (issue 12: each function within 300 KB).
 */

export interface StaffPageContext extends PageContext {
  staff: StaffIdentity;
}

const csrf: SignedIn['csrf'] = (deps, event, staff) => csrfToken({ deps, event, staff });

/** Signed-in staff only: anyone else is sent to sign in, and comes back to this page after. */
function staffSession(): PageMiddleware {
  return {
    before: async (request) => {
      const staff = await pageStaff(request.event).catch(() => undefined);
      if (!staff) return redirect(`/staff/sign-in?next=${encodeURIComponent(request.event.rawPath)}`);
      extendContext(request, { staff });
    },
  };
}

/** A staff form must carry the CSRF token issued for this session (forms are urlencoded). */
function csrfChecked(): PageMiddleware {
  return {
    before: (request) => {
      if (!request.event.routeKey.startsWith('POST ')) return;
      const { deps, staff } = request.context as PageStackContext;
      checkCsrf({ deps, event: request.event, staff }, field(formBody(request.event), 'csrf'));
    },
  };
}

/** A staff page: signed-in staff only (others are sent to sign in), forms CSRF-checked, errors as pages. */
export function staffPage(run: (ctx: StaffPageContext) => Promise<APIGatewayProxyStructuredResultV2>) {
  return pageStack(false, csrf)
    .use(staffSession())
    .use(withDependencies())
    .use(checkPathIds())
    .use(limitBody(MAX_BODY_BYTES))
    .use(csrfChecked())
    .handler((event, lambda) => {
      const { deps, staff } = lambda as PageStackContext & { staff: StaffIdentity };
      return run({ ...context(deps, event, { staff, csrf }), staff });
    });
}
