import { escalationRefusal, escalationRequested } from '#shared/domain/resident-actions.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { html, type SafeHtml, when } from '../ui/html.ts';
import type { ResidentView } from './case-page.ts';
import { residentJourney } from './confirm-action.ts';
import { deadlineWords, escalationRefusalWords, responseClockWords, stageName, workingDays } from './text.ts';

/** Asking for stage 2. */

function whyNoEscalation(profile: ProviderProfile, view: ResidentView): string | undefined {
  const refusal = escalationRefusal(view.case, view.position.step);
  return refusal && escalationRefusalWords(profile, refusal);
}

export const { confirm: confirmEscalation, submit: escalate } = residentJourney({
  page: ({ profile }) => {
    const stage2 = profile.stages[1];
    const name = stageName(profile, 2).toLowerCase();
    return {
      title: `Ask for ${name}`,
      action: 'escalate',
      intro: html`<h1 class="govuk-heading-l">Ask us to look at your complaint again at ${name}</h1>
<p class="govuk-body">If you are unhappy with our ${stageName(profile, 1).toLowerCase()} response, you can ask for ${name}. Someone who was not involved at ${stageName(profile, 1).toLowerCase()} will review your complaint.</p>
${when(
  stage2,
  () =>
    html`<p class="govuk-body">We will acknowledge your request within ${workingDays(stage2?.acknowledgeWorkingDays ?? 0)}, and send you our final response within ${workingDays(stage2?.respondWorkingDays ?? 0)} ${stage2 ? responseClockWords(stage2, 1) : ''}.</p>`,
)}`,
      answer: {
        name: 'reason',
        label: 'Tell us why you are still unhappy (optional)',
        // Code 6.12: a resident does not have to explain why they want stage 2.
        hint: 'You do not need to give a reason. If you do, it helps us understand what is still wrong.',
      },
      submit: { text: `Ask for ${name}` },
      cancel: 'Cancel and return to your complaint',
    };
  },
  cannot: ({ profile }, view) => {
    const why = whyNoEscalation(profile, view);
    return why ? { title: `You cannot ask for ${stageName(profile, 2).toLowerCase()} now`, why } : undefined;
  },
  alreadyDone: (view) => escalationRequested(view.case),
  answerCalled: 'Your reason',
  action: (reason) => ({ action: 'escalate', reason: reason || undefined }),
  done: ({ profile }, view) => ({
    title: `You have asked for ${stageName(profile, 2).toLowerCase()}`,
    body: stage2Next(profile, view),
  }),
  doneFromCaseAfter: true,
});

function stage2Next(profile: ProviderProfile, view: ResidentView): SafeHtml {
  const due = view.case.stage2.acknowledgement?.dueAt;
  return html`<p class="govuk-body">Someone who was not involved at ${stageName(profile, 1).toLowerCase()} will review your complaint.</p>
${due ? html`<p class="govuk-body">We will acknowledge your request by ${deadlineWords(due)}, and tell you when you will have our final response.</p>` : html``}`;
}
