import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ZodError } from 'zod';
import { CONTACT_METHODS } from '#shared/domain/case.ts';
import { londonWallClockToInstant, toLondon } from '#shared/time/london.ts';
import { type IntakeInput, submitComplaint } from '#shared/usecases/intake.ts';
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
} from '../../components.ts';
import { html } from '../../html.ts';
import { field, formBody, redirect } from '../../http.ts';
import { type StaffPageContext, staffPage } from '../../route.ts';
import { csrfToken } from '../../staff-auth.ts';
import { dateFrom, type FormValues } from '../form-values.ts';
import { CHANNEL_WORDS, CONTACT_WORDS } from '../words.ts';
import { caseHref, refusal } from './common.ts';

/** Logging a complaint made by phone, letter, in person or social media. */

const LOG_CHANNELS = ['phone', 'letter', 'in-person', 'social-media', 'email'] as const;
type LogChannel = (typeof LOG_CHANNELS)[number];
const KEY_PATTERN = /^[A-Za-z0-9_-]{8,100}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s()-]{7,20}$/;
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

function newIntakeKey(): string {
  return `staff-${randomBytes(12).toString('base64url')}`;
}

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
<form method="post" action="/staff/log-complaint" novalidate>
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
    idempotencyKey: newIntakeKey(),
    'received-day': String(Number(day)),
    'received-month': String(Number(month)),
    'received-year': year,
    'received-time': `${hours}:${minutes}`,
  });
});

function parseLogForm(body: FormValues, now: Date): { input?: IntakeInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const v = (name: string) => field(body, name);
  const need = (name: string, message: string) => {
    if (!v(name)) errors.push({ field: name, message });
    return v(name);
  };
  const channel = v('channel');
  if (!(LOG_CHANNELS as readonly string[]).includes(channel)) {
    errors.push({ field: 'channel', message: 'Select how the complaint was made' });
  }
  const date = dateFrom(body, 'received', 'the date it was received');
  if (date.error) errors.push(date.error);
  const time = TIME.exec(v('received-time'));
  if (!time)
    errors.push({ field: 'received-time', message: 'Enter the time it was received, for example 14:30' });
  let receivedAt: string | undefined;
  if (date.value && time) {
    receivedAt = londonWallClockToInstant(date.value, Number(time[1]), Number(time[2]));
    if (Date.parse(receivedAt) > now.getTime()) {
      errors.push({
        field: 'received',
        message: 'The date and time it was received must be now or in the past',
      });
    }
  }
  const name = need('name', "Enter the resident's full name");
  const email = v('email');
  if (email && !EMAIL.test(email)) {
    errors.push({
      field: 'email',
      message: 'Enter an email address in the right format, like name@example.com',
    });
  }
  const phone = v('phone');
  if (phone && !PHONE.test(phone)) {
    errors.push({ field: 'phone', message: 'Enter a phone number of 7 to 20 digits, like 01632 960 001' });
  }
  const address = v('address');
  const preferredContact = v('preferredContact');
  if (!(CONTACT_METHODS as readonly string[]).includes(preferredContact)) {
    errors.push({ field: 'preferredContact', message: 'Select how they want us to contact them' });
  } else if (preferredContact === 'email' && !email) {
    errors.push({ field: 'email', message: 'Enter an email address, or choose another way to contact them' });
  } else if (preferredContact === 'phone' && !phone) {
    errors.push({ field: 'phone', message: 'Enter a phone number, or choose another way to contact them' });
  } else if (preferredContact === 'post' && !address) {
    errors.push({
      field: 'address',
      message: 'Enter a postal address, or choose another way to contact them',
    });
  }
  const whatHappened = need('whatHappened', 'Enter what went wrong');
  const outcomeWanted = need('outcomeWanted', 'Enter the outcome they want');
  if (errors.length || !receivedAt) return { errors };
  const optional = (value: string) => (value ? value : undefined);
  return {
    errors,
    input: {
      channel: channel as LogChannel,
      receivedAt,
      complainant: {
        name,
        email: optional(email),
        phone: optional(phone),
        address: optional(address),
        preferredContact: preferredContact as (typeof CONTACT_METHODS)[number],
        reasonableAdjustments: optional(v('reasonableAdjustments')),
        vulnerability: optional(v('vulnerability')),
      },
      complaint: { whatHappened, outcomeWanted },
    },
  };
}

const INTAKE_FIELDS: Record<string, string> = { receivedAt: 'received' };

/** POST /staff/log-complaint: creates the case (idempotent on the form's key) and opens it. */
export const logComplaint = staffPage(async (ctx) => {
  const body = formBody(ctx.event);
  if (!KEY_PATTERN.test(field(body, 'idempotencyKey'))) body.idempotencyKey = newIntakeKey();
  const { input, errors } = parseLogForm(body, ctx.now);
  if (!input) return renderLogForm(ctx, body, errors);
  try {
    const result = await submitComplaint(ctx.deps, input, field(body, 'idempotencyKey'), ctx.staff);
    return redirect(`${caseHref(result.caseId)}?done=logged`);
  } catch (error) {
    if (error instanceof ZodError) {
      const fieldErrors = error.issues.map((issue) => {
        const last = String(issue.path.at(-1) ?? 'name');
        return { field: INTAKE_FIELDS[last] ?? last, message: `${last}: ${issue.message}` };
      });
      return renderLogForm(ctx, body, fieldErrors);
    }
    const found = refusal(error);
    if (!found) throw error;
    // A key used for a different complaint: the next attempt gets a fresh one.
    if (found.code === 'CONFLICT') body.idempotencyKey = newIntakeKey();
    return renderLogForm(ctx, body, [{ field: 'channel', message: found.message }], found.status);
  }
});
