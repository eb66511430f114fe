import { type WithdrawalRefusal, withdrawalRefusal } from '#shared/domain/resident-actions.ts';
import { repeatResidentRequest, residentAct } from '#shared/usecases/actions.ts';
import type { FieldError } from '../components.ts';
import { html } from '../html.ts';
import { field, formBody } from '../http.ts';
import { type PageContext, webPage } from '../route.ts';
import type { ResidentView } from './case-page.ts';
import {
  cannotPage,
  caseIdOf,
  confirmActionPage,
  donePage,
  loadForAction,
  refusal,
  tokenFromQuery,
  tooLong,
} from './confirm-action.ts';
import { paragraphs } from './text.ts';

/** Withdrawing the complaint. */

const WITHDRAWAL_REFUSAL_WORDS: Record<WithdrawalRefusal, string> = {
  closed: 'Your complaint is already closed, so there is nothing to withdraw.',
  'final-response-sent':
    'We have already sent our final response, so the complaint cannot be withdrawn. Contact us if you have any questions.',
};

function whyNoWithdrawal(view: ResidentView): string | undefined {
  const refusal = withdrawalRefusal(view.case);
  return refusal && WITHDRAWAL_REFUSAL_WORDS[refusal];
}

function withdrawalForm(
  ctx: PageContext,
  view: ResidentView,
  token: string,
  reason = '',
  errors: FieldError[] = [],
  status?: number,
) {
  return confirmActionPage(
    ctx,
    view,
    token,
    {
      title: 'Withdraw your complaint',
      action: 'withdraw',
      intro: html`<h1 class="govuk-heading-l">Withdraw your complaint</h1>
<p class="govuk-body">If you withdraw your complaint, we will stop working on it and close it. We will write to you to confirm.</p>
<p class="govuk-body">If you change your mind, or the problem comes back, you can contact us again.</p>`,
      answer: {
        name: 'reason',
        label: 'Why are you withdrawing your complaint? (optional)',
        hint: 'For example, the problem has been sorted out.',
      },
      submit: { text: 'Withdraw my complaint', warning: true },
      cancel: 'Keep my complaint open and return to it',
    },
    reason,
    errors,
    status,
  );
}

export const confirmWithdrawal = webPage(async (ctx) => {
  const token = tokenFromQuery(ctx);
  const view = await loadForAction(ctx, token);
  const why = whyNoWithdrawal(view);
  if (why) return cannotPage(ctx, view, token, 'You cannot withdraw your complaint', paragraphs(why), 200);
  return withdrawalForm(ctx, view, token);
});

const WITHDRAWN_BODY = html`<p class="govuk-body">We have stopped working on your complaint and closed it. We will write to you to confirm.</p>
<p class="govuk-body">If you change your mind, or the problem comes back, you can contact us again.</p>`;

export const withdraw = webPage(async (ctx) => {
  const fields = formBody(ctx.event);
  const token = field(fields, 'token');
  const reason = field(fields, 'reason');
  const view = await loadForAction(ctx, token);
  // A second press, or a retry after the service was busy: nothing more to record, the rest is finished.
  const repeated = view.case.closureReason === 'withdrawn';
  if (!repeated) {
    const why = whyNoWithdrawal(view);
    if (why) return cannotPage(ctx, view, token, 'You cannot withdraw your complaint', paragraphs(why));
    const errors = tooLong('reason', 'Your reason', reason);
    if (errors.length > 0) return withdrawalForm(ctx, view, token, reason, errors);
  }
  try {
    if (repeated) await repeatResidentRequest(ctx.deps, token, 'withdraw', caseIdOf(ctx));
    else
      await residentAct(ctx.deps, token, { action: 'withdraw', reason: reason || undefined }, caseIdOf(ctx));
  } catch (error) {
    return refusal(ctx, view, token, error, (message) =>
      withdrawalForm(ctx, view, token, reason, [{ field: 'reason', message }], 503),
    );
  }
  return donePage(ctx, view, token, 'You have withdrawn your complaint', WITHDRAWN_BODY);
});
