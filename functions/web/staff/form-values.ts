import { randomBytes } from 'node:crypto';
import { isCivilDate } from '#shared/time/london.ts';
import { field } from '../http.ts';
import { dateErrorHref, type FieldError } from '../ui/components.ts';

/** What a staff form sends, read back: dates typed into GOV.UK date inputs, and lists typed one a line. */

export type FormValues = Record<string, string | string[]>;

/** A day, month and year typed into a GOV.UK date input, as YYYY-MM-DD (or an error message). */
export function dateFrom(
  body: FormValues,
  name: string,
  what: string,
  options: { required?: boolean } = {},
): { value?: string; error?: FieldError; parts: { day: string; month: string; year: string } } {
  const parts = {
    day: field(body, `${name}-day`),
    month: field(body, `${name}-month`),
    year: field(body, `${name}-year`),
  };
  if (!parts.day && !parts.month && !parts.year) {
    return options.required === false
      ? { parts }
      : { parts, error: { field: name, href: dateErrorHref(name), message: `Enter ${what}` } };
  }
  const value = `${parts.year.padStart(4, '0')}-${parts.month.padStart(2, '0')}-${parts.day.padStart(2, '0')}`;
  const typed = /^\d{1,2}$/.test(parts.day) && /^\d{1,2}$/.test(parts.month) && /^\d{4}$/.test(parts.year);
  if (!typed || !isCivilDate(value)) {
    return {
      parts,
      error: {
        field: name,
        href: dateErrorHref(name),
        message: `${capitalise(what)} must be a real date, for example 27 3 2026`,
      },
    };
  }
  return { value, parts };
}

export function dateParts(date: string | undefined): { day: string; month: string; year: string } {
  if (!date || !isCivilDate(date)) return { day: '', month: '', year: '' };
  return {
    day: String(Number(date.slice(8, 10))),
    month: String(Number(date.slice(5, 7))),
    year: date.slice(0, 4),
  };
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Lines of a textarea, one item each. */
export function lines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The hidden `idempotencyKey` of a form that adds something: the same on every retry of one submission. */
export const FORM_KEY = /^[A-Za-z0-9_-]{8,100}$/;

export function newFormKey(): string {
  return `staff-${randomBytes(12).toString('base64url')}`;
}

/**
 * The form's key, or a new one when it sent none (a form from before it carried one, or a malformed one; that
 * submission is then not recognisable on retry). Kept in the body, so the form shown again carries it.
 */
export function formKey(body: FormValues): string {
  if (!FORM_KEY.test(field(body, 'idempotencyKey'))) body.idempotencyKey = newFormKey();
  return field(body, 'idempotencyKey');
}
