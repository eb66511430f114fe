import { referralTimeLimitWords } from '#shared/domain/letters.ts';
import { promiseMissed } from '#shared/domain/position.ts';
import { currentOmbudsman } from '#shared/policy/ombudsmen.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { endOfLondonDay } from '#shared/time/london.ts';
import { html, join, type SafeHtml, when } from '../ui/html.ts';
import type { ResidentView } from './case-page.ts';
import { contactList, dateWords, deadlineWords, instantWords, stageName } from './text.ts';
import { CLOSURE_WORDS } from './words.ts';

/** The case page's "What happens next": from the case's position, what we do next and by when, in words. */

function overdue(dueAt: string | undefined, now: Date): boolean {
  return dueAt !== undefined && Date.parse(dueAt) < now.getTime();
}

function ombudsmanAnyTime(profile: ProviderProfile): SafeHtml {
  return html`<p class="govuk-body">You can contact the ${profile.ombudsman.name} at any time for free, impartial advice about your complaint:</p>
${contactList(currentOmbudsman(profile), { address: false })}`;
}

/** What happens next and by when, from the case's position, in words. */
export function nextStep(profile: ProviderProfile, view: ResidentView, now: Date): SafeHtml {
  const { case: state, position, promisedDate: promised } = view;
  const due = position.dueAt;
  const late = overdue(due, now);
  const asSoonAsWeCan = html`We will do it as soon as we can, and you can contact us or the ${profile.ombudsman.name} about the delay.`;
  const sorry = when(
    late && !promised && position.step !== 'escalation-window',
    () =>
      html`<div class="govuk-inset-text">This date has passed and we have not done this yet. We are sorry. ${asSoonAsWeCan}</div>`,
  );
  // After a missed deadline the resident was written to with a new date: that date is the one we now work to.
  const promisedEnd = promised ? endOfLondonDay(promised) : undefined;
  const shownDue = promisedEnd ?? due;
  const deadline = shownDue
    ? html`<p class="govuk-body-s">Deadline: <time datetime="${shownDue}">${instantWords(shownDue)}</time> (UK time)</p>`
    : html``;
  const must = (what: string) => {
    if (!due) return html``;
    if (!promised) return html`<p class="govuk-body">We must ${what} by ${deadlineWords(due)}.</p>`;
    return html`<p class="govuk-body" data-testid="promised-date">We did not ${what} by ${deadlineWords(due)}, the date we first gave you. We are sorry. We wrote to you with a new date: we will ${what} by the end of ${dateWords(promised)}.</p>
${
  promiseMissed(promised, now)
    ? html`<div class="govuk-inset-text">This new date has passed too and we have not done this yet. We are sorry. ${asSoonAsWeCan}</div>`
    : html`<div class="govuk-inset-text">You do not have to wait for us: you can contact the ${profile.ombudsman.name} about the delay now.</div>`
}`;
  };
  const stage2 = stageName(profile, 2);
  switch (position.step) {
    case 'triage':
    case 'stage1-acknowledgement':
      return html`<p class="govuk-body">We are checking your complaint. We will acknowledge it and tell you what we understand it to be about, the outcome you are looking for, and when you will have our response.</p>
${must('acknowledge your complaint')}${deadline}${sorry}`;
    case 'stage1-response':
      return html`<p class="govuk-body">We are looking into your complaint at ${stageName(profile, 1).toLowerCase()}.</p>
${must(`send our ${stageName(profile, 1).toLowerCase()} response`)}${deadline}${sorry}`;
    case 'escalation-window':
      return html`<p class="govuk-body">We have sent our ${stageName(profile, 1).toLowerCase()} response. If you are still unhappy, you can ask us to look at your complaint again at ${stage2.toLowerCase()}. Someone who was not involved at ${stageName(profile, 1).toLowerCase()} will review it.</p>
<p class="govuk-body">You do not need to give a reason.</p>
${
  due
    ? html`<p class="govuk-body">You can ask until ${deadlineWords(due)}.</p>${deadline}`
    : html`<p class="govuk-body">There is no time limit for asking.</p>`
}`;
    case 'stage2-acknowledgement':
      return html`<p class="govuk-body">You asked us to look at your complaint again at ${stage2.toLowerCase()}. Someone who was not involved at ${stageName(profile, 1).toLowerCase()} will review it.</p>
${must(`acknowledge your ${stage2.toLowerCase()} request`)}${deadline}${sorry}`;
    case 'stage2-response':
      return html`<p class="govuk-body">We are reviewing your complaint at ${stage2.toLowerCase()}, our final stage.</p>
${must('send our final response')}${deadline}${sorry}`;
    case 'outstanding-actions': {
      const open = state.actions.filter((action) => !action.completedAt);
      return html`<p class="govuk-body">We are completing the actions we promised:</p>
<ul class="govuk-list govuk-list--bullet">${join(
        open.map(
          (action) =>
            html`<li><span dir="auto">${action.description}</span> (by ${dateWords(action.dueDate)})</li>`,
        ),
      )}</ul>
${afterResponse(profile, view)}`;
    }
    case 'ready-to-close':
      if (state.status === 'stage1-responded') {
        return html`<p class="govuk-body">The time to ask for ${stage2.toLowerCase()} has ended${state.escalationWindow ? ` (it was ${deadlineWords(state.escalationWindow.dueAt)})` : ''}. We will close your complaint.</p>
${ombudsmanAnyTime(profile)}`;
      }
      return html`<p class="govuk-body">We have finished dealing with your complaint and will close it.</p>${afterResponse(profile, view)}`;
    case 'closed':
      return closedWords(profile, view);
  }
}

/** After the final response: the route to the Ombudsman, with its time limit. */
function afterResponse(profile: ProviderProfile, view: ResidentView): SafeHtml {
  const ombudsman = currentOmbudsman(profile);
  if (!view.case.stage2.letter) return ombudsmanAnyTime(profile);
  return html`<h3 class="govuk-heading-s">If you are still unhappy</h3>
<p class="govuk-body">You can ask the ${ombudsman.name} to look at your complaint. You should do this ${referralTimeLimitWords(profile)}.</p>
${contactList(ombudsman)}`;
}

function closedWords(profile: ProviderProfile, view: ResidentView): SafeHtml {
  const { case: state } = view;
  const reason = state.closureReason ? CLOSURE_WORDS[state.closureReason] : undefined;
  return html`<p class="govuk-body">We closed your complaint${state.closedAt ? ` on ${instantWords(state.closedAt)}` : ''}${reason ? ` because ${reason}` : ''}.</p>
<p class="govuk-body">If something new goes wrong, you can <a class="govuk-link" href="/complain">make a new complaint</a> at any time.</p>
${afterResponse(profile, view)}`;
}
