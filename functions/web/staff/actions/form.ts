import type * as z from 'zod/mini';
import type { CaseState, StaffRole } from '#shared/domain/case.ts';
import { wholeNumber } from '#shared/domain/numbers.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import type { TaskRecord } from '#shared/ports/case-repository.ts';
import type { CaseAction, TaskAction } from '#shared/usecases/actions.ts';
import type { LetterPreview } from '#shared/usecases/preview-letter.ts';
import { fieldList } from '../../http.ts';
import { type FieldError, hidden } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';

/** What every form on the staff case page is drawn from, and shown again with (errors or a preview). */

/** The letter an extension or response would send, shown before it is sent. */
export type Preview = LetterPreview;

export interface FormContext {
  caseId: string;
  csrf: string;
  profile: ProviderProfile;
  state: CaseState;
  staff: { id: string; role: StaffRole };
  /** When the page is drawn (the Clock port's time): a form offered only before a deadline reads it. */
  now: Date;
  task?: TaskRecord;
  /** What was sent, when the page is shown again (errors or a preview): the values are kept. */
  submitted?: { action: string; body: FormValues };
  errors: readonly FieldError[];
  preview?: Preview;
}

/** What a form's parse gives: the action for the use case, or the errors to show on the form. */
export interface Parsed<T> {
  action?: T;
  errors: FieldError[];
}

/** What a task form's parse may read beyond the body: the policy, the case and the task's step. */
export interface TaskFormContext {
  profile: ProviderProfile;
  state: CaseState;
  step: TaskRecord['step'];
}

export function value(fc: FormContext, action: string, name: string, fallback = ''): string {
  if (fc.submitted?.action !== action) return fallback;
  const raw = fc.submitted.body[name];
  return Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '');
}

export function values(fc: FormContext, action: string, name: string): string[] {
  return fc.submitted?.action === action ? fieldList(fc.submitted.body, name) : [];
}

export function dateValue(fc: FormContext, action: string, name: string, fallback?: string) {
  if (fallback && fc.submitted?.action !== action) {
    const [year = '', month = '', day = ''] = fallback.split('-');
    return { day: String(Number(day)), month: String(Number(month)), year };
  }
  return {
    day: value(fc, action, `${name}-day`),
    month: value(fc, action, `${name}-month`),
    year: value(fc, action, `${name}-year`),
  };
}

export function stageOf(step: TaskRecord['step']): 1 | 2 {
  return step.startsWith('stage2-') ? 2 : 1;
}

/** One action's form: posted to the case's task or record route with the CSRF token and the action's name. */
export function form(
  fc: FormContext,
  kind: 'task' | 'record' | 'personal-data',
  action: string,
  heading: string,
  content: SafeHtml,
): SafeHtml {
  const id = `${action}-form`;
  return html`<section class="govuk-!-margin-bottom-8" aria-labelledby="${id}-heading" data-testid="${id}">
  <h3 class="govuk-heading-m" id="${id}-heading">${heading}</h3>
  <form method="post" action="/staff/case/${encodeURIComponent(fc.caseId)}/${kind}" id="${id}" novalidate>
    ${hidden('csrf', fc.csrf)}
    ${kind === 'task' && fc.task ? hidden('taskId', fc.task.taskId) : html``}
    ${hidden('action', action)}
    ${content}
  </form>
</section>`;
}

/** Where an issue at a schema path is shown, and what it says (`label` words a "too long" message). */
export interface FieldMessage {
  field: string;
  message: string;
  label?: string;
  href?: string;
}

/**
 * Checks what a form built against the use case's schema and maps each issue onto the form's field, worded for
 * staff, after the checks only the form can make (`formErrors`: choices, ticked boxes, dates as typed). One
 * message a field, in page order (`order`, the form's field names). An issue at a path the form does not map
 * is a bug in how the form builds its input: it is still shown, at the form, rather than lost.
 */
export function parseWith<T>(
  schema: z.ZodMiniType<T>,
  raw: unknown,
  options: {
    fields: (path: readonly PropertyKey[]) => FieldMessage | undefined;
    formErrors?: readonly FieldError[];
    order: readonly string[];
    formId: string;
  },
): Parsed<T> {
  const result = schema.safeParse(raw);
  const errors = [...(options.formErrors ?? [])];
  for (const issue of result.success ? [] : result.error.issues) {
    const mapped = options.fields(issue.path);
    const target: FieldError = mapped
      ? {
          field: mapped.field,
          ...(mapped.href ? { href: mapped.href } : {}),
          message:
            issue.code === 'too_big' && mapped.label
              ? `${mapped.label} must be ${wholeNumber(Number(issue.maximum))} characters or fewer`
              : mapped.message,
        }
      : { field: options.formId, message: `${issue.path.join('.')}: ${issue.message}` };
    if (!errors.some((error) => error.field === target.field)) errors.push(target);
  }
  if (errors.length > 0 || !result.success) {
    const rank = (error: FieldError) => {
      const index = options.order.indexOf(error.field);
      return index === -1 ? options.order.length : index;
    };
    return { errors: errors.sort((a, b) => rank(a) - rank(b)) };
  }
  return { action: result.data, errors };
}

/** A field map from schema paths (dotted) to the form's fields. */
export function byPath(map: Record<string, FieldMessage>) {
  return (path: readonly PropertyKey[]) => map[path.join('.')];
}

/** A form for one kind of task action: drawn for the task's stage, and parsed into the use case's input. */
export interface TaskForm {
  render(fc: FormContext, stage: 1 | 2): SafeHtml;
  parse(body: FormValues, context: TaskFormContext): Parsed<TaskAction>;
}

/** A form for something recorded on the case (not a workflow step). */
export interface CaseForm {
  render(fc: FormContext): SafeHtml;
  parse(body: FormValues): Parsed<CaseAction>;
}

/** An amount in pounds as typed (a £ and thousands commas allowed, at most two decimals); blank is none. */
export function parsePounds(text: string): number | undefined | 'invalid' {
  if (!text) return undefined;
  const cleaned = text.replace(/^£/, '').replace(/,/g, '').trim();
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return 'invalid';
  return Number(cleaned);
}
