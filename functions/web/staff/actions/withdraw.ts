import { TaskAction } from '#shared/usecases/actions.ts';
import { field, fieldList } from '../../http.ts';
import { button, checkboxes, errorFor, type FieldError, textarea } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { byPath, type FormContext, form, parseWith, type TaskForm, value, values } from './form.ts';

/** Withdrawing the complaint on the resident's behalf: only once the box says they asked. */

function render(fc: FormContext): SafeHtml {
  return form(
    fc,
    'task',
    'withdraw',
    "Withdraw the complaint on the resident's behalf",
    html`${textarea({
      name: 'withdraw-reason',
      label: 'Reason (optional)',
      error: errorFor(fc.errors, 'withdraw-reason'),
      value: value(fc, 'withdraw', 'withdraw-reason'),
    })}
    ${checkboxes({
      name: 'withdraw-confirm',
      legend: 'Confirm',
      error: errorFor(fc.errors, 'withdraw-confirm'),
      values: values(fc, 'withdraw', 'withdraw-confirm'),
      items: [{ value: 'yes', text: 'The resident has asked us to withdraw their complaint' }],
    })}
    ${button('Withdraw the complaint', { warning: true })}`,
  );
}

function parse(body: FormValues) {
  const errors: FieldError[] = fieldList(body, 'withdraw-confirm').includes('yes')
    ? []
    : [
        {
          field: 'withdraw-confirm',
          message: 'Confirm that the resident has asked to withdraw their complaint',
        },
      ];
  const reason = field(body, 'withdraw-reason');
  return parseWith(
    TaskAction(),
    { action: 'withdraw', ...(reason ? { reason } : {}) },
    {
      fields: byPath({
        reason: { field: 'withdraw-reason', message: 'Shorten the reason', label: 'The reason' },
      }),
      formErrors: errors,
      order: ['withdraw-reason', 'withdraw-confirm'],
      formId: 'withdraw-form',
    },
  );
}

export const withdrawForm: TaskForm = { render, parse };
