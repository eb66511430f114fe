import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CONTACT_METHODS, type ContactDetail } from '#shared/domain/case.ts';
import { londonWallClockToInstant, toLondon } from '#shared/time/london.ts';
import { IntakeInput, submitComplaint } from '#shared/usecases/intake.ts';
import { complainantFromForm, contactDetailError } from '../../complainant-form.ts';
import { field, formBody, redirect } from '../../http.ts';
import { csrfToken } from '../../staff-auth.ts';
import { type StaffPageContext, staffPage } from '../../staff-route.ts';
import {
  button,
  dateInput,
  errorFor,
  errorSummary,
  type FieldError,
  hidden,
  radios,
  textarea,
  textInput,
} from '../../ui/components.ts';
import { html } from '../../ui/html.ts';
import { byPath, parseWith } from '../actions/form.ts';
import { dateFrom, type FormValues, formKey, newFormKey } from '../form-values.ts';
import { CHANNEL_WORDS, CONTACT_WORDS } from '../words.ts';
import { caseHref, refusal } from './common.ts';

/** Logging a complaint made by phone, letter, in person or social media. */

const LOG_CHANNELS = ['phone', 'letter', 'in-person', 'social-media', 'email'] as const;
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

function renderLogForm(
  ctx: StaffPageContext,
  body: FormValues,
  errors: FieldError[] = [],
  status?: number,
): APIGatewayProxyStructuredResultV2 {
  const v = (name: string) => field(body, name);
  const e = (name: string) => errorFor(errors, name);
  const page = html`${errorSummary(errors)}
<h1 class="govuk-heading-l">Log a complaint</h1>
<p class="govuk-body">For a complaint made by phone, letter, in person or on social media. The resident's deadlines run from when it was received.</p>
<form method="post" action="/staff/log-complaint" id="log-complaint-form" novalidate>
  ${hidden('csrf', csrfToken(ctx))}
  ${hidden('idempotencyKey', v('idempotencyKey'))}
  ${radios({
    name: 'channel',
    legend: 'How was it made?',
    legendSize: 'm',
    error: e('channel'),
    value: v('channel'),
    items: LOG_CHANNELS.map((channel) => ({ value: channel, text: CHANNEL_WORDS[channel] ?? channel })),
  })}
  ${dateInput({
    name: 'received',
    legend: 'When was it received?',
    hint: 'For example, 27 3 2026',
    error: e('received'),
    value: { day: v('received-day'), month: v('received-month'), year: v('received-year') },
  })}
  ${textInput({ name: 'received-time', label: 'Time received (24-hour, London time)', hint: 'For example, 14:30', error: e('received-time'), value: v('received-time'), width: '5' })}
  <h2 class="govuk-heading-m">The resident</h2>
  ${textInput({ name: 'name', label: 'Full name', error: e('name'), value: v('name'), spellcheck: false })}
  ${textInput({ name: 'email', label: 'Email address (optional)', type: 'email', error: e('email'), value: v('email'), spellcheck: false })}
  ${textInput({ name: 'phone', label: 'Phone number (optional)', type: 'tel', error: e('phone'), value: v('phone'), width: '20' })}
  ${textarea({ name: 'address', label: 'Postal address (optional)', error: e('address'), value: v('address'), rows: 4 })}
  ${radios({
    name: 'preferredContact',
    legend: 'How do they want us to contact them?',
    error: e('preferredContact'),
    value: v('preferredContact'),
    items: CONTACT_METHODS.map((method) => ({ value: method, text: CONTACT_WORDS[method] ?? method })),
  })}
  <h2 class="govuk-heading-m">The complaint</h2>
  ${textarea({ name: 'whatHappened', label: 'What went wrong', error: e('whatHappened'), value: v('whatHappened'), rows: 8 })}
  ${textarea({ name: 'outcomeWanted', label: 'What outcome they want', error: e('outcomeWanted'), value: v('outcomeWanted') })}
  ${textarea({ name: 'reasonableAdjustments', label: 'Reasonable adjustments they need (optional)', hint: 'For example, large print, phone calls instead of letters, an interpreter', error: e('reasonableAdjustments'), value: v('reasonableAdjustments') })}
  ${textarea({ name: 'vulnerability', label: 'Anything that makes them vulnerable (optional)', error: e('vulnerability'), value: v('vulnerability') })}
  ${button('Log the complaint')}
</form>`;
  return ctx.render('Log a complaint', page, {
    status: status ?? (errors.length ? 422 : 200),
    hasErrors: errors.length > 0,
  });
}

/** GET /staff/log-complaint. */
export const logComplaintForm = staffPage(async (ctx) => {
  const now = toLondon(ctx.now);
  const [year = '', month = '', day = ''] = now.date.split('-');
  const hours = String(Math.floor(now.minuteOfDay / 60)).padStart(2, '0');
  const minutes = String(now.minuteOfDay % 60).padStart(2, '0');
  return renderLogForm(ctx, {
    idempotencyKey: newFormKey(),
    'received-day': String(Number(day)),
    'received-month': String(Number(month)),
    'received-year': year,
    'received-time': `${hours}:${minutes}`,
  });
});

/** Where each of the intake schema's issues is shown, worded for staff. */
const INTAKE_FIELDS = byPath({
  channel: { field: 'channel', message: 'Select how the complaint was made' },
  receivedAt: { field: 'received', message: 'Enter the date and time it was received' },
  'complainant.name': { field: 'name', message: "Enter the resident's full name", label: 'The full name' },
  'complainant.email': {
    field: 'email',
    message: 'Enter an email address in the right format, like name@example.com',
  },
  'complainant.phone': {
    field: 'phone',
    message: 'Enter a phone number of 7 to 20 digits, like 01632 960 001',
  },
  'complainant.address': { field: 'address', message: 'Enter a postal address', label: 'The postal address' },
  'complainant.preferredContact': {
    field: 'preferredContact',
    message: 'Select how they want us to contact them',
  },
  'complainant.reasonableAdjustments': {
    field: 'reasonableAdjustments',
    message: 'Enter the reasonable adjustments they need',
    label: 'The reasonable adjustments',
  },
  'complainant.vulnerability': {
    field: 'vulnerability',
    message: 'Enter what makes them vulnerable',
    label: 'What makes them vulnerable',
  },
  'complaint.whatHappened': {
    field: 'whatHappened',
    message: 'Enter what went wrong',
    label: 'What went wrong',
  },
  'complaint.outcomeWanted': {
    field: 'outcomeWanted',
    message: 'Enter the outcome they want',
    label: 'The outcome they want',
  },
});

const FIELD_ORDER = [
  'channel',
  'received',
  'received-time',
  'name',
  'email',
  'phone',
  'address',
  'preferredContact',
  'whatHappened',
  'outcomeWanted',
  'reasonableAdjustments',
  'vulnerability',
];

/** What to say when the chosen way of contacting them has no detail to go with it. */
const CONTACT_DETAIL_MISSING: Record<ContactDetail, string> = {
  email: 'Enter an email address, or choose another way to contact them',
  phone: 'Enter a phone number, or choose another way to contact them',
  address: 'Enter a postal address, or choose another way to contact them',
};

/**
 * Builds the intake input from the form and checks it with the intake schema; by hand only what the schema
 * cannot know: the channels staff log, the date and time as typed, that it is not in the future, and the
 * contact detail the chosen way of contacting them needs.
 */
function parseLogForm(body: FormValues, now: Date) {
  const errors: FieldError[] = [];
  const v = (name: string) => field(body, name);
  const optional = (name: string) => v(name) || undefined;
  const channel = v('channel');
  if (!(LOG_CHANNELS as readonly string[]).includes(channel)) {
    errors.push({ field: 'channel', message: 'Select how the complaint was made' });
  }
  const date = dateFrom(body, 'received', 'the date it was received');
  if (date.error) errors.push(date.error);
  const time = TIME.exec(v('received-time'));
  if (!time)
    errors.push({ field: 'received-time', message: 'Enter the time it was received, for example 14:30' });
  const receivedAt =
    date.value && time ? londonWallClockToInstant(date.value, Number(time[1]), Number(time[2])) : undefined;
  if (receivedAt && Date.parse(receivedAt) > now.getTime()) {
    errors.push({
      field: 'received',
      message: 'The date and time it was received must be now or in the past',
    });
  }
  const complainant = complainantFromForm(v);
  const detail = contactDetailError(complainant, CONTACT_DETAIL_MISSING);
  if (detail) errors.push(detail);
  const raw = {
    channel: optional('channel'),
    receivedAt,
    complainant,
    complaint: { whatHappened: v('whatHappened'), outcomeWanted: v('outcomeWanted') },
  };
  const parsed = parseWith(IntakeInput(), raw, {
    fields: INTAKE_FIELDS,
    formErrors: errors,
    order: FIELD_ORDER,
    formId: 'log-complaint-form',
  });
  // Received when staff say, never now by default: an unparsed date or time is an error above.
  return receivedAt ? parsed : { errors: parsed.errors };
}

/** POST /staff/log-complaint: creates the case (idempotent on the form's key) and opens it. */
export const logComplaint = staffPage(async (ctx) => {
  const body = formBody(ctx.event);
  const key = formKey(body);
  const { action: input, errors } = parseLogForm(body, ctx.now);
  if (!input) return renderLogForm(ctx, body, errors);
  try {
    const result = await submitComplaint(ctx.deps, input, key, ctx.staff);
    return redirect(`${caseHref(result.caseId)}?done=logged`);
  } catch (error) {
    const found = refusal(error);
    if (!found) throw error;
    // A key used for a different complaint: the next attempt gets a fresh one.
    if (found.code === 'CONFLICT') body.idempotencyKey = newFormKey();
    return renderLogForm(ctx, body, [{ field: 'channel', message: found.message }], found.status);
  }
});
