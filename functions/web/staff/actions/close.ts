import { formatCivilDate } from '#shared/notifications/words.ts';
import { TaskAction } from '#shared/usecases/actions.ts';
import { field, fieldList } from '../../http.ts';
import { button, checkboxes, errorFor, type FieldError, textarea } from '../../ui/components.ts';
import { html, type SafeHtml } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { byPath, type FormContext, form, parseWith, type TaskForm, value, values } from './form.ts';

/** Closing as resolved at stage 1: inside the window to ask for stage 2, only with what the resident said. */

function render(fc: FormContext): SafeHtml {
  const window = fc.state.escalationWindow;
  return form(
    fc,
    'task',
    'close',
    'Close the complaint as resolved at stage 1',
    html`<p class="govuk-body">Use this when the matter is resolved at stage 1. The resident is told it is closed and how to contact the Ombudsman. Any outstanding actions must be completed first.</p>
    ${
      window
        ? html`<p class="govuk-body" data-testid="close-window">The resident can ask for stage 2 until ${formatCivilDate(window.dueDate)}. Before then, close it only if the resident has told you they are satisfied, and record how and when they said so.</p>`
        : html`<p class="govuk-body" data-testid="close-window">The resident can ask for stage 2 at any time (the policy sets no deadline). Close it only if the resident has told you they are satisfied, and record how and when they said so.</p>`
    }
    ${checkboxes({
      name: 'close-satisfied-confirm',
      legend: 'Has the resident said they are satisfied?',
      error: errorFor(fc.errors, 'close-satisfied-confirm'),
      values: values(fc, 'close', 'close-satisfied-confirm'),
      items: [{ value: 'yes', text: 'The resident has told us they are satisfied and do not want stage 2' }],
    })}
    ${textarea({
      name: 'close-satisfied',
      label: 'How and when the resident told us',
      hint: window
        ? 'Needed to close before the window to ask for stage 2 ends. For example: "Phoned on 4 March: happy with the repair."'
        : 'Needed to close while the resident can still ask for stage 2. For example: "Phoned on 4 March: happy with the repair."',
      error: errorFor(fc.errors, 'close-satisfied'),
      value: value(fc, 'close', 'close-satisfied'),
    })}
    ${checkboxes({
      name: 'close-confirm',
      legend: 'Confirm',
      error: errorFor(fc.errors, 'close-confirm'),
      values: values(fc, 'close', 'close-confirm'),
      items: [{ value: 'yes', text: 'The complaint is resolved at stage 1' }],
    })}
    ${button('Close the complaint', { secondary: true })}`,
  );
}

function parse(body: FormValues) {
  const errors: FieldError[] = [];
  const confirm = fieldList(body, 'close-confirm').includes('yes');
  if (!confirm) {
    errors.push({ field: 'close-confirm', message: 'Confirm that the complaint is resolved at stage 1' });
  }
  const satisfied = fieldList(body, 'close-satisfied-confirm').includes('yes');
  const residentSatisfied = field(body, 'close-satisfied');
  if (satisfied && !residentSatisfied) {
    errors.push({
      field: 'close-satisfied',
      message: 'Say how and when the resident told us they are satisfied',
    });
  } else if (!satisfied && residentSatisfied) {
    errors.push({
      field: 'close-satisfied-confirm',
      message: 'Tick the box if the resident has told us they are satisfied, or clear the note',
    });
  }
  const raw = { action: 'close', confirm, ...(satisfied ? { residentSatisfied } : {}) };
  return parseWith(TaskAction(), raw, {
    fields: byPath({
      confirm: { field: 'close-confirm', message: 'Confirm that the complaint is resolved at stage 1' },
      residentSatisfied: {
        field: 'close-satisfied',
        message: 'Say how and when the resident told us they are satisfied',
        label: 'What the resident told us',
      },
    }),
    formErrors: errors,
    order: ['close-satisfied-confirm', 'close-satisfied', 'close-confirm'],
    formId: 'close-form',
  });
}

export const closeForm: TaskForm = { render, parse };
