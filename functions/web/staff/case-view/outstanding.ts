import type { CaseState } from '#shared/domain/case.ts';
import { toLondon } from '#shared/time/london.ts';
import { bulletList, table, tag } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import { civil, instantWords, multiline } from '../words.ts';
import type { CaseView } from './view.ts';

/** What is still owed: the outstanding actions and the Ombudsman referrals. */

export function actionsSection(view: CaseView): SafeHtml {
  const { state, now } = view;
  const today = toLondon(now).date;
  return html`<h2 class="govuk-heading-m" id="outstanding-actions">Outstanding actions</h2>
${
  state.actions.length === 0
    ? html`<p class="govuk-body">No outstanding actions.</p>`
    : table({
        head: ['Action', 'What', 'Who', 'Due', 'Status'],
        rows: state.actions.map((action) => [
          action.actionId,
          multiline(action.description),
          action.owner,
          civil(action.dueDate),
          action.completedAt
            ? html`${tag('Done', 'green')} ${instantWords(action.completedAt)}${action.completionNote ? html`: ${action.completionNote}` : html``}`
            : action.dueDate < today
              ? html`${tag('Overdue', 'red')} Not done`
              : html`${tag('Open', 'blue')} Not done yet`,
        ]),
      })
}`;
}

export function referralsSection(state: CaseState): SafeHtml {
  return html`<h2 class="govuk-heading-m" id="referrals">Ombudsman referrals</h2>
${
  state.ombudsmanReferrals.length === 0
    ? html`<p class="govuk-body">None recorded.</p>`
    : bulletList(
        state.ombudsmanReferrals.map(
          (referral) =>
            html`Referred ${instantWords(referral.at)}${referral.reference ? html`, Ombudsman reference ${referral.reference}` : html`, no reference recorded`}`,
        ),
      )
}`;
}
