import { CaseAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { button, errorFor, textarea } from '../../ui/components.ts';
import { html } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { byPath, type CaseForm, type FormContext, form, parseWith, value } from './form.ts';

/** A note on the case, for staff only. */

function render(fc: FormContext) {
  return form(
    fc,
    'record',
    'note',
    'Add a note',
    html`${textarea({ name: 'note-text', label: 'Note (staff only)', error: errorFor(fc.errors, 'note-text'), value: value(fc, 'note', 'note-text') })}
    ${button('Add note', { secondary: true })}`,
  );
}

function parse(body: FormValues) {
  return parseWith(
    CaseAction(),
    { action: 'note', text: field(body, 'note-text') },
    {
      fields: byPath({ text: { field: 'note-text', message: 'Enter the note', label: 'The note' } }),
      order: ['note-text'],
      formId: 'note-form',
    },
  );
}

export const noteForm: CaseForm = { render, parse };
