import { ConflictError } from '#shared/domain/errors.ts';
import { formatCivilDate } from '#shared/notifications/words.ts';
import type { ProviderProfile, StagePolicy } from '#shared/policy/profile.ts';
import { type IntakeResult, submitComplaint } from '#shared/usecases/intake.ts';
import { isServiceBusy } from '../../lib/errors.ts';
import { MAX_UPLOAD_BODY_BYTES } from '../../lib/middleware.ts';
import { ATTACHMENTS_FIELD, checkAttachments, chooseAgain, storeAttachments } from '../attachments.ts';
import { formBody } from '../http.ts';
import { isMultipart, type MultipartForm, multipartBody } from '../multipart.ts';
import { type PageContext, webPage } from '../route.ts';
import { type FieldError, panel, warningText } from '../ui/components.ts';
import { html, type SafeHtml, when } from '../ui/html.ts';
import { complaintFormBody } from './complaint-form.ts';
import {
  type FormValues,
  newIdempotencyKey,
  orderErrors,
  readForm,
  validateForm,
} from './complaint-input.ts';
import { BUSY_MESSAGE, back } from './confirm-action.ts';
import { responseClockWords, workingDays } from './text.ts';

/** The complaint form, and the confirmation once it is sent. */

function renderForm(ctx: PageContext, values: FormValues, errors: FieldError[] = [], status = 200) {
  return ctx.render('Make a complaint', html`${back('/')}${complaintFormBody(ctx.profile, values, errors)}`, {
    status,
    hasErrors: errors.length > 0,
  });
}

export const complaintForm = webPage(async (ctx) => renderForm(ctx, { idempotencyKey: newIdempotencyKey() }));

function confirmationBody(profile: ProviderProfile, result: IntakeResult): SafeHtml {
  const first = profile.stages[0];
  const ack = result.acknowledgementDueDate ? formatCivilDate(result.acknowledgementDueDate) : undefined;
  return html`${panel('Complaint received', html`Your reference number<br><strong>${result.reference}</strong>`)}
<p class="govuk-body">Quote your reference number, ${result.reference}, if you contact us about your complaint. We will also send you a confirmation.</p>
<h2 class="govuk-heading-m">What happens next</h2>
${
  ack
    ? html`<p class="govuk-body">We will acknowledge your complaint by <strong>${ack}</strong>.</p>`
    : html`<p class="govuk-body">We will acknowledge your complaint${first ? ` within ${workingDays(first.acknowledgeWorkingDays)}` : ''}.</p>`
}
<p class="govuk-body">When we acknowledge it, we will tell you what we understand your complaint to be about, the outcome you are looking for, and when you will have our response.</p>
${when(
  first,
  () =>
    html`<p class="govuk-body">We will send you our ${(first as StagePolicy).name.toLowerCase()} response within ${workingDays((first as StagePolicy).respondWorkingDays)} ${responseClockWords(first as StagePolicy, 0)}. If we need more time, we will tell you why and when you will hear from us.</p>`,
)}
<h2 class="govuk-heading-m">Follow your complaint</h2>
<p class="govuk-body">You can see your complaint, and what happens next, on your case page. Every letter we send you has a link to it.</p>
<p class="govuk-body"><a class="govuk-link" href="${result.caseLink}">View your complaint</a></p>
${warningText('Keep the link to your case page private: anyone who has it can see your complaint.')}
<p class="govuk-body">You can contact the ${profile.ombudsman.name} at any time for free, impartial advice.</p>`;
}

/** The form's fields and files: multipart/form-data from the page, or urlencoded (older pages, scripts). */
async function readSubmission(ctx: PageContext): Promise<MultipartForm> {
  if (isMultipart(ctx.event)) return multipartBody(ctx.event);
  return { fields: formBody(ctx.event), files: [] };
}

export const submitComplaintForm = webPage(
  async (ctx) => {
    const submission = await readSubmission(ctx);
    const values = readForm(submission.fields);
    const outcome = validateForm(values, ctx.now);
    const attachments = checkAttachments(submission.files, submission.moreFiles);
    const chosen = attachments.ok ? attachments.files : [];
    if (!outcome.ok || !attachments.ok) {
      const errors = outcome.ok ? [] : [...outcome.errors];
      if (!attachments.ok) errors.push({ field: ATTACHMENTS_FIELD, message: attachments.message });
      // The browser cannot show chosen files again: say so, or they would be silently left behind.
      else if (chosen.length > 0) errors.push({ field: ATTACHMENTS_FIELD, message: chooseAgain(chosen) });
      return renderForm(ctx, values, orderErrors(errors), 422);
    }
    const intakeKey = values.idempotencyKey ?? newIdempotencyKey();
    // Stored before the case exists, so the case never lists a file that is not there.
    const records = await storeAttachments(ctx.deps.attachments, intakeKey, chosen);
    let result: IntakeResult;
    try {
      // The key was made when the form was first shown: a double submission finds the same case.
      result = await submitComplaint(
        ctx.deps,
        outcome.input,
        intakeKey,
        { kind: 'resident', id: 'web-form' },
        records,
      );
    } catch (error) {
      if (isServiceBusy(error)) {
        // Same answers, same key: sending it again finishes this complaint, it never makes a second one.
        return renderForm(
          ctx,
          values,
          [
            { field: 'form', href: '#whatHappened', message: BUSY_MESSAGE },
            ...(chosen.length > 0 ? [{ field: ATTACHMENTS_FIELD, message: chooseAgain(chosen) }] : []),
          ],
          503,
        );
      }
      if (!(error instanceof ConflictError)) throw error;
      // This form was already sent with different answers (back button, then edited): offer a fresh send.
      return renderForm(
        ctx,
        { ...values, idempotencyKey: newIdempotencyKey() },
        [
          {
            field: 'whatHappened',
            message:
              'You have already sent a complaint from this form. To send these answers as a new complaint, check them and select ‘Send complaint’ again',
          },
          ...(chosen.length > 0 ? [{ field: ATTACHMENTS_FIELD, message: chooseAgain(chosen) }] : []),
        ],
        409,
      );
    }
    return ctx.render('Complaint received', confirmationBody(ctx.profile, result));
  },
  // Files make this the one page with a large body: up to the HTTP API's limit.
  { maxBodyBytes: MAX_UPLOAD_BODY_BYTES },
);
