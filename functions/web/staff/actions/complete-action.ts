import { allowsEvent, openActions } from '#shared/domain/case.ts';
import { CaseAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { button, errorFor, radios, textarea } from '../../ui/components.ts';
import { html, when } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { byPath, type CaseForm, type FormContext, form, parseWith, value } from './form.ts';

/** An outstanding action marked as done, with what was done. */

function render(fc: FormContext) {
  const { errors, state } = fc;
  const open = openActions(state);
  return when(allowsEvent(state.status, 'action-completed') && open.length > 0, () =>
    form(
      fc,
      'record',
      'complete-action',
      'Complete an outstanding action',
      html`${radios({
        name: 'complete-action-id',
        legend: 'Which action is done?',
        error: errorFor(errors, 'complete-action-id'),
        value: value(fc, 'complete-action', 'complete-action-id'),
        items: open.map((action) => ({
          value: action.actionId,
          text: `${action.actionId}: ${action.description}`,
          hint: `Who: ${action.owner}`,
        })),
      })}
    ${textarea({ name: 'complete-action-note', label: 'What was done', error: errorFor(errors, 'complete-action-note'), value: value(fc, 'complete-action', 'complete-action-note') })}
    ${button('Mark as done', { secondary: true })}`,
    ),
  );
}

function parse(body: FormValues) {
  const raw = {
    action: 'complete-action',
    actionId: field(body, 'complete-action-id'),
    note: field(body, 'complete-action-note'),
  };
  return parseWith(CaseAction(), raw, {
    fields: byPath({
      actionId: { field: 'complete-action-id', message: 'Select the action that is done' },
      note: { field: 'complete-action-note', message: 'Say what was done', label: 'What was done' },
    }),
    order: ['complete-action-id', 'complete-action-note'],
    formId: 'complete-action-form',
  });
}

export const completeActionForm: CaseForm = { render, parse };
