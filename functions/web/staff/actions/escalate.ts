import { TaskAction } from '#shared/usecases/actions.ts';
import { button, errorFor, textarea } from '../../components.ts';
import { html, type SafeHtml } from '../../html.ts';
import { field } from '../../http.ts';
import type { FormValues } from '../form-values.ts';
import { byPath, type FormContext, form, parseWith, type TaskForm, value } from './form.ts';

/** Asking for stage 2 on the resident's behalf (they asked by phone, letter or in person). */

function render(fc: FormContext): SafeHtml {
  return form(
    fc,
    'task',
    'escalate',
    "Ask for stage 2 on the resident's behalf",
    html`<p class="govuk-body">Use this when the resident asks by phone, letter or in person.</p>
    ${textarea({
      name: 'escalate-reason',
      label: 'Why the resident is unhappy (optional)',
      error: errorFor(fc.errors, 'escalate-reason'),
      value: value(fc, 'escalate', 'escalate-reason'),
    })}
    ${button('Ask for stage 2')}`,
  );
}

function parse(body: FormValues) {
  const reason = field(body, 'escalate-reason');
  return parseWith(
    TaskAction,
    { action: 'escalate', ...(reason ? { reason } : {}) },
    {
      fields: byPath({
        reason: { field: 'escalate-reason', message: 'Shorten the reason', label: 'The reason' },
      }),
      order: ['escalate-reason'],
      formId: 'escalate-form',
    },
  );
}

export const escalateForm: TaskForm = { render, parse };
