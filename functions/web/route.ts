import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { $ZodError } from 'zod/v4/core';
import { DomainError } from '#shared/domain/errors.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { dependencies, PageSettings, settings } from '../lib/config.ts';
import { toHttpError } from '../lib/errors.ts';
import { withDependencies } from '../lib/middleware.ts';
import {
  BodyTooLargeError,
  checkPathIds,
  configured,
  limitBody,
  observed,
  type StackContext,
  verifyOrigin,
} from '../lib/middlewares.ts';
import { logUnhandled } from '../lib/observability.ts';
import { type ApiEvent, MAX_BODY_BYTES, type StaffIdentity } from '../lib/request.ts';
import { page } from './http.ts';
import { html, type SafeHtml } from './ui/html.ts';
import { layout } from './ui/layout.ts';

export interface PageContext {
  deps: AppDependencies;
  event: ApiEvent;
  profile: ProviderProfile;
  now: Date;
  /** Set when running on one machine: every page says so, with the (virtual) date. */
  localMode?: { now: Date };
  /** Renders a body in the site layout. */
  render(
    title: string,
    body: SafeHtml,
    options?: { status?: number; hasErrors?: boolean; backLink?: SafeHtml; cookies?: string[] },
  ): APIGatewayProxyStructuredResultV2;
}

export type PageStackContext = StackContext & { staff?: StaffIdentity };
export type PageMiddleware = middy.MiddlewareObj<ApiEvent, APIGatewayProxyStructuredResultV2, Error, Context>;

/**
 * The signed-in member of staff a page is drawn for, with the CSRF token of its forms. Staff pages pass it
 * (functions/web/staff-route.ts); resident pages do not, so their functions carry no session code (issue 12).
 */
export interface SignedIn {
  staff: StaffIdentity;
  csrf: (deps: AppDependencies, event: ApiEvent, staff: StaffIdentity) => string;
}

export function context(deps: AppDependencies, event: ApiEvent, signedIn?: SignedIn): PageContext {
  const now = deps.clock.now();
  const localMode = settings(PageSettings).COMPLAINTS_LOCAL_MODE === '1' ? { now } : undefined;
  const profile = deps.context.profile;
  return {
    deps,
    event,
    profile,
    now,
    localMode,
    render: (title, body, options = {}) =>
      page(
        layout({
          title,
          profile,
          body,
          hasErrors: options.hasErrors,
          backLink: options.backLink,
          localMode,
          staff: signedIn && {
            name: signedIn.staff.email ?? signedIn.staff.id,
            role: signedIn.staff.role,
            now,
            signOutPath: '/staff/sign-out',
            csrf: signedIn.csrf(deps, event, signedIn.staff),
          },
          currentPath: pageToReturnTo(event),
        }),
        options.status ?? 200,
        options.cookies,
      ),
  };
}

/**
 * Where the local clock form sends the browser back to: the page shown, or its case page when the page came
 * from a form posted to a path with no GET route (a preview, or a form re-shown with its errors), which
 * would otherwise answer 404 after the clock moved.
 */
function pageToReturnTo(event: ApiEvent): string {
  if (event.routeKey.startsWith('GET ')) return event.rawPath;
  const posted = /^(\/staff\/case\/[^/]+)\/(?:task|record|evidence-pack)$/.exec(event.rawPath);
  return posted?.[1] ?? event.rawPath;
}

function errorPage(ctx: PageContext, error: unknown): APIGatewayProxyStructuredResultV2 {
  const mapped = toHttpError(error);
  if (!mapped) {
    logUnhandled('Unhandled page error', ctx.event.routeKey, error);
    return ctx.render(
      'Sorry, there is a problem with the service',
      html`<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1><p class="govuk-body">Nothing was changed. Please try again later, or contact us on ${ctx.profile.contact.phone ?? ctx.profile.contact.email ?? ''}.</p>`,
      { status: 500 },
    );
  }
  const title =
    mapped.statusCode === 404
      ? 'Page not found'
      : mapped.statusCode === 403
        ? 'You cannot do that'
        : 'That could not be done';
  return ctx.render(
    title,
    html`<h1 class="govuk-heading-l">${title}</h1><p class="govuk-body" data-testid="error-message">${mapped.body.message}</p><p class="govuk-body"><a class="govuk-link" href="/">Return to the start page</a></p>`,
    { status: mapped.statusCode },
  );
}

/**
 * The one place a page's errors become pages: a readable page in the site layout, never a stack trace.
 * Resident pages show a form's zod messages as they are; staff pages name the field.
 */
function pageErrors(plainZodMessages: boolean, csrf?: SignedIn['csrf']): PageMiddleware {
  return {
    onError: async (request) => {
      const { deps, staff } = request.context as PageStackContext;
      const ctx = context(deps ?? (await dependencies()), request.event, staff && csrf && { staff, csrf });
      let error: unknown = request.error;
      if (error instanceof BodyTooLargeError)
        error = new DomainError('INVALID_INPUT', 'What you sent is too large: shorten it and try again');
      else if (plainZodMessages && error instanceof $ZodError)
        error = new DomainError('INVALID_INPUT', error.issues.map((i) => i.message).join('; '));
      request.response = errorPage(ctx, error);
    },
  };
}

/** What every page stack starts with; staff pages pass how their forms' CSRF tokens are made. */
export function pageStack(plainZodMessages: boolean, csrf?: SignedIn['csrf']) {
  return observed(
    middy<ApiEvent, APIGatewayProxyStructuredResultV2, Error, Context>().use(
      pageErrors(plainZodMessages, csrf),
    ),
  )
    .use(configured(PageSettings))
    .use(verifyOrigin());
}

export interface WebPageOptions {
  /** The largest body (as the event carries it: base64 for files) this page accepts; MAX_BODY_BYTES if unset. */
  maxBodyBytes?: number;
}

/** A public page (resident or how-to-complain): every error becomes a readable page, never a stack trace. */
export function webPage(
  run: (ctx: PageContext) => Promise<APIGatewayProxyStructuredResultV2>,
  options: WebPageOptions = {},
) {
  return pageStack(true)
    .use(checkPathIds())
    .use(limitBody(options.maxBodyBytes ?? MAX_BODY_BYTES))
    .use(withDependencies())
    .handler((event, lambda) => run(context((lambda as StackContext).deps, event)));
}
