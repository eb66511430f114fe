import { $ZodError } from 'zod/v4/core';
import { type CaseState, STAFF_ROLES, type StaffRole } from '#shared/domain/case.ts';
import { DomainError, NotFoundError } from '#shared/domain/errors.ts';
import { isServiceBusy, toHttpError } from '../../../lib/errors.ts';
import { csrfToken } from '../../staff-auth.ts';
import type { StaffPageContext } from '../../staff-route.ts';
import type { FieldError } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import type { FormContext } from '../actions/form.ts';

/** What every staff page shares: the case in the path, links to a case, and refusals as form errors. */

/** Every queue a manager can look at. */
export const QUEUE_ROLES = [...STAFF_ROLES, 'resident'] as const;

export function isManager(role: StaffRole): boolean {
  return role === 'manager' || role === 'admin';
}

export function caseIdOf(ctx: StaffPageContext): string {
  const caseId = ctx.event.pathParameters?.caseId;
  if (!caseId) throw new NotFoundError('There is no such case');
  return caseId;
}

export function caseHref(caseId: string): string {
  return `/staff/case/${encodeURIComponent(caseId)}`;
}

export function caseLink(caseId: string, reference: string): SafeHtml {
  return html`<a class="govuk-link" href="${caseHref(caseId)}">${reference}</a>`;
}

/**
 * A domain refusal, invalid input or a busy AWS service (503, "try again") as the words for an error summary,
 * with its HTTP status: the form is shown again with what was typed, so a retry loses nothing.
 */
export function refusal(error: unknown): { status: number; message: string; code: string } | undefined {
  if (!(error instanceof DomainError) && !(error instanceof $ZodError) && !isServiceBusy(error))
    return undefined;
  const mapped = toHttpError(error);
  if (!mapped) return undefined;
  return { status: mapped.statusCode, message: mapped.body.message, code: mapped.body.error };
}

/**
 * What a case page's forms are drawn from: the signed-in member of staff's CSRF token and role, the case, and,
 * when the page is shown again, what was sent and what was wrong with it.
 */
export function formContext(
  ctx: StaffPageContext,
  caseId: string,
  state: CaseState,
  shown: Pick<FormContext, 'task' | 'submitted' | 'preview'> & { errors?: readonly FieldError[] } = {},
): FormContext {
  return {
    caseId,
    csrf: csrfToken(ctx),
    profile: ctx.profile,
    state,
    staff: ctx.staff,
    now: ctx.now,
    task: shown.task,
    submitted: shown.submitted,
    errors: shown.errors ?? [],
    preview: shown.preview,
  };
}
