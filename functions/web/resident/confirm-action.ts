import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CaseLinkError, DomainError } from '#shared/domain/errors.ts';
import { wholeNumber } from '#shared/domain/numbers.ts';
import {
  type ResidentAction,
  repeatResidentRequest,
  residentAct,
  residentView,
} from '#shared/usecases/resident-case.ts';
import { isServiceBusy, toHttpError } from '../../lib/errors.ts';
import { field, formBody } from '../http.ts';
import type { PageContext } from '../route.ts';
import {
  backLink,
  button,
  errorSummary,
  type FieldError,
  hidden,
  notificationBanner,
  textarea,
} from '../ui/components.ts';
import { html, type SafeHtml } from '../ui/html.ts';
import type { ResidentView } from './case-page.ts';
import { linkedPage } from './link-problem.ts';
import { casePath, escalationRefusalWords, paragraphs } from './text.ts';

/** What every action a resident takes from their case page shares: the signed link, the confirm page (a form with one answer), and the pages that say it was done or why it cannot be. */

export function tokenFromQuery(ctx: PageContext): string {
  const token = ctx.event.queryStringParameters?.token;
  if (!token) throw new CaseLinkError('missing');
  return token;
}

export function caseIdOf(ctx: PageContext): string {
  return ctx.event.pathParameters?.caseId ?? '';
}

/**
 * The back link goes inside <main> rather than in the layout's slot above it, so every bit of content is
 * inside a landmark (axe: region).
 */
export function back(href: string): SafeHtml {
  return backLink(href);
}

export function backToCase(caseId: string, token: string, text = 'Go to your complaint'): SafeHtml {
  return html`<p class="govuk-body"><a class="govuk-link" href="${casePath(caseId, token)}">${text}</a></p>`;
}

/** A readable refusal, with the way back to the case page. */
export function cannotPage(
  ctx: PageContext,
  view: ResidentView,
  token: string,
  title: string,
  message: SafeHtml,
  status = 409,
): APIGatewayProxyStructuredResultV2 {
  return ctx.render(
    title,
    html`${back(casePath(view.case.caseId, token))}<span class="govuk-caption-l">Complaint ${view.case.reference}</span>
<h1 class="govuk-heading-l">${title}</h1>
<div data-testid="error-message">${message}</div>
${backToCase(view.case.caseId, token, 'Return to your complaint')}`,
    { status },
  );
}

/** Done: a success banner, what it means, and the way back to the case page. */
export function donePage(
  ctx: PageContext,
  view: ResidentView,
  token: string,
  heading: string,
  body: SafeHtml,
): APIGatewayProxyStructuredResultV2 {
  return ctx.render(
    heading,
    html`${notificationBanner('Success', html`<p class="govuk-notification-banner__heading">${heading}</p>`, true)}
<span class="govuk-caption-l">Complaint ${view.case.reference}</span>
<h1 class="govuk-heading-l">${heading}</h1>
${body}
${backToCase(view.case.caseId, token)}`,
  );
}

/**
 * What a resident is told when the service stayed busy past the SDK's retries. The action may be half
 * recorded; sending it again finishes it and records it once (each action is safe to send twice).
 */
export const BUSY_MESSAGE =
  'Sorry, our service is busy and we could not record this just now. Send it again in a moment: we will record it only once.';

/**
 * A refusal during an action: a busy service shows the form again as typed (`showAgain`, with the words for
 * its error summary, answered 503); a domain refusal is worded for the resident where we know better words.
 */
export function refusal(
  ctx: PageContext,
  view: ResidentView,
  token: string,
  error: unknown,
  showAgain: (busyMessage: string) => APIGatewayProxyStructuredResultV2,
) {
  if (isServiceBusy(error)) return showAgain(BUSY_MESSAGE);
  const mapped = toHttpError(error);
  if (!(error instanceof DomainError) || !mapped || error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND')
    throw error;
  const endedAt = error.details.endedAt;
  const message =
    error.code === 'ESCALATION_WINDOW_CLOSED' && typeof endedAt === 'string'
      ? escalationRefusalWords(ctx.profile, { reason: 'window-ended', endedAt })
      : error.message;
  return cannotPage(
    ctx,
    view,
    token,
    'That could not be done',
    html`<p class="govuk-body">${message}</p>`,
    mapped.statusCode,
  );
}

const MAX_TEXT = 10_000;

export function tooLong(name: string, label: string, value: string): FieldError[] {
  return value.length > MAX_TEXT
    ? [{ field: name, message: `${label} must be ${wholeNumber(MAX_TEXT)} characters or fewer` }]
    : [];
}

export async function loadForAction(ctx: PageContext, token: string): Promise<ResidentView> {
  if (!token) throw new CaseLinkError('missing');
  // Verifies the signed link (403 page if it is not valid, expired or for another case) and reads the case.
  return residentView(ctx.deps, token, caseIdOf(ctx));
}

/** One answer a confirm page asks for: a textarea, kept as typed when the page is shown again. */
export interface ConfirmAnswer {
  name: string;
  label: string;
  hint?: string;
  /** The label is the page's heading (a page with no other heading). */
  isPageHeading?: boolean;
  rows?: number;
}

/** What a confirm page says and asks. */
export interface ConfirmPage {
  title: string;
  /** The path after /cases/{caseId}/ that the form posts to. */
  action: string;
  /** The heading and what the action means; omitted when the answer's label is the heading. */
  intro?: SafeHtml;
  answer: ConfirmAnswer;
  submit: { text: string; warning?: boolean };
  cancel: string;
}

/**
 * The page a resident confirms an action on, from their case page: what it means, one optional or required
 * answer, the button that posts it with the signed token, and the way back to the case without acting.
 */
export function confirmActionPage(
  ctx: PageContext,
  view: ResidentView,
  token: string,
  page: ConfirmPage & {
    /** The case's seq when the form was first shown, sent back with it (see ResidentAction). */
    afterSeq?: number;
  },
  value = '',
  errors: FieldError[] = [],
  status = errors.length > 0 ? 422 : 200,
): APIGatewayProxyStructuredResultV2 {
  const caseId = view.case.caseId;
  return ctx.render(
    page.title,
    html`${back(casePath(caseId, token))}${errorSummary(errors)}
<span class="govuk-caption-l">Complaint ${view.case.reference}</span>
${page.intro ?? html``}
<form method="post" action="/cases/${encodeURIComponent(caseId)}/${page.action}" novalidate>
  ${hidden('token', token)}
  ${page.afterSeq === undefined ? html`` : hidden('afterSeq', String(page.afterSeq))}
  ${textarea({ ...page.answer, value, error: errors[0]?.message })}
  ${button(page.submit.text, { warning: page.submit.warning })}
</form>
${backToCase(caseId, token, page.cancel)}`,
    { status, hasErrors: errors.length > 0 },
  );
}

/** A resident's action from their case page, as its journey module describes it; {@link residentJourney} runs it. */
export interface ResidentJourney {
  /** The confirm page: what the action means, its one answer and its buttons. */
  page(ctx: PageContext): ConfirmPage;
  /** Why it cannot be done now (the domain's rule, in the resident's words); undefined when it can. */
  cannot(ctx: PageContext, view: ResidentView): { title: string; why: string } | undefined;
  /**
   * Already recorded (a second press, or a retry after the service was busy): nothing more is recorded, what
   * should follow it is finished (`repeatResidentRequest`), and the done page is shown again.
   */
  alreadyDone?(view: ResidentView): boolean;
  /**
   * The form carries the case's seq from when it was first shown, and the action gets it, so a retry after
   * a half-recorded action is not recorded twice (a form without it gets the case's seq now).
   */
  keepsSeq?: boolean;
  /** What the "too long" message calls the answer, e.g. "Your reason". */
  answerCalled: string;
  /** The answer as typed, checked beyond its length (e.g. required). */
  check?(answer: string): FieldError[];
  /** The use case's input for the answer. */
  action(answer: string, afterSeq: number): ResidentAction;
  /** The done page's heading and what happens next. */
  done(ctx: PageContext, view: ResidentView): { title: string; body: SafeHtml };
  /** The done page is drawn from the case as it is after the action (read again), not as it was shown. */
  doneFromCaseAfter?: boolean;
}

/**
 * The two pages of a resident's action: GET shows the confirm page (or why it cannot be done now); POST
 * checks the answer, acts through the signed link and says it was done. A busy service shows the form again
 * as typed (503); a second POST after it was done finishes what follows and shows the done page again.
 */
export function residentJourney(journey: ResidentJourney) {
  const refused = (ctx: PageContext, view: ResidentView, token: string, status?: number) => {
    const cannot = journey.cannot(ctx, view);
    return cannot && cannotPage(ctx, view, token, cannot.title, paragraphs(cannot.why), status);
  };
  const confirm = linkedPage(async (ctx) => {
    const token = tokenFromQuery(ctx);
    const view = await loadForAction(ctx, token);
    const page = { ...journey.page(ctx), afterSeq: journey.keepsSeq ? view.case.seq : undefined };
    return refused(ctx, view, token, 200) ?? confirmActionPage(ctx, view, token, page);
  });
  const submit = linkedPage(async (ctx) => {
    const fields = formBody(ctx.event);
    const token = field(fields, 'token');
    const page = journey.page(ctx);
    const answer = field(fields, page.answer.name);
    const seq = Number(field(fields, 'afterSeq') || Number.NaN);
    const view = await loadForAction(ctx, token);
    const afterSeq = Number.isSafeInteger(seq) && seq >= 0 ? seq : view.case.seq;
    const form = (errors: FieldError[], status?: number) =>
      confirmActionPage(
        ctx,
        view,
        token,
        { ...page, afterSeq: journey.keepsSeq ? afterSeq : undefined },
        answer,
        errors,
        status,
      );
    const repeated = journey.alreadyDone?.(view) ?? false;
    if (!repeated) {
      const refusedNow = refused(ctx, view, token);
      if (refusedNow) return refusedNow;
      const errors = [
        ...(journey.check?.(answer) ?? []),
        ...tooLong(page.answer.name, journey.answerCalled, answer),
      ];
      if (errors.length > 0) return form(errors.slice(0, 1));
    }
    const action = journey.action(answer, afterSeq);
    try {
      if (repeated && (action.action === 'escalate' || action.action === 'withdraw'))
        await repeatResidentRequest(ctx.deps, token, action.action, caseIdOf(ctx));
      else await residentAct(ctx.deps, token, action, caseIdOf(ctx));
    } catch (error) {
      return refusal(ctx, view, token, error, (message) => form([{ field: page.answer.name, message }], 503));
    }
    const after = journey.doneFromCaseAfter ? await residentView(ctx.deps, token, caseIdOf(ctx)) : view;
    const { title, body } = journey.done(ctx, after);
    return donePage(ctx, after, token, title, body);
  });
  return { confirm, submit };
}
