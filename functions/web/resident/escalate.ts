import { escalationRefusal, escalationRequested } from '#shared/domain/resident-actions.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { repeatResidentRequest, residentAct, residentView } from '#shared/usecases/actions.ts';
import type { FieldError } from '../components.ts';
import { html, type SafeHtml, when } from '../html.ts';
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
import {
  deadlineWords,
  escalationRefusalWords,
  paragraphs,
  responseClockWords,
  stageName,
  workingDays,
} from './text.ts';

/** Asking for stage 2. */

function whyNoEscalation(profile: ProviderProfile, view: ResidentView): string | undefined {
  const refusal = escalationRefusal(view.case, view.position.step);
  return refusal && escalationRefusalWords(profile, refusal);
}

function escalationForm(
  ctx: PageContext,
  view: ResidentView,
  token: string,
  reason = '',
  errors: FieldError[] = [],
  status?: number,
) {
  const { profile } = ctx;
  const stage2 = profile.stages[1];
  const name = stageName(profile, 2).toLowerCase();
  return confirmActionPage(
    ctx,
    view,
    token,
    {
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
    },
    reason,
    errors,
    status,
  );
}

export const confirmEscalation = webPage(async (ctx) => {
  const token = tokenFromQuery(ctx);
  const view = await loadForAction(ctx, token);
  const why = whyNoEscalation(ctx.profile, view);
  if (why)
    return cannotPage(
      ctx,
      view,
      token,
      `You cannot ask for ${stageName(ctx.profile, 2).toLowerCase()} now`,
      paragraphs(why),
      200,
    );
  return escalationForm(ctx, view, token);
});

export const escalate = webPage(async (ctx) => {
  const fields = formBody(ctx.event);
  const token = field(fields, 'token');
  const reason = field(fields, 'reason');
  const view = await loadForAction(ctx, token);
  const name = stageName(ctx.profile, 2).toLowerCase();
  // A second press, or a retry after the service was busy: nothing more to record, the rest is finished.
  const repeated = escalationRequested(view.case);
  if (!repeated) {
    const why = whyNoEscalation(ctx.profile, view);
    if (why) return cannotPage(ctx, view, token, `You cannot ask for ${name} now`, paragraphs(why));
    const errors = tooLong('reason', 'Your reason', reason);
    if (errors.length > 0) return escalationForm(ctx, view, token, reason, errors);
  }
  try {
    if (repeated) await repeatResidentRequest(ctx.deps, token, 'escalate', caseIdOf(ctx));
    else
      await residentAct(ctx.deps, token, { action: 'escalate', reason: reason || undefined }, caseIdOf(ctx));
  } catch (error) {
    return refusal(ctx, view, token, error, (message) =>
      escalationForm(ctx, view, token, reason, [{ field: 'reason', message }], 503),
    );
  }
  const after = await residentView(ctx.deps, token, caseIdOf(ctx));
  return donePage(ctx, after, token, `You have asked for ${name}`, stage2Next(ctx.profile, after));
});

function stage2Next(profile: ProviderProfile, view: ResidentView): SafeHtml {
  const due = view.case.stage2.acknowledgement?.dueAt;
  return html`<p class="govuk-body">Someone who was not involved at ${stageName(profile, 1).toLowerCase()} will review your complaint.</p>
${due ? html`<p class="govuk-body">We will acknowledge your request by ${deadlineWords(due)}, and tell you when you will have our final response.</p>` : html``}`;
}
