import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ZodError } from 'zod';
import { DomainError } from '#shared/domain/errors.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { dependencies } from '../lib/config.ts';
import { toHttpError } from '../lib/errors.ts';
import {
  type ApiEvent,
  checkPathParameters,
  logUnhandled,
  MAX_BODY_BYTES,
  type StaffIdentity,
} from '../lib/middleware.ts';
import { checkOrigin } from '../lib/origin.ts';
import { html, type SafeHtml } from './html.ts';
import { page, redirect } from './http.ts';
import { layout } from './layout.ts';
import { csrfToken, pageStaff } from './staff-auth.ts';

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

export interface StaffPageContext extends PageContext {
  staff: StaffIdentity;
}

function context(deps: AppDependencies, event: ApiEvent, staff?: StaffIdentity): PageContext {
  const now = deps.clock.now();
  const localMode = process.env.COMPLAINTS_LOCAL_MODE === '1' ? { now } : undefined;
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
          staff: staff && {
            name: staff.email ?? staff.id,
            role: staff.role,
            now,
            signOutPath: '/staff/sign-out',
            csrf: csrfToken({ deps, event, staff }),
          },
          currentPath: event.rawPath,
        }),
        options.status ?? 200,
        options.cookies,
      ),
  };
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

function tooLarge(event: ApiEvent, limit = MAX_BODY_BYTES): boolean {
  return (event.body?.length ?? 0) > limit;
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
  return middy<ApiEvent, APIGatewayProxyStructuredResultV2, Error, Context>().handler(async (event) => {
    const deps = await dependencies();
    const ctx = context(deps, event);
    try {
      await checkOrigin(event.headers);
      checkPathParameters(event);
      if (tooLarge(event, options.maxBodyBytes))
        throw new DomainError('INVALID_INPUT', 'What you sent is too large: shorten it and try again');
      return await run(ctx);
    } catch (error) {
      return errorPage(
        ctx,
        error instanceof ZodError
          ? new DomainError('INVALID_INPUT', error.issues.map((i) => i.message).join('; '))
          : error,
      );
    }
  });
}

/** A staff page: signed-in staff only (others are sent to sign in), errors as readable pages. */
export function staffPage(run: (ctx: StaffPageContext) => Promise<APIGatewayProxyStructuredResultV2>) {
  return middy<ApiEvent, APIGatewayProxyStructuredResultV2, Error, Context>().handler(async (event) => {
    const deps = await dependencies();
    try {
      await checkOrigin(event.headers);
    } catch (error) {
      return errorPage(context(deps, event), error);
    }
    const staff = await pageStaff(event).catch(() => undefined);
    if (!staff) return redirect(`/staff/sign-in?next=${encodeURIComponent(event.rawPath)}`);
    const ctx = { ...context(deps, event, staff), staff };
    try {
      checkPathParameters(event);
      if (tooLarge(event))
        throw new DomainError('INVALID_INPUT', 'What you sent is too large: shorten it and try again');
      return await run(ctx);
    } catch (error) {
      return errorPage(ctx, error);
    }
  });
}
