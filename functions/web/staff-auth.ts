import { randomBytes } from 'node:crypto';
import { cognitoSettingsFrom, verifyIdToken } from '#shared/adapters/cognito.ts';
import type { StaffRole } from '#shared/domain/case.ts';
import { issueCsrfToken, verifyCsrfToken } from '#shared/domain/secrets.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { PageSettings, settings } from '../lib/config.ts';
import { type ApiEvent, type StaffIdentity, staffIdentity } from '../lib/middleware.ts';
import { cookie } from './http.ts';

export const SESSION_COOKIE = 'staff_session';
export const LOCAL_USER_COOKIE = 'local_user';
/** Local mode: a random id per demo sign-in, so forms are bound to a session there too. */
export const LOCAL_SESSION_COOKIE = 'local_session';

export interface LocalUser {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
}

/** Local mode (the embedded runtime): the demo users it seeded, passed in its environment. */
export function localUsers(): LocalUser[] | undefined {
  const page = settings(PageSettings);
  if (page.COMPLAINTS_LOCAL_MODE !== '1') return undefined;
  return page.COMPLAINTS_LOCAL_USERS ?? [];
}

/**
 * The member of staff behind a page request: claims an authorizer (or the local runtime) attached, or the
 * Cognito session cookie, verified with aws-jwt-verify (an ID token for our app client, nothing else).
 * Pages cannot use the HTTP API's JWT authorizer, which reads only headers. Undefined means "send them to
 * sign in"; so does a deployment with no pool configured (fail closed: nothing is ever taken unverified).
 */
export async function pageStaff(event: ApiEvent): Promise<StaffIdentity | undefined> {
  if (event.requestContext.authorizer?.jwt?.claims) return staffIdentity(event);
  const session = cookie(event, SESSION_COOKIE);
  if (!session) return undefined;
  try {
    const claims = await verifyIdToken(cognitoSettingsFrom(settings(PageSettings)), session);
    return staffIdentity({
      ...event,
      requestContext: {
        ...event.requestContext,
        authorizer: { jwt: { claims: claims as Record<string, string> } },
      },
    });
  } catch {
    return undefined;
  }
}

/** How long a staff form stays valid: longer than a session (1 hour), so only the session ends it early. */
export const CSRF_TTL_MS = 4 * 3600_000;

/**
 * What a form's CSRF token is bound to: the session cookie (the Cognito ID token in AWS, the demo session
 * locally). Without one, only a caller a trusted front end vouched for (the local runtime's header) can be
 * here, and the token is bound to who they are.
 */
export function csrfSession(event: Pick<ApiEvent, 'cookies' | 'headers'>, staff?: { id: string }): string {
  return (
    cookie(event, SESSION_COOKIE) ??
    cookie(event, LOCAL_SESSION_COOKIE) ??
    (staff ? `staff:${staff.id}` : 'no-session')
  );
}

/** What a CSRF check needs: the keys, the request's cookies (a Lambda event, or just its headers) and who. */
export interface CsrfContext {
  deps: AppDependencies;
  event: Pick<ApiEvent, 'cookies' | 'headers'>;
  staff?: { id: string };
}

/**
 * Wall-clock time. Sessions expire in real time, and the local runtime fakes `Date` with its virtual clock,
 * which must not age a form that is open while the clock is moved; `performance` is not faked.
 */
function realNow(): Date {
  return new Date(performance.timeOrigin + performance.now());
}

/** The token for a form on this page, bound to the caller's session, expiring after CSRF_TTL_MS. */
export function csrfToken(ctx: CsrfContext, now = realNow()): string {
  const expiresAt = new Date(now.getTime() + CSRF_TTL_MS);
  return issueCsrfToken(ctx.deps.secrets.csrfKey, csrfSession(ctx.event, ctx.staff), expiresAt);
}

/** Refuses (403) a form whose token is missing, from another session, expired or signed with another key. */
export function checkCsrf(ctx: CsrfContext, given: string | undefined, now = realNow()): void {
  verifyCsrfToken(ctx.deps.secrets.csrfKey, csrfSession(ctx.event, ctx.staff), given ?? '', now);
}

export function randomState(): string {
  return randomBytes(16).toString('base64url');
}
