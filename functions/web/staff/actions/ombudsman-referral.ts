import { CaseAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { button, errorFor, textarea, textInput } from '../../ui/components.ts';
import { html } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { byPath, type CaseForm, type FormContext, form, parseWith, value } from './form.ts';

/** A referral to the Ombudsman, with its reference when there is one. */

function render(fc: FormContext) {
  const { errors } = fc;
  return form(
    fc,
    'record',
    'ombudsman-referral',
    'Record an Ombudsman referral',
    html`${textInput({ name: 'referral-reference', label: "The Ombudsman's reference (optional)", error: errorFor(errors, 'referral-reference'), value: value(fc, 'ombudsman-referral', 'referral-reference'), width: '20' })}
    ${textarea({ name: 'referral-notes', label: 'Notes (optional)', error: errorFor(errors, 'referral-notes'), value: value(fc, 'ombudsman-referral', 'referral-notes') })}
    ${button('Record referral', { secondary: true })}`,
  );
}

function parse(body: FormValues) {
  const reference = field(body, 'referral-reference');
  const notes = field(body, 'referral-notes');
  const raw = {
    action: 'ombudsman-referral',
    ...(reference ? { reference } : {}),
    ...(notes ? { notes } : {}),
  };
  return parseWith(CaseAction(), raw, {
    fields: byPath({
      reference: { field: 'referral-reference', message: 'Check the reference', label: 'The reference' },
      notes: { field: 'referral-notes', message: 'Check the notes', label: 'The notes' },
    }),
    order: ['referral-reference', 'referral-notes'],
    formId: 'ombudsman-referral-form',
  });
}

export const ombudsmanReferralForm: CaseForm = { render, parse };
