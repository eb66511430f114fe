import { randomUUID } from 'node:crypto';
import type * as z from 'zod/mini';
import type { ContactDetail } from '#shared/domain/case.ts';
import { wholeNumber } from '#shared/domain/numbers.ts';
import { isCivilDate, toLondon } from '#shared/time/london.ts';
import { IntakeInput } from '#shared/usecases/intake.ts';
import { ATTACHMENTS_FIELD } from '../attachments.ts';
import { complainantFromForm, contactDetailError } from '../complainant-form.ts';
import { field } from '../http.ts';
import { dateErrorHref, type FieldError } from '../ui/components.ts';
import { oneLine } from './text.ts';

/**
 * The resident's complaint form read back: the fields as typed, and the intake input built from them and
 * checked (the intake schema's rules, worded for people, and what only a form asks). The form is
 * multipart/form-data so residents can attach photos or documents (checked in attachments.ts); urlencoded
 * posts of the same fields are still accepted.
 */

const DATE_FIELDS = ['happenedOn', 'becameAwareOn'] as const;
export type DateField = (typeof DATE_FIELDS)[number];
const DATE_PARTS = ['day', 'month', 'year'] as const;

/** Every field, in page order: error summaries list problems in this order too. */
export const FIELD_ORDER = [
  'whatHappened',
  'happenedOn',
  'becameAwareOn',
  'outcomeWanted',
  'attachments',
  'name',
  'preferredContact',
  'email',
  'phone',
  'address',
  'reasonableAdjustments',
  'onBehalf',
  'representativeName',
  'representativeRelationship',
  'representativeConsent',
] as const;
type FieldName = (typeof FIELD_ORDER)[number];

/** One-line answers: control characters (CR/LF header tricks) become spaces. */
const ONE_LINE: ReadonlySet<string> = new Set([
  'name',
  'email',
  'phone',
  'representativeName',
  'representativeRelationship',
]);

export type FormValues = Record<string, string>;

const RAW_NAMES = [
  ...FIELD_ORDER.filter(
    (name) => !(DATE_FIELDS as readonly string[]).includes(name) && name !== ATTACHMENTS_FIELD,
  ),
  ...DATE_FIELDS.flatMap((name) => DATE_PARTS.map((part) => `${name}-${part}`)),
  'idempotencyKey',
];

const KEY_FORMAT = /^[A-Za-z0-9_-]{8,100}$/;

export function newIdempotencyKey(): string {
  return randomUUID();
}

/** The submitted values, as typed (trimmed), so the form can be shown again exactly as it was. */
export function readForm(fields: Record<string, string | string[]>): FormValues {
  const values: FormValues = {};
  for (const name of RAW_NAMES) {
    const value = field(fields, name);
    values[name] = ONE_LINE.has(name) ? oneLine(value) : value;
  }
  // The key made when the form was first shown; a missing or odd one is replaced (it only dedupes).
  if (!KEY_FORMAT.test(values.idempotencyKey ?? '')) values.idempotencyKey = newIdempotencyKey();
  return values;
}

// ---------------------------------------------------------------------------------------------------------
// Validation

const LABELS: Record<FieldName, string> = {
  whatHappened: 'What went wrong',
  happenedOn: 'The date it happened',
  becameAwareOn: 'The date you became aware of it',
  outcomeWanted: 'What you would like us to do',
  attachments: 'Photos or documents',
  name: 'Your full name',
  preferredContact: 'How we should contact you',
  email: 'Email address',
  phone: 'Phone number',
  address: 'Postal address',
  reasonableAdjustments: 'The support or adjustments you need',
  onBehalf: 'Whether someone is complaining on the resident’s behalf',
  representativeName: 'The name of the person making the complaint',
  representativeRelationship: 'Their relationship to the resident',
  representativeConsent: 'The resident’s consent',
};

/** What to say when a required answer is missing, and when an answer is in the wrong format. */
const MISSING: Partial<Record<FieldName, string>> = {
  whatHappened: 'Enter what went wrong',
  outcomeWanted: 'Enter what you would like us to do to put things right',
  name: 'Enter your full name',
  preferredContact: 'Select how you would like us to contact you',
  onBehalf: 'Select yes if someone is making this complaint on the resident’s behalf',
  representativeName: 'Enter the name of the person making the complaint',
  representativeRelationship:
    'Enter their relationship to the resident, for example daughter or support worker',
  representativeConsent: 'Confirm that the resident agrees to this person making the complaint for them',
};
const WRONG_FORMAT: Partial<Record<FieldName, string>> = {
  email: 'Enter an email address in the correct format, like name@example.com',
  phone: 'Enter a phone number, like 01632 960 001 or +44 7700 900 982',
  preferredContact: 'Select how you would like us to contact you',
  representativeConsent: MISSING.representativeConsent,
};

const ZOD_PATHS: Record<string, FieldName> = {
  'complainant.name': 'name',
  'complainant.email': 'email',
  'complainant.phone': 'phone',
  'complainant.address': 'address',
  'complainant.preferredContact': 'preferredContact',
  'complainant.reasonableAdjustments': 'reasonableAdjustments',
  'complainant.representative.name': 'representativeName',
  'complainant.representative.relationship': 'representativeRelationship',
  'complainant.representative.consentRecorded': 'representativeConsent',
  'complaint.whatHappened': 'whatHappened',
  'complaint.happenedOn': 'happenedOn',
  'complaint.becameAwareOn': 'becameAwareOn',
  'complaint.outcomeWanted': 'outcomeWanted',
};

type Issue = z.core.$ZodIssue;

function messageFor(name: FieldName, issue: Issue): string {
  if (issue.code === 'too_big') {
    return `${LABELS[name]} must be ${wholeNumber(Number(issue.maximum))} characters or fewer`;
  }
  if (issue.code === 'too_small' || (issue.code === 'invalid_type' && issue.input === undefined)) {
    return MISSING[name] ?? WRONG_FORMAT[name] ?? `Enter ${LABELS[name].toLowerCase()}`;
  }
  if (name === 'happenedOn' || name === 'becameAwareOn') return `${LABELS[name]} must be a real date`;
  return WRONG_FORMAT[name] ?? MISSING[name] ?? `Check ${LABELS[name].toLowerCase()}`;
}

/** Maps the intake schema's issues onto the form's fields, with words a resident understands. */
export function issuesToFieldErrors(issues: readonly Issue[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const name = ZOD_PATHS[issue.path.join('.')];
    // Anything unmapped is a bug in how the form builds its input: fall back to the first field.
    const target: FieldName = name ?? 'whatHappened';
    if (errors.some((error) => error.field === target)) continue;
    errors.push({
      field: target,
      ...((DATE_FIELDS as readonly string[]).includes(target) ? { href: dateErrorHref(target) } : {}),
      message: name ? messageFor(name, issue) : 'Check your answers and try again',
    });
  }
  return errors;
}

function readDate(values: FormValues, name: DateField, today: string): { date?: string; error?: string } {
  const [day, month, year] = DATE_PARTS.map((part) => values[`${name}-${part}`] ?? '');
  const label = LABELS[name];
  if (!day && !month && !year) return {};
  const missing = DATE_PARTS.filter((_part, index) => ![day, month, year][index]);
  if (missing.length > 0) return { error: `${label} must include a ${missing.join(' and a ')}` };
  if (!/^\d{1,2}$/.test(day ?? '') || !/^\d{1,2}$/.test(month ?? '') || !/^\d{4}$/.test(year ?? '')) {
    return {
      error: /^\d{4}$/.test(year ?? '') ? `${label} must be a real date` : 'Year must include 4 numbers',
    };
  }
  const date = `${year}-${(month ?? '').padStart(2, '0')}-${(day ?? '').padStart(2, '0')}`;
  if (!isCivilDate(date)) return { error: `${label} must be a real date` };
  if (date > today) return { error: `${label} must be today or in the past` };
  if (date < '1900-01-01') return { error: `${label} must be after 1900` };
  return { date };
}

/** What to say when the chosen way of contacting them has no detail to go with it. */
const CONTACT_DETAIL_MISSING: Record<ContactDetail, string> = {
  email: 'Enter your email address, or choose another way for us to contact you',
  phone: 'Enter your phone number, or choose another way for us to contact you',
  address: 'Enter your postal address, or choose another way for us to contact you',
};

/** Problems in page order, as the error summary lists them. */
export function orderErrors(errors: readonly FieldError[]): FieldError[] {
  const order = (error: FieldError) => FIELD_ORDER.indexOf(error.field as FieldName);
  return [...errors].sort((a, b) => order(a) - order(b));
}

export type FormOutcome = { ok: true; input: IntakeInput } | { ok: false; errors: FieldError[] };

/** Builds the intake input from the form and checks it: the intake schema plus what only a form asks. */
export function validateForm(values: FormValues, now: Date): FormOutcome {
  const today = toLondon(now).date;
  const errors: FieldError[] = [];
  const dates: Partial<Record<DateField, string>> = {};
  for (const name of DATE_FIELDS) {
    const { date, error } = readDate(values, name, today);
    if (error) errors.push({ field: name, href: dateErrorHref(name), message: error });
    else if (date) dates[name] = date;
  }
  const v = (name: string) => values[name] ?? '';
  const onBehalf = v('onBehalf');
  if (onBehalf !== 'yes' && onBehalf !== 'no')
    errors.push({ field: 'onBehalf', message: MISSING.onBehalf ?? '' });
  const complainant = complainantFromForm(v, { onBehalf: true });
  const detail = contactDetailError(complainant, CONTACT_DETAIL_MISSING);
  if (detail) errors.push(detail);

  const input = {
    channel: 'web',
    complainant,
    complaint: {
      whatHappened: v('whatHappened'),
      happenedOn: dates.happenedOn,
      becameAwareOn: dates.becameAwareOn,
      outcomeWanted: v('outcomeWanted'),
    },
  };
  const parsed = IntakeInput().safeParse(input);
  if (!parsed.success) {
    for (const error of issuesToFieldErrors(parsed.error.issues)) {
      if (!errors.some((existing) => existing.field === error.field)) errors.push(error);
    }
  }
  if (errors.length > 0) return { ok: false, errors: orderErrors(errors) };
  return { ok: true, input: input as IntakeInput };
}
