import { mayAddInformation } from '#shared/domain/resident-actions.ts';
import { residentAct } from '#shared/usecases/actions.ts';
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

/** Adding information to the complaint. */

function informationForm(
  ctx: PageContext,
  view: ResidentView,
  token: string,
  form: { text?: string; afterSeq?: number } = {},
  errors: FieldError[] = [],
  status?: number,
) {
  return confirmActionPage(
    ctx,
    view,
    token,
    {
      title: 'Add information to your complaint',
      action: 'add-information',
      answer: {
        name: 'information',
        label: 'Add information to your complaint',
        isPageHeading: true,
        hint: 'For example, something new that has happened, or details we may have missed. The person dealing with your complaint will see it.',
        rows: 8,
      },
      submit: { text: 'Send' },
      cancel: 'Cancel and return to your complaint',
      afterSeq: form.afterSeq ?? view.case.seq,
    },
    form.text,
    errors,
    status,
  );
}

const CLOSED_NO_INFO =
  'Your complaint is closed, so we cannot add information to it. If something new has gone wrong, you can make a new complaint.';

export const addInformationForm = webPage(async (ctx) => {
  const token = tokenFromQuery(ctx);
  const view = await loadForAction(ctx, token);
  if (!mayAddInformation(view.case)) {
    return cannotPage(ctx, view, token, 'You cannot add information', paragraphs(CLOSED_NO_INFO), 200);
  }
  return informationForm(ctx, view, token);
});

export const addInformation = webPage(async (ctx) => {
  const fields = formBody(ctx.event);
  const token = field(fields, 'token');
  const text = field(fields, 'information');
  const seq = Number(field(fields, 'afterSeq') || Number.NaN);
  const form = { text, afterSeq: Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined };
  const view = await loadForAction(ctx, token);
  if (!mayAddInformation(view.case)) {
    return cannotPage(ctx, view, token, 'You cannot add information', paragraphs(CLOSED_NO_INFO));
  }
  const errors = text
    ? tooLong('information', 'The information', text)
    : [{ field: 'information', message: 'Enter the information you want to add to your complaint' }];
  if (errors.length > 0) return informationForm(ctx, view, token, form, errors);
  try {
    await residentAct(ctx.deps, token, { action: 'add-information', ...form }, caseIdOf(ctx));
  } catch (error) {
    return refusal(ctx, view, token, error, (message) =>
      informationForm(ctx, view, token, form, [{ field: 'information', message }], 503),
    );
  }
  return donePage(
    ctx,
    view,
    token,
    'We have added your information',
    html`<p class="govuk-body">We have added what you told us to your complaint. The person dealing with it will take it into account.</p>`,
  );
});
