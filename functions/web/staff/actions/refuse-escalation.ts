import { CaseAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import { button, errorFor, radios } from '../../ui/components.ts';
import { html, when } from '../../ui/html.ts';
import type { FormValues } from '../form-values.ts';
import { instantWords } from '../words.ts';
import { byPath, type CaseForm, type FormContext, form, parseWith, value } from './form.ts';

/**
 * A stage 2 request made after the window to ask ended, decided out of time by staff: an email from the
 * complainant (threaded to the case or added from held email) or a request by phone, letter or in person.
 * Recorded so the reports count it with the refusals (Code 8.1(b)).
 */

const ANOTHER_WAY = 'another-way';

function render(fc: FormContext) {
  const { errors, state } = fc;
  const window = state.escalationWindow;
  const shown =
    window !== undefined &&
    state.closureReason === 'escalation-window-ended' &&
    !state.escalationRefusals?.length;
  return when(shown, () => {
    const late = (state.emails ?? []).filter(
      (email) => email.fromComplainant && window && email.receivedAt > window.dueAt,
    );
    return form(
      fc,
      'record',
      'refuse-escalation',
      'Record a stage 2 request as out of time',
      html`<p class="govuk-body">The window to ask for stage 2 ended ${instantWords(window?.dueAt ?? '')}. If the
    resident has asked for stage 2 since, record the request as refused: the reports count it with the refusals. Tell
    the resident why, and that they can go to the Ombudsman.</p>
    ${radios({
      name: 'refuse-escalation-from',
      legend: 'How the resident asked',
      error: errorFor(errors, 'refuse-escalation-from'),
      value: value(fc, 'refuse-escalation', 'refuse-escalation-from'),
      items: [
        ...late.map((email) => ({
          value: email.messageId,
          text: `By email from ${email.from.address}, received ${instantWords(email.receivedAt)}`,
          hint: email.subject,
        })),
        { value: ANOTHER_WAY, text: 'By phone, letter or in person (dated now)' },
      ],
    })}
    ${button('Record as out of time', { secondary: true })}`,
    );
  });
}

function parse(body: FormValues) {
  const from = field(body, 'refuse-escalation-from');
  if (from === '') {
    return {
      errors: [{ field: 'refuse-escalation-from', message: 'Choose how the resident asked for stage 2' }],
    };
  }
  return parseWith(
    CaseAction(),
    { action: 'refuse-escalation', ...(from === ANOTHER_WAY ? {} : { fromEmail: from }) },
    {
      fields: byPath({
        fromEmail: {
          field: 'refuse-escalation-from',
          message: 'Reload the case and choose the email it shows',
          label: 'The email',
        },
      }),
      order: ['refuse-escalation-from'],
      formId: 'refuse-escalation-form',
    },
  );
}

export const refuseEscalationForm: CaseForm = { render, parse };
