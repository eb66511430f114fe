import type { CaseState } from '#shared/domain/case.ts';
import { durationWords } from '#shared/domain/clocks.ts';
import {
  defaultNonAcceptanceRoute,
  isTimeLimitExclusion,
  LEGAL_PROCEEDINGS_EXCLUSION,
  SERVICE_REQUEST_EXCLUSION,
} from '#shared/domain/letters.ts';
import { formatCivilDate } from '#shared/notifications/words.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { TaskAction } from '#shared/usecases/actions.ts';
import { field } from '../../http.ts';
import {
  button,
  dateInput,
  errorFor,
  type FieldError,
  radios,
  textarea,
  textInput,
} from '../../ui/components.ts';
import { html, type SafeHtml, when } from '../../ui/html.ts';
import { dateFrom, type FormValues } from '../form-values.ts';
import {
  byPath,
  dateValue,
  type FormContext,
  form,
  parseWith,
  type TaskForm,
  type TaskFormContext,
  value,
} from './form.ts';

/** Triage: a complaint, a service request, or not accepted for a reason in the policy (Code 1.2, 2.2-2.4). */

function render(fc: FormContext): SafeHtml {
  const { profile, errors } = fc;
  const v = (name: string, fallback = '') => value(fc, 'triage', name, fallback);
  const serviceRequest = profile.exclusions.find((exclusion) => exclusion.code === SERVICE_REQUEST_EXCLUSION);
  const reasons = profile.exclusions.filter((exclusion) => exclusion.code !== SERVICE_REQUEST_EXCLUSION);
  return form(
    fc,
    'task',
    'triage',
    'Triage: is this a complaint?',
    html`${radios({
      name: 'outcome',
      legend: 'What is it?',
      error: errorFor(errors, 'outcome'),
      value: v('outcome'),
      items: [
        { value: 'complaint', text: 'A complaint', hint: 'It goes to stage 1: acknowledge it next' },
        {
          value: 'service-request',
          text: 'A service request',
          hint: `${serviceRequest ? `${serviceRequest.description} ` : 'A first request for a service. '}Say below what will be done.`,
        },
        {
          value: 'not-accepted',
          text: 'It cannot be accepted as a complaint',
          hint: 'Choose the reason from the policy below, explain it, and give the Ombudsman route',
        },
      ],
    })}
    <h4 class="govuk-heading-s">If it is a complaint</h4>
    ${textarea({
      name: 'complaint-notes',
      label: 'Notes for staff (optional)',
      hint: 'Kept on the case; not sent to the resident',
      error: errorFor(errors, 'complaint-notes'),
      value: v('complaint-notes'),
    })}
    <h4 class="govuk-heading-s">If it is a service request</h4>
    ${textarea({
      name: 'triage-notes',
      label: 'What will be done about the service request',
      hint: 'Sent to the resident',
      error: errorFor(errors, 'triage-notes'),
      value: v('triage-notes'),
    })}
    <h4 class="govuk-heading-s">If it cannot be accepted</h4>
    ${radios({
      name: 'exclusionCode',
      legend: 'Which reason in the complaints policy applies?',
      hint: serviceRequest
        ? 'A service request is not listed here: choose "A service request" above.'
        : undefined,
      error: errorFor(errors, 'exclusionCode'),
      value: v('exclusionCode'),
      items: reasons.map((exclusion) => ({
        value: exclusion.code,
        text: exclusion.description,
        hint: `Policy reason: ${exclusion.code}${exclusion.evidenceRequired ? ' (keep the evidence)' : ''}`,
      })),
    })}
    ${when(
      profile.exclusions.some((exclusion) => exclusion.code === LEGAL_PROCEEDINGS_EXCLUSION),
      () => html`<h4 class="govuk-heading-s">If legal proceedings have started</h4>
    <p class="govuk-body">A claim must have been filed at court (Code 2.2): a pre-action letter is not enough. Give at least one of these.</p>
    ${textInput({ name: 'legal-court', label: 'The court', error: errorFor(errors, 'legal-court'), value: v('legal-court') })}
    ${textInput({ name: 'legal-claim-number', label: 'The claim number', error: errorFor(errors, 'legal-claim-number'), value: v('legal-claim-number'), width: '20', spellcheck: false })}
    ${dateInput({ name: 'legal-filed', legend: 'When the claim was filed', hint: 'For example, 27 3 2026', error: errorFor(errors, 'legal-filed'), value: dateValue(fc, 'triage', 'legal-filed') })}`,
    )}
    ${when(
      profile.exclusions.some((exclusion) => isTimeLimitExclusion(exclusion.code)),
      () => html`<h4 class="govuk-heading-s">If it is outside the time limit</h4>
    <p class="govuk-body" data-testid="complaint-dates">${complaintDatesWords(fc.state, profile)}</p>
    ${textarea({
      name: 'out-of-time-reason',
      label: 'Why you think it is outside the time limit',
      hint: 'Needed when the complaint gives no date (Code 2.3). Where there is a good reason for the delay, accept it.',
      error: errorFor(errors, 'out-of-time-reason'),
      value: v('out-of-time-reason'),
    })}`,
    )}
    ${textarea({
      name: 'rationale',
      label: 'Why it cannot be accepted',
      hint: 'Explain the decision to the resident (Code 2.4)',
      error: errorFor(errors, 'rationale'),
      value: v('rationale'),
    })}
    ${textarea({
      name: 'ombudsmanRoute',
      label: 'How the resident can ask the Ombudsman to look at this decision',
      error: errorFor(errors, 'ombudsmanRoute'),
      value: v('ombudsmanRoute', defaultNonAcceptanceRoute(profile)),
    })}
    ${button('Record the triage decision')}`,
  );
}

/** What the complaint says about when it happened, for the Code 2.3 decision. */
function complaintDatesWords(state: CaseState, profile: ProviderProfile): string {
  const { happenedOn, becameAwareOn } = state.complaint;
  const window = durationWords(profile.raisingWindow);
  const given = [
    happenedOn && `it happened on ${formatCivilDate(happenedOn)}`,
    becameAwareOn && `they became aware of it on ${formatCivilDate(becameAwareOn)}`,
  ].filter(Boolean);
  if (given.length === 0) {
    return `The complaint gives no date. Complaints are accepted within ${window} of the issue or of the resident becoming aware of it.`;
  }
  return `The resident says ${given.join(' and ')}. A complaint made within ${window} of the later date must be accepted: the time-limit reason is refused if it was.`;
}

const ORDER = [
  'outcome',
  'complaint-notes',
  'triage-notes',
  'exclusionCode',
  'legal-court',
  'legal-claim-number',
  'legal-filed',
  'out-of-time-reason',
  'rationale',
  'ombudsmanRoute',
];

const FIELDS = byPath({
  outcome: {
    field: 'outcome',
    message: 'Select whether it is a complaint, a service request or not accepted',
  },
  'complaint-notes': { field: 'complaint-notes', message: 'Shorten the notes', label: 'The notes' },
  notes: {
    field: 'triage-notes',
    message: 'Say what will be done about the service request',
    label: 'The notes',
  },
  exclusionCode: {
    field: 'exclusionCode',
    message: 'Select the reason in the complaints policy that applies',
  },
  rationale: {
    field: 'rationale',
    message: 'Explain why it cannot be accepted',
    label: 'Why it cannot be accepted',
  },
  ombudsmanRoute: {
    field: 'ombudsmanRoute',
    message: 'Say how the resident can ask the Ombudsman to look at this decision',
    label: 'How the resident can ask the Ombudsman',
  },
  'legalProceedings.court': { field: 'legal-court', message: 'Enter the court', label: 'The court' },
  'legalProceedings.claimNumber': {
    field: 'legal-claim-number',
    message: 'Enter the claim number',
    label: 'The claim number',
  },
  outOfTimeReason: {
    field: 'out-of-time-reason',
    message: 'Say why you think it is outside the time limit',
    label: 'Why it is outside the time limit',
  },
});

/** What a reason needs on record: the court filing (Code 2.2), or why an undated issue is too old (2.3). */
function exclusionEvidence(body: FormValues, exclusionCode: string, state: CaseState, errors: FieldError[]) {
  if (exclusionCode === LEGAL_PROCEEDINGS_EXCLUSION) {
    const court = field(body, 'legal-court');
    const claimNumber = field(body, 'legal-claim-number');
    const filed = dateFrom(body, 'legal-filed', 'the date the claim was filed', { required: false });
    if (filed.error) errors.push(filed.error);
    else if (!court && !claimNumber && !filed.value) {
      errors.push({
        field: 'legal-court',
        message: 'Give the court, the claim number or the date the claim was filed (Code 2.2)',
      });
    }
    return {
      legalProceedings: {
        ...(court ? { court } : {}),
        ...(claimNumber ? { claimNumber } : {}),
        ...(filed.value ? { filedOn: filed.value } : {}),
      },
    };
  }
  if (isTimeLimitExclusion(exclusionCode)) {
    const outOfTimeReason = field(body, 'out-of-time-reason');
    const { happenedOn, becameAwareOn } = state.complaint;
    if (!outOfTimeReason && !happenedOn && !becameAwareOn) {
      errors.push({
        field: 'out-of-time-reason',
        message: 'The complaint gives no date: say why you think it is outside the time limit (Code 2.3)',
      });
    }
    return outOfTimeReason ? { outOfTimeReason } : {};
  }
  return {};
}

function parse(body: FormValues, context: TaskFormContext) {
  const outcome = field(body, 'outcome');
  const errors: FieldError[] = [];
  let raw: Record<string, unknown> = { action: 'triage', outcome };
  if (outcome === 'complaint') {
    const notes = field(body, 'complaint-notes');
    raw = { ...raw, ...(notes ? { notes } : {}) };
  } else if (outcome === 'service-request') {
    raw = { ...raw, notes: field(body, 'triage-notes') };
  } else if (outcome === 'not-accepted') {
    const exclusionCode = field(body, 'exclusionCode');
    // The policy's reasons are the form's choices; a service request has a choice of its own.
    if (exclusionCode === SERVICE_REQUEST_EXCLUSION) {
      errors.push({
        field: 'exclusionCode',
        message:
          'A service request is not a reason to refuse a complaint: choose "A service request" instead',
      });
    } else if (!context.profile.exclusions.some((exclusion) => exclusion.code === exclusionCode)) {
      errors.push({
        field: 'exclusionCode',
        message: 'Select the reason in the complaints policy that applies',
      });
    }
    raw = {
      ...raw,
      exclusionCode,
      rationale: field(body, 'rationale'),
      ombudsmanRoute: field(body, 'ombudsmanRoute'),
      ...exclusionEvidence(body, exclusionCode, context.state, errors),
    };
  }
  return parseWith(TaskAction(), raw, {
    fields: (path) => FIELDS(outcome === 'complaint' && path[0] === 'notes' ? ['complaint-notes'] : path),
    formErrors: errors,
    order: ORDER,
    formId: 'triage-form',
  });
}

export const triageForm: TaskForm = { render, parse };
