import { OMBUDSMAN_OUTCOMES } from '#shared/domain/case.ts';
import { CaseAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { button, errorFor, select, textarea, textInput } from '../../ui/components.ts';
import { html, when } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { OMBUDSMAN_OUTCOME_WORDS } from '../words.ts';
import { byPath, type CaseForm, type FormContext, form, parseWith, value } from './form.ts';

/** The Ombudsman's outcome on a referral (Code 8.1(c)): managers and admins, once a referral is recorded. */

function render(fc: FormContext) {
  const { errors, staff, state } = fc;
  const mayRecord = staff.role === 'manager' || staff.role === 'admin';
  return when(mayRecord && state.ombudsmanReferrals.length > 0, () =>
    form(
      fc,
      'record',
      'ombudsman-outcome',
      "Record the Ombudsman's outcome",
      html`${select({
        name: 'ombudsman-outcome',
        label: 'What the Ombudsman decided',
        error: errorFor(errors, 'ombudsman-outcome'),
        value: value(fc, 'ombudsman-outcome', 'ombudsman-outcome'),
        items: [
          { value: '', text: 'Choose the outcome' },
          ...OMBUDSMAN_OUTCOMES.map((outcome) => ({
            value: outcome,
            text: OMBUDSMAN_OUTCOME_WORDS[outcome],
          })),
        ],
      })}
    ${textInput({ name: 'outcome-reference', label: "The Ombudsman's reference (optional)", error: errorFor(errors, 'outcome-reference'), value: value(fc, 'ombudsman-outcome', 'outcome-reference'), width: '20' })}
    ${textarea({ name: 'outcome-notes', label: 'Notes (optional)', error: errorFor(errors, 'outcome-notes'), value: value(fc, 'ombudsman-outcome', 'outcome-notes') })}
    ${button('Record outcome', { secondary: true })}`,
    ),
  );
}

function parse(body: FormValues) {
  const reference = field(body, 'outcome-reference');
  const notes = field(body, 'outcome-notes');
  const raw = {
    action: 'ombudsman-outcome',
    outcome: field(body, 'ombudsman-outcome'),
    ...(reference ? { reference } : {}),
    ...(notes ? { notes } : {}),
  };
  return parseWith(CaseAction(), raw, {
    fields: byPath({
      outcome: {
        field: 'ombudsman-outcome',
        message: "Choose the Ombudsman's outcome",
        label: 'The outcome',
      },
      reference: { field: 'outcome-reference', message: 'Check the reference', label: 'The reference' },
      notes: { field: 'outcome-notes', message: 'Check the notes', label: 'The notes' },
    }),
    order: ['ombudsman-outcome', 'outcome-reference', 'outcome-notes'],
    formId: 'ombudsman-outcome-form',
  });
}

export const ombudsmanOutcomeForm: CaseForm = { render, parse };
