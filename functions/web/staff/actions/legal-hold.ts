import { CaseAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { button, errorFor, textarea } from '../../ui/components.ts';
import { html } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { byPath, type CaseForm, type FormContext, form, parseWith, value } from './form.ts';

/**
 * A legal hold stops retention and erasure while the records may be evidence (a claim, an Ombudsman
 * investigation). Managers and admins set and release it, each time with a reason.
 */

const mayHold = (fc: FormContext) => fc.staff.role === 'manager' || fc.staff.role === 'admin';

function renderSet(fc: FormContext) {
  if (!mayHold(fc) || fc.state.legalHold || fc.state.anonymised) return html``;
  return form(
    fc,
    'record',
    'legal-hold',
    'Place a legal hold',
    html`<p class="govuk-body">While held, the case is never anonymised or erased, whatever the retention period.</p>
    ${textarea({ name: 'hold-reason', label: 'Why the case must be kept (for example a court claim or an Ombudsman investigation)', error: errorFor(fc.errors, 'hold-reason'), value: value(fc, 'legal-hold', 'hold-reason') })}
    ${button('Place legal hold', { secondary: true })}`,
  );
}

function renderRelease(fc: FormContext) {
  if (!mayHold(fc) || !fc.state.legalHold) return html``;
  return form(
    fc,
    'record',
    'release-legal-hold',
    'Release the legal hold',
    html`<p class="govuk-body">Once released, retention applies again: a case past its retention period is anonymised at the next daily run.</p>
    ${textarea({ name: 'release-reason', label: 'Why the hold is no longer needed', error: errorFor(fc.errors, 'release-reason'), value: value(fc, 'release-legal-hold', 'release-reason') })}
    ${button('Release legal hold', { secondary: true })}`,
  );
}

function parser(action: 'legal-hold' | 'release-legal-hold', name: string, message: string) {
  return (body: FormValues) =>
    parseWith(
      CaseAction(),
      { action, reason: field(body, name) },
      {
        fields: byPath({ reason: { field: name, message, label: 'The reason' } }),
        order: [name],
        formId: `${action}-form`,
      },
    );
}

export const legalHoldForm: CaseForm = {
  render: renderSet,
  parse: parser('legal-hold', 'hold-reason', 'Enter why the case must be kept'),
};
export const releaseLegalHoldForm: CaseForm = {
  render: renderRelease,
  parse: parser('release-legal-hold', 'release-reason', 'Enter why the hold is no longer needed'),
};
