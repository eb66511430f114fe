import { allowsEvent } from '#shared/domain/case.ts';
import { CaseAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import {
  button,
  dateErrorHref,
  dateInput,
  errorFor,
  type FieldError,
  textInput,
} from '../../ui/components.ts';
import { html, when } from '../../ui/html.ts';
import { dateFrom, type FormValues } from '../form-values.ts';
import { byPath, type CaseForm, dateValue, type FormContext, form, parseWith, value } from './form.ts';

/** An outstanding action promised to the resident: what, who and by when (Code 6.6). */

function render(fc: FormContext) {
  const { errors } = fc;
  return when(allowsEvent(fc.state.status, 'action-added'), () =>
    form(
      fc,
      'record',
      'add-action',
      'Add an outstanding action',
      html`${textInput({ name: 'add-action-description', label: 'What will be done', error: errorFor(errors, 'add-action-description'), value: value(fc, 'add-action', 'add-action-description') })}
    ${textInput({ name: 'add-action-owner', label: 'Who will do it', error: errorFor(errors, 'add-action-owner'), value: value(fc, 'add-action', 'add-action-owner'), width: '20' })}
    ${dateInput({ name: 'add-action-due', legend: 'By when', hint: 'For example, 27 3 2026', error: errorFor(errors, 'add-action-due'), value: dateValue(fc, 'add-action', 'add-action-due') })}
    ${button('Add outstanding action', { secondary: true })}`,
    ),
  );
}

function parse(body: FormValues) {
  const due = dateFrom(body, 'add-action-due', 'the date it will be done by');
  const errors: FieldError[] = due.error ? [due.error] : [];
  const raw = {
    action: 'add-action',
    description: field(body, 'add-action-description'),
    owner: field(body, 'add-action-owner'),
    dueDate: due.value ?? '',
  };
  return parseWith(CaseAction(), raw, {
    fields: byPath({
      description: {
        field: 'add-action-description',
        message: 'Say what will be done',
        label: 'What will be done',
      },
      owner: { field: 'add-action-owner', message: 'Say who will do it', label: 'Who will do it' },
      dueDate: {
        field: 'add-action-due',
        href: dateErrorHref('add-action-due'),
        message: 'Enter the date it will be done by',
      },
    }),
    formErrors: errors,
    order: ['add-action-description', 'add-action-owner', 'add-action-due'],
    formId: 'add-action-form',
  });
}

export const addActionForm: CaseForm = { render, parse };
