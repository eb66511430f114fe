import { CaseAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { button, errorFor, textarea, textInput } from '../../ui/components.ts';
import { html } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { byPath, type CaseForm, type FormContext, form, parsePounds, parseWith, value } from './form.ts';

/** A remedy offered in a response carried out: compensation paid, or another remedy done (Code 7.4). */

const COMPENSATION = {
  field: 'paid-compensation',
  message: 'Enter the compensation paid in pounds, for example 50 or 75.50, or leave it blank',
  label: 'The compensation paid',
};

function render(fc: FormContext) {
  const { errors } = fc;
  return form(
    fc,
    'record',
    'remedy-paid',
    'Record a remedy carried out',
    html`${textarea({ name: 'paid-description', label: 'What was paid or done', hint: 'For example: £50 paid by bank transfer, or the fence repaired', error: errorFor(errors, 'paid-description'), value: value(fc, 'remedy-paid', 'paid-description') })}
    ${textInput({ name: 'paid-compensation', label: 'Compensation paid in pounds (optional)', hint: 'Leave blank for a remedy that is not a payment', error: errorFor(errors, 'paid-compensation'), value: value(fc, 'remedy-paid', 'paid-compensation'), width: '10' })}
    ${button('Record remedy', { secondary: true })}`,
  );
}

function parse(body: FormValues) {
  const pounds = parsePounds(field(body, 'paid-compensation'));
  const raw = {
    action: 'remedy-paid',
    description: field(body, 'paid-description'),
    ...(pounds === undefined ? {} : { compensationPounds: pounds === 'invalid' ? Number.NaN : pounds }),
  };
  return parseWith(CaseAction(), raw, {
    fields: byPath({
      description: {
        field: 'paid-description',
        message: 'Say what was paid or done',
        label: 'What was paid or done',
      },
      compensationPounds: COMPENSATION,
    }),
    order: ['paid-description', 'paid-compensation'],
    formId: 'remedy-paid-form',
  });
}

export const remedyPaidForm: CaseForm = { render, parse };
