import { $ZodError } from 'zod/v4/core';
import { erasureBlock, erasureBlockWords, RECTIFIABLE_FIELDS } from '#shared/domain/case.ts';
import { requireManager } from '#shared/usecases/annual-report.ts';
import { loadCase } from '#shared/usecases/case-log.ts';
import { decideErasure, ERASURE_DECISIONS, ErasureRequest } from '#shared/usecases/erasure.ts';
import { Rectification, rectify } from '#shared/usecases/rectification.ts';
import { field, formBody, redirect } from '../../http.ts';
import { type StaffPageContext, staffPage } from '../../staff-route.ts';
import {
  backLink,
  banner,
  button,
  dateErrorHref,
  dateInput,
  errorFor,
  errorSummary,
  type FieldError,
  insetText,
  radios,
  select,
  textarea,
  warningText,
} from '../../ui/components.ts';
import { html, type SafeHtml, when } from '../../ui/html.ts';
import { byPath, dateValue, type FormContext, form, type Parsed, parseWith, value } from '../actions/form.ts';
import { residentDetails } from '../case-view/resident.ts';
import { RECTIFIABLE_WORDS } from '../case-view/timeline.ts';
import { dateFrom, type FormValues } from '../form-values.ts';
import { instantWords } from '../words.ts';
import { caseHref, caseIdOf, formContext, refusal } from './common.ts';

/**
 * The resident's rights on one case (UK GDPR arts. 16 and 17), for managers and admins: correct a detail (a
 * `rectified` event: the original stays in the log) and record an erasure request with its decision (granted,
 * the case is anonymised as retention does; a legal hold or an open case refuses it, with the reason). Served
 * by the records function, which may delete a case's files; the case page links here.
 */

const WHAT = 'Corrections and erasure';

const DONE_MESSAGES: Record<string, string> = {
  rectify: 'Correction recorded: the case shows the corrected detail, and its timeline both.',
  'erasure-granted': "Erasure granted: the resident's personal data was removed from the case.",
  'erasure-refused': 'Erasure request refused: the request and the reason are recorded on the case.',
};

const ERASURE_WORDS: Record<(typeof ERASURE_DECISIONS)[number], { text: string; hint: string }> = {
  granted: {
    text: 'Granted: erase their personal data',
    hint: 'The case is anonymised now: names, contact details, what they wrote, files, letters and raw emails are removed for good. Dates, stages, decisions and amounts stay, so the figures stay true.',
  },
  refused: {
    text: 'Refused',
    hint: 'For example the records are needed to defend a claim, or another law requires them to be kept. Tell the resident why and that they may complain to the ICO.',
  },
};

function rectifyForm(fc: FormContext): SafeHtml {
  const { errors } = fc;
  return form(
    fc,
    'personal-data',
    'rectify',
    "Correct the resident's details",
    html`<p class="govuk-body">The correction is added to the case's record: the original stays in the timeline beside it.</p>
    ${select({
      name: 'rectify-field',
      label: 'Which detail',
      error: errorFor(errors, 'rectify-field'),
      value: value(fc, 'rectify', 'rectify-field'),
      items: [
        { value: '', text: 'Choose the detail' },
        ...RECTIFIABLE_FIELDS.map((name) => ({ value: name, text: RECTIFIABLE_WORDS[name] })),
      ],
    })}
    ${textarea({ name: 'rectify-value', label: 'The correct value', hint: 'Leave it empty to remove a detail that should not be held (the name is always needed)', error: errorFor(errors, 'rectify-value'), value: value(fc, 'rectify', 'rectify-value'), rows: 2 })}
    ${textarea({ name: 'rectify-reason', label: 'Why it is corrected', hint: 'For example: the resident wrote on 2 March to say their email address had changed', error: errorFor(errors, 'rectify-reason'), value: value(fc, 'rectify', 'rectify-reason') })}
    ${button('Record the correction', { secondary: true })}`,
  );
}

function erasureForm(fc: FormContext): SafeHtml {
  const { errors, state } = fc;
  const block = erasureBlock(state);
  return form(
    fc,
    'personal-data',
    'erasure',
    'Record an erasure request',
    html`<p class="govuk-body">A request to erase their personal data (UK GDPR Article 17): answer within one month. The request and your decision are recorded on the case either way.</p>
    ${block ? html`<div data-testid="erasure-blocked">${warningText(`An erasure granted now is refused: ${erasureBlockWords(state, block)}.`)}</div>` : html``}
    ${dateInput({ name: 'erasure-requested', legend: 'When they asked', hint: 'For example, 27 3 2026', error: errorFor(errors, 'erasure-requested'), value: dateValue(fc, 'erasure', 'erasure-requested') })}
    ${radios({
      name: 'erasure-decision',
      legend: 'Your decision',
      error: errorFor(errors, 'erasure-decision'),
      value: value(fc, 'erasure', 'erasure-decision'),
      items: ERASURE_DECISIONS.map((decision) => ({ value: decision, ...ERASURE_WORDS[decision] })),
    })}
    ${textarea({ name: 'erasure-reason', label: 'The reason for the decision', error: errorFor(errors, 'erasure-reason'), value: value(fc, 'erasure', 'erasure-reason') })}
    ${button('Record the decision', { warning: true })}`,
  );
}

function parseRectify(body: FormValues): Parsed<Rectification> {
  const raw = {
    action: 'rectify',
    field: field(body, 'rectify-field'),
    value: field(body, 'rectify-value'),
    reason: field(body, 'rectify-reason'),
  };
  return parseWith(Rectification(), raw, {
    fields: byPath({
      field: { field: 'rectify-field', message: 'Choose the detail to correct' },
      value: { field: 'rectify-value', message: 'Enter the correct value', label: 'The correct value' },
      reason: {
        field: 'rectify-reason',
        message: 'Enter the reason for the correction',
        label: 'The reason',
      },
    }),
    order: ['rectify-field', 'rectify-value', 'rectify-reason'],
    formId: 'rectify-form',
  });
}

function parseErasure(body: FormValues): Parsed<ErasureRequest> {
  const requested = dateFrom(body, 'erasure-requested', 'the date they asked');
  const raw = {
    requestedOn: requested.value ?? '',
    decision: field(body, 'erasure-decision'),
    reason: field(body, 'erasure-reason'),
  };
  return parseWith(ErasureRequest(), raw, {
    fields: byPath({
      requestedOn: {
        field: 'erasure-requested',
        href: dateErrorHref('erasure-requested'),
        message: 'Enter the date they asked',
      },
      decision: { field: 'erasure-decision', message: 'Choose granted or refused' },
      reason: {
        field: 'erasure-reason',
        message: 'Enter the reason for the erasure decision',
        label: 'The reason',
      },
    }),
    formErrors: requested.error ? [requested.error] : [],
    order: ['erasure-requested', 'erasure-decision', 'erasure-reason'],
    formId: 'erasure-form',
  });
}

async function render(
  ctx: StaffPageContext,
  caseId: string,
  options: {
    status?: number;
    errors?: FieldError[];
    submitted?: FormContext['submitted'];
    done?: string;
  } = {},
) {
  const { state } = await loadCase(ctx.deps, caseId);
  const errors = options.errors ?? [];
  const done = options.done ? DONE_MESSAGES[options.done] : undefined;
  const fc = formContext(ctx, caseId, state, { submitted: options.submitted, errors });
  const forms = state.anonymised
    ? insetText(
        `The resident's personal data was removed from this case ${instantWords(state.anonymised.at)}: there is nothing left to correct or erase.`,
        'anonymised',
      )
    : html`${rectifyForm(fc)}${erasureForm(fc)}`;
  return ctx.render(
    `${WHAT}: complaint ${state.reference}`,
    html`${backLink(caseHref(caseId), `Back to ${state.reference}`)}
${errorSummary(errors)}
${when(done, () =>
  banner('done', 'Success', html`<p class="govuk-notification-banner__heading">${done}</p>`, {
    success: true,
    testId: 'done',
  }),
)}
<span class="govuk-caption-l">Complaint ${state.reference}</span>
<h1 class="govuk-heading-l">Correct or erase the resident's personal data</h1>
${residentDetails(state)}
${forms}`,
    { status: options.status, hasErrors: errors.length > 0 },
  );
}

/** GET /staff/case/{caseId}/personal-data: the resident's details, a correction and an erasure decision. */
export const personalDataPage = staffPage(async (ctx) => {
  requireManager(ctx.staff, WHAT);
  return render(ctx, caseIdOf(ctx), { done: ctx.event.queryStringParameters?.done });
});

/** POST /staff/case/{caseId}/personal-data: records a correction (`rectify`) or an erasure decision (`erasure`). */
export const personalDataAction = staffPage(async (ctx) => {
  requireManager(ctx.staff, WHAT);
  const caseId = caseIdOf(ctx);
  const body = formBody(ctx.event);
  const action = field(body, 'action');
  const submitted = { action, body };
  if (action !== 'rectify' && action !== 'erasure') {
    const errors = [{ field: 'rectify-form', message: 'Choose one of the forms on this page' }];
    return render(ctx, caseId, { status: 422, errors, submitted });
  }
  const parsed = action === 'rectify' ? parseRectify(body) : parseErasure(body);
  if (!parsed.action) return render(ctx, caseId, { status: 422, errors: parsed.errors, submitted });
  let done: string = action;
  try {
    if (action === 'rectify') await rectify(ctx.deps, caseId, ctx.staff, parsed.action);
    else {
      const request = parsed.action as ErasureRequest;
      await decideErasure(ctx.deps, caseId, ctx.staff, request);
      done = `erasure-${request.decision}`;
    }
  } catch (error) {
    // The request's date checked against the case and today (decideErasure): shown at the date field.
    if (action === 'erasure' && error instanceof $ZodError) {
      const errors = error.issues.map((issue) => ({
        field: 'erasure-requested',
        href: dateErrorHref('erasure-requested'),
        message: `The date they asked: ${issue.message}`,
      }));
      return render(ctx, caseId, { status: 422, errors, submitted });
    }
    const found = refusal(error);
    if (!found || found.code === 'NOT_FOUND') throw error;
    const errors = [{ field: `${action}-form`, message: found.message }];
    return render(ctx, caseId, { status: found.status, errors, submitted });
  }
  return redirect(`${caseHref(caseId)}/personal-data?done=${done}`);
});
