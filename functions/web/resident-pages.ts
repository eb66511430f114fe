import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ConflictError, DomainError, ValidationError } from '#shared/domain/errors.ts';
import { laterFromEventWords, referralTimeLimitWords } from '#shared/domain/letters.ts';
import {
  type EscalationRefusal,
  escalationRefusal,
  escalationRequested,
  mayAddInformation,
  type WithdrawalRefusal,
  withdrawalRefusal,
} from '#shared/domain/resident-actions.ts';
import { formatCivilDate } from '#shared/notifications/words.ts';
import { currentOmbudsman } from '#shared/policy/ombudsmen.ts';
import type { ProviderProfile, StagePolicy } from '#shared/policy/profile.ts';
import { residentAct, residentView } from '#shared/usecases/actions.ts';
import { type IntakeResult, submitComplaint } from '#shared/usecases/intake.ts';
import { toHttpError } from '../lib/errors.ts';
import { MAX_UPLOAD_BODY_BYTES } from '../lib/middleware.ts';
import { ATTACHMENTS_FIELD, checkAttachments, chooseAgain, storeAttachments } from './attachments.ts';
import { type ResidentView, renderCasePage } from './case-page.ts';
import {
  complaintFormBody,
  type FormValues,
  newIdempotencyKey,
  orderErrors,
  readForm,
  validateForm,
} from './complaint-form.ts';
import {
  backLink,
  button,
  errorSummary,
  type FieldError,
  hidden,
  notificationBanner,
  panel,
  summaryList,
  table,
  textarea,
  warningText,
} from './components.ts';
import { html, join, type SafeHtml, when } from './html.ts';
import { field, formBody } from './http.ts';
import { isMultipart, type MultipartForm, multipartBody } from './multipart.ts';
import {
  casePath,
  contactList,
  deadlineWords,
  durationWords,
  emailLink,
  linkButton,
  paragraphs,
  phoneLink,
  stageName,
  webLink,
  workingDays,
} from './resident-text.ts';
import { type PageContext, webPage } from './route.ts';

export { type ResidentView, renderCasePage } from './case-page.ts';

/**
 * The resident's pages: start page, complaint form, how to complain, the case page (signed link) and the
 * three things a resident can do on their case. GET never changes anything (email scanners prefetch
 * links); only the POST forms act, and each carries the signed token in a hidden field.
 */

// ---------------------------------------------------------------------------------------------------------
// Start page

export const homePage = webPage(async (ctx) => {
  const { profile } = ctx;
  const { contact } = profile;
  return ctx.render(
    `Make a complaint to ${profile.name}`,
    html`<h1 class="govuk-heading-xl">Make a complaint to ${profile.name}</h1>
<p class="govuk-body">Use this service to tell us if you are unhappy with our service, something we have done, or something we have not done.</p>
<p class="govuk-body">You will need to tell us:</p>
<ul class="govuk-list govuk-list--bullet">
  <li>what went wrong, and when</li>
  <li>what you would like us to do to put things right</li>
  <li>how we should contact you</li>
</ul>
<p class="govuk-body">It takes around 10 minutes.</p>
${linkButton('/complain', 'Start now', 'start')}
<h2 class="govuk-heading-m">Other ways to complain</h2>
<p class="govuk-body">You can also complain by phone, email or letter to the ${contact.name}:</p>
${contactList(contact)}
<h2 class="govuk-heading-m">Complaining for someone else</h2>
<p class="govuk-body">Someone can complain on your behalf, such as a family member, friend, advocate or councillor, if you agree to it.</p>
<h2 class="govuk-heading-m">More about complaints</h2>
<p class="govuk-body"><a class="govuk-link" href="/how-to-complain">Read how to complain and what happens next</a>, including how long each stage takes.</p>
<p class="govuk-body">You can contact the ${profile.ombudsman.name} at any time for free, impartial advice${profile.ombudsman.phone ? html` on ${phoneLink(profile.ombudsman.phone)}` : html``}.</p>`,
  );
});

// ---------------------------------------------------------------------------------------------------------
// The complaint form

function renderForm(ctx: PageContext, values: FormValues, errors: FieldError[] = [], status = 200) {
  return ctx.render('Make a complaint', html`${back('/')}${complaintFormBody(ctx.profile, values, errors)}`, {
    status,
    hasErrors: errors.length > 0,
  });
}

export const complaintForm = webPage(async (ctx) => renderForm(ctx, { idempotencyKey: newIdempotencyKey() }));

function responseClockWords(stage: StagePolicy, index: number): string {
  switch (stage.responseClockStartsAt) {
    case 'acknowledgement':
      return index === 0 ? 'of acknowledging your complaint' : 'of acknowledging your request';
    case 'receipt':
      return index === 0 ? 'of receiving your complaint' : 'of receiving your request';
    case 'escalation-request':
      return 'of your request';
  }
}

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

// ---------------------------------------------------------------------------------------------------------
// How to complain

function stageTimes(profile: ProviderProfile): SafeHtml {
  return table({
    caption: 'How long each stage takes',
    head: ['Stage', 'We acknowledge within', 'We respond within', 'Most extra time if we need it'],
    rows: profile.stages.map((stage, index) => [
      stage.name,
      `${workingDays(stage.acknowledgeWorkingDays)} ${index === 0 ? 'of receiving your complaint' : 'of your request'}`,
      `${workingDays(stage.respondWorkingDays)} ${responseClockWords(stage, index)}`,
      stage.extension.maxWorkingDays === null
        ? 'We will explain why and give you a new date'
        : `${workingDays(stage.extension.maxWorkingDays)}, and we will explain why`,
    ]),
  });
}

export const howToComplain = webPage(async (ctx) => {
  const { profile } = ctx;
  const ombudsman = currentOmbudsman(profile);
  const stage2 = profile.stages.length > 1 ? stageName(profile, 2) : undefined;
  const ombudsmanRows = [
    ...(ombudsman.phone ? [{ key: 'Phone', value: phoneLink(ombudsman.phone) }] : []),
    ...(ombudsman.email ? [{ key: 'Email', value: emailLink(ombudsman.email) }] : []),
    ...(ombudsman.website ? [{ key: 'Website', value: webLink(ombudsman.website) }] : []),
    ...(ombudsman.address ? [{ key: 'Address', value: ombudsman.address }] : []),
  ];
  return ctx.render(
    'How to complain',
    html`<h1 class="govuk-heading-l">How to complain to ${profile.name}</h1>
<h2 class="govuk-heading-m">What a complaint is</h2>
<div class="govuk-inset-text">${profile.complaintDefinition}</div>
<p class="govuk-body">You do not have to use the word ‘complaint’: if you tell us you are unhappy, we will treat it as a complaint unless it is a first request for a service (for example, reporting a repair for the first time).</p>
<h2 class="govuk-heading-m">How to make a complaint</h2>
<p class="govuk-body"><a class="govuk-link" href="/complain">Make a complaint online</a>, or contact the ${profile.contact.name}:</p>
${contactList(profile.contact)}
<p class="govuk-body">Complaints should normally be made within ${durationWords(profile.raisingWindow)} of the problem happening, or of you becoming aware of it. If it was longer ago, tell us why: we will consider it if there is a good reason.</p>
<h2 class="govuk-heading-m">Someone can complain for you</h2>
<p class="govuk-body">A family member, friend, advocate, councillor or anyone else you choose can make a complaint on your behalf, with your agreement.</p>
<h2 class="govuk-heading-m">Help and adjustments</h2>
<p class="govuk-body">Tell us if you need any support or adjustments to take part, for example letters in large print or another language, an interpreter, or calls at a particular time. We will make reasonable adjustments and keep a record of them.</p>
<h2 class="govuk-heading-m">What happens to your complaint</h2>
<p class="govuk-body">Our complaints process has ${profile.stages.length === 2 ? 'two stages' : `${profile.stages.length} stage${profile.stages.length === 1 ? '' : 's'}`}. Working days are Monday to Friday, not counting bank holidays.</p>
${join(
  profile.stages.map(
    (stage, index) => html`<h3 class="govuk-heading-s">${stage.name}</h3>
<p class="govuk-body">We will acknowledge your ${index === 0 ? 'complaint' : 'request'} within ${workingDays(stage.acknowledgeWorkingDays)} and tell you what we understand it to be about. We will send our ${index === profile.stages.length - 1 && index > 0 ? 'final ' : ''}response within ${workingDays(stage.respondWorkingDays)} ${responseClockWords(stage, index)}.</p>
<p class="govuk-body">${
      stage.extension.maxWorkingDays === null
        ? 'If we need more time, we will tell you why and when you will have our response.'
        : `If we need more time, we will tell you why and when you will have our response. We will not take more than ${workingDays(stage.extension.maxWorkingDays)} extra.`
    }</p>`,
  ),
)}
${stageTimes(profile)}
${when(
  stage2,
  () => html`<h2 class="govuk-heading-m">Asking for ${(stage2 ?? '').toLowerCase()}</h2>
<p class="govuk-body">If you are unhappy with our ${stageName(profile, 1).toLowerCase()} response, you can ask us to look at your complaint again at ${(stage2 ?? '').toLowerCase()}. Someone who was not involved at ${stageName(profile, 1).toLowerCase()} will review it. You do not need to give a reason.</p>
<p class="govuk-body">${
    profile.escalationWindow
      ? `You can ask within ${durationWords(profile.escalationWindow)} of our ${stageName(profile, 1).toLowerCase()} response${laterFromEventWords(profile.escalationWindow)}.`
      : 'There is no time limit for asking.'
  }</p>`,
)}
<h2 class="govuk-heading-m">What we may not be able to accept as a complaint</h2>
<p class="govuk-body">We will always explain our decision, and you can ask the ${ombudsman.name} to look at it.</p>
<ul class="govuk-list govuk-list--bullet">${join(profile.exclusions.map((exclusion) => html`<li>${exclusion.description}</li>`))}</ul>
<h2 class="govuk-heading-m">Putting things right</h2>
${paragraphs(profile.compensation.summary)}
<h2 class="govuk-heading-m">The ${ombudsman.name}</h2>
<p class="govuk-body">You can contact the ${ombudsman.name} at any time for free, impartial advice, including while we are looking at your complaint.</p>
<p class="govuk-body">If you are still unhappy after our final response, you can ask the ${ombudsman.name} to investigate. You should do this ${referralTimeLimitWords(profile)}.</p>
${summaryList([{ key: 'Name', value: ombudsman.name }, ...ombudsmanRows])}
${when(
  profile.otherRegulators.length > 0,
  () => html`<h2 class="govuk-heading-m">Other organisations</h2>
<ul class="govuk-list govuk-list--bullet">${join(
    profile.otherRegulators.map(
      (regulator) =>
        html`<li>For ${regulator.appliesTo}: ${regulator.website ? webLink(regulator.website, regulator.name) : regulator.name}</li>`,
    ),
  )}</ul>`,
)}`,
  );
});

// ---------------------------------------------------------------------------------------------------------
// The case page and the resident's actions on it

function tokenFromQuery(ctx: PageContext): string {
  const token = ctx.event.queryStringParameters?.token;
  if (!token) throw new ValidationError('Open this page from the link in one of our emails or letters');
  return token;
}

function caseIdOf(ctx: PageContext): string {
  return ctx.event.pathParameters?.caseId ?? '';
}

/** GET /cases/{caseId}?token=... for browsers (functions/api/resident.ts sends JSON to everyone else). */
export const casePage = webPage(async (ctx) => {
  const token = tokenFromQuery(ctx);
  const view = await residentView(ctx.deps, token, caseIdOf(ctx));
  const { title, body } = renderCasePage(ctx.profile, view, token, ctx.now);
  return ctx.render(title, body);
});

/**
 * The back link goes inside <main> rather than in the layout's slot above it, so every bit of content is
 * inside a landmark (axe: region).
 */
function back(href: string): SafeHtml {
  return backLink(href);
}

function backToCase(caseId: string, token: string, text = 'Go to your complaint'): SafeHtml {
  return html`<p class="govuk-body"><a class="govuk-link" href="${casePath(caseId, token)}">${text}</a></p>`;
}

/** A readable refusal, with the way back to the case page. */
function cannotPage(
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
function donePage(
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

/** A domain refusal during an action, worded for the resident where we know better words. */
function refusal(ctx: PageContext, view: ResidentView, token: string, error: unknown) {
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

function tooLong(name: string, label: string, value: string): FieldError[] {
  return value.length > MAX_TEXT
    ? [{ field: name, message: `${label} must be ${MAX_TEXT.toLocaleString('en-GB')} characters or fewer` }]
    : [];
}

async function loadForAction(ctx: PageContext, token: string): Promise<ResidentView> {
  if (!token) throw new ValidationError('Open this page from the link in one of our emails or letters');
  // Verifies the signed link (403 page if it is not valid, expired or for another case) and reads the case.
  return residentView(ctx.deps, token, caseIdOf(ctx));
}

// Asking for stage 2 -------------------------------------------------------------------------------------

/** Why stage 2 cannot be asked for now (see escalationRefusal), in words. */
function escalationRefusalWords(profile: ProviderProfile, refusal: EscalationRefusal): string {
  const stage2 = stageName(profile, 2).toLowerCase();
  switch (refusal.reason) {
    case 'already-requested':
      return `You have already asked for ${stage2}. We are dealing with it.`;
    case 'final-response-sent':
      return `We have sent our final response, so there is no further stage with us. If you are still unhappy, you can ask the ${profile.ombudsman.name} to look at your complaint.`;
    case 'window-ended': {
      const ended = refusal.endedAt ? ` ended at ${deadlineWords(refusal.endedAt)}` : ' has ended';
      return `The time to ask for ${stage2}${ended}. Contact us if you are still unhappy: we can consider a late request if there is a good reason.`;
    }
    case 'closed':
      return 'Your complaint is closed. If something new goes wrong, you can make a new complaint.';
    case 'before-stage1-response':
      return `You can ask for ${stage2} after we have sent you our ${stageName(profile, 1).toLowerCase()} response.`;
  }
}

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
) {
  const { profile } = ctx;
  const stage2 = profile.stages[1];
  const name = stageName(profile, 2).toLowerCase();
  const caseId = view.case.caseId;
  return ctx.render(
    `Ask for ${name}`,
    html`${back(casePath(caseId, token))}${errorSummary(errors)}
<span class="govuk-caption-l">Complaint ${view.case.reference}</span>
<h1 class="govuk-heading-l">Ask us to look at your complaint again at ${name}</h1>
<p class="govuk-body">If you are unhappy with our ${stageName(profile, 1).toLowerCase()} response, you can ask for ${name}. Someone who was not involved at ${stageName(profile, 1).toLowerCase()} will review your complaint.</p>
${when(
  stage2,
  () =>
    html`<p class="govuk-body">We will acknowledge your request within ${workingDays(stage2?.acknowledgeWorkingDays ?? 0)}, and send you our final response within ${workingDays(stage2?.respondWorkingDays ?? 0)} ${stage2 ? responseClockWords(stage2, 1) : ''}.</p>`,
)}
<form method="post" action="/cases/${encodeURIComponent(caseId)}/escalate" novalidate>
  ${hidden('token', token)}
  ${textarea({
    name: 'reason',
    label: 'Tell us why you are still unhappy (optional)',
    // Code 6.12: a resident does not have to explain why they want stage 2.
    hint: 'You do not need to give a reason. If you do, it helps us understand what is still wrong.',
    value: reason,
    error: errors[0]?.message,
  })}
  ${button(`Ask for ${name}`)}
</form>
${backToCase(caseId, token, 'Cancel and return to your complaint')}`,
    {
      status: errors.length > 0 ? 422 : 200,
      hasErrors: errors.length > 0,
    },
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
  if (escalationRequested(view.case)) {
    // A second press of the button, or a request already made: nothing more to do.
    return donePage(ctx, view, token, `You have asked for ${name}`, stage2Next(ctx.profile, view));
  }
  const why = whyNoEscalation(ctx.profile, view);
  if (why) return cannotPage(ctx, view, token, `You cannot ask for ${name} now`, paragraphs(why));
  const errors = tooLong('reason', 'Your reason', reason);
  if (errors.length > 0) return escalationForm(ctx, view, token, reason, errors);
  try {
    await residentAct(ctx.deps, token, { action: 'escalate', reason: reason || undefined }, caseIdOf(ctx));
  } catch (error) {
    return refusal(ctx, view, token, error);
  }
  const after = await residentView(ctx.deps, token, caseIdOf(ctx));
  return donePage(ctx, after, token, `You have asked for ${name}`, stage2Next(ctx.profile, after));
});

function stage2Next(profile: ProviderProfile, view: ResidentView): SafeHtml {
  const due = view.case.stage2.acknowledgement?.dueAt;
  return html`<p class="govuk-body">Someone who was not involved at ${stageName(profile, 1).toLowerCase()} will review your complaint.</p>
${due ? html`<p class="govuk-body">We will acknowledge your request by ${deadlineWords(due)}, and tell you when you will have our final response.</p>` : html``}`;
}

// Withdrawing ---------------------------------------------------------------------------------------------

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
) {
  const caseId = view.case.caseId;
  return ctx.render(
    'Withdraw your complaint',
    html`${back(casePath(caseId, token))}${errorSummary(errors)}
<span class="govuk-caption-l">Complaint ${view.case.reference}</span>
<h1 class="govuk-heading-l">Withdraw your complaint</h1>
<p class="govuk-body">If you withdraw your complaint, we will stop working on it and close it. We will write to you to confirm.</p>
<p class="govuk-body">If you change your mind, or the problem comes back, you can contact us again.</p>
<form method="post" action="/cases/${encodeURIComponent(caseId)}/withdraw" novalidate>
  ${hidden('token', token)}
  ${textarea({
    name: 'reason',
    label: 'Why are you withdrawing your complaint? (optional)',
    hint: 'For example, the problem has been sorted out.',
    value: reason,
    error: errors[0]?.message,
  })}
  ${button('Withdraw my complaint', { warning: true })}
</form>
${backToCase(caseId, token, 'Keep my complaint open and return to it')}`,
    {
      status: errors.length > 0 ? 422 : 200,
      hasErrors: errors.length > 0,
    },
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
  if (view.case.closureReason === 'withdrawn') {
    return donePage(ctx, view, token, 'You have withdrawn your complaint', WITHDRAWN_BODY);
  }
  const why = whyNoWithdrawal(view);
  if (why) return cannotPage(ctx, view, token, 'You cannot withdraw your complaint', paragraphs(why));
  const errors = tooLong('reason', 'Your reason', reason);
  if (errors.length > 0) return withdrawalForm(ctx, view, token, reason, errors);
  try {
    await residentAct(ctx.deps, token, { action: 'withdraw', reason: reason || undefined }, caseIdOf(ctx));
  } catch (error) {
    return refusal(ctx, view, token, error);
  }
  return donePage(ctx, view, token, 'You have withdrawn your complaint', WITHDRAWN_BODY);
});

// Adding information --------------------------------------------------------------------------------------

function informationForm(
  ctx: PageContext,
  view: ResidentView,
  token: string,
  text = '',
  errors: FieldError[] = [],
) {
  const caseId = view.case.caseId;
  return ctx.render(
    'Add information to your complaint',
    html`${back(casePath(caseId, token))}${errorSummary(errors)}
<span class="govuk-caption-l">Complaint ${view.case.reference}</span>
<form method="post" action="/cases/${encodeURIComponent(caseId)}/add-information" novalidate>
  ${hidden('token', token)}
  ${textarea({
    name: 'information',
    label: 'Add information to your complaint',
    isPageHeading: true,
    hint: 'For example, something new that has happened, or details we may have missed. The person dealing with your complaint will see it.',
    value: text,
    error: errors[0]?.message,
    rows: 8,
  })}
  ${button('Send')}
</form>
${backToCase(caseId, token, 'Cancel and return to your complaint')}`,
    {
      status: errors.length > 0 ? 422 : 200,
      hasErrors: errors.length > 0,
    },
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
  const view = await loadForAction(ctx, token);
  if (!mayAddInformation(view.case)) {
    return cannotPage(ctx, view, token, 'You cannot add information', paragraphs(CLOSED_NO_INFO));
  }
  const errors = text
    ? tooLong('information', 'The information', text)
    : [{ field: 'information', message: 'Enter the information you want to add to your complaint' }];
  if (errors.length > 0) return informationForm(ctx, view, token, text, errors);
  try {
    await residentAct(ctx.deps, token, { action: 'add-information', text }, caseIdOf(ctx));
  } catch (error) {
    return refusal(ctx, view, token, error);
  }
  return donePage(
    ctx,
    view,
    token,
    'We have added your information',
    html`<p class="govuk-body">We have added what you told us to your complaint. The person dealing with it will take it into account.</p>`,
  );
});
