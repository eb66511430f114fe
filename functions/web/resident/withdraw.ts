import { type WithdrawalRefusal, withdrawalRefusal } from '#shared/domain/resident-actions.ts';
import { html } from '../ui/html.ts';
import { residentJourney } from './confirm-action.ts';

/** Withdrawing the complaint. */

const WITHDRAWAL_REFUSAL_WORDS: Record<WithdrawalRefusal, string> = {
  closed: 'Your complaint is already closed, so there is nothing to withdraw.',
  'final-response-sent':
    'We have already sent our final response, so the complaint cannot be withdrawn. Contact us if you have any questions.',
};

const WITHDRAWN_BODY = html`<p class="govuk-body">We have stopped working on your complaint and closed it. We will write to you to confirm.</p>
<p class="govuk-body">If you change your mind, or the problem comes back, you can contact us again.</p>`;

export const { confirm: confirmWithdrawal, submit: withdraw } = residentJourney({
  page: () => ({
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
  }),
  cannot: (_ctx, view) => {
    const refusal = withdrawalRefusal(view.case);
    return refusal && { title: 'You cannot withdraw your complaint', why: WITHDRAWAL_REFUSAL_WORDS[refusal] };
  },
  alreadyDone: (view) => view.case.closureReason === 'withdrawn',
  answerCalled: 'Your reason',
  action: (reason) => ({ action: 'withdraw', reason: reason || undefined }),
  done: () => ({ title: 'You have withdrawn your complaint', body: WITHDRAWN_BODY }),
});
