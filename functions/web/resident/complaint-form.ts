import type { ProviderProfile } from '#shared/policy/profile.ts';
import { ACCEPT, ATTACHMENT_HINT, ATTACHMENTS_FIELD } from '../attachments.ts';
import {
  button,
  checkboxes,
  dateInput,
  errorFor,
  errorSummary,
  type FieldError,
  fileUpload,
  hidden,
  radios,
  textarea,
  textInput,
} from '../ui/components.ts';
import { html, type SafeHtml } from '../ui/html.ts';
import type { DateField, FormValues } from './complaint-input.ts';
import { durationWords } from './text.ts';

/** The resident's complaint form, drawn with what was typed and what is wrong with it. */

export function complaintFormBody(
  profile: ProviderProfile,
  values: FormValues,
  errors: readonly FieldError[] = [],
): SafeHtml {
  const value = (name: string) => values[name] ?? '';
  const error = (name: string) => errorFor(errors, name);
  const date = (name: DateField) => ({
    day: value(`${name}-day`),
    month: value(`${name}-month`),
    year: value(`${name}-year`),
  });
  const window = durationWords(profile.raisingWindow);
  return html`${errorSummary(errors)}
<h1 class="govuk-heading-l">Make a complaint to ${profile.name}</h1>
<p class="govuk-body">Tell us what went wrong and what you would like us to do about it. We will use your answers to look into your complaint.</p>
<form method="post" action="/complain" enctype="multipart/form-data" novalidate>
  ${hidden('idempotencyKey', value('idempotencyKey'))}
  <h2 class="govuk-heading-m">Your complaint</h2>
  ${textarea({
    name: 'whatHappened',
    label: 'What went wrong?',
    hint: 'Tell us what happened, where, and who was involved. Include anything you have already done to try to sort it out.',
    value: value('whatHappened'),
    error: error('whatHappened'),
    rows: 8,
  })}
  ${dateInput({
    name: 'happenedOn',
    legend: 'When did it happen? (optional)',
    hint: 'If it has been going on for a while, tell us when it started. For example, 27 3 2026',
    value: date('happenedOn'),
    error: error('happenedOn'),
  })}
  ${dateInput({
    name: 'becameAwareOn',
    legend: 'When did you become aware of it? (optional)',
    hint: `Complaints should normally be made within ${window} of the problem happening or of you becoming aware of it. If it was longer ago, still tell us and explain why: we will consider it if there is a good reason. For example, 27 3 2026`,
    value: date('becameAwareOn'),
    error: error('becameAwareOn'),
  })}
  ${textarea({
    name: 'outcomeWanted',
    label: 'What would you like us to do to put things right?',
    hint: 'For example, complete a repair, apologise, or change how we do something.',
    value: value('outcomeWanted'),
    error: error('outcomeWanted'),
  })}
  ${fileUpload({
    name: ATTACHMENTS_FIELD,
    label: 'Photos or documents (optional)',
    hint: ATTACHMENT_HINT,
    error: error(ATTACHMENTS_FIELD),
    multiple: true,
    accept: ACCEPT,
  })}
  <h2 class="govuk-heading-m">Your details</h2>
  ${textInput({
    name: 'name',
    label: 'Your full name',
    hint: 'If you are making this complaint for someone else, enter the resident’s name here and your own name further down.',
    value: value('name'),
    error: error('name'),
    autocomplete: 'name',
    spellcheck: false,
  })}
  ${radios({
    name: 'preferredContact',
    legend: 'How should we contact you about your complaint?',
    hint: 'Give us the details for the way you choose below.',
    items: [
      { value: 'email', text: 'Email' },
      { value: 'phone', text: 'Phone' },
      { value: 'post', text: 'Post' },
    ],
    value: value('preferredContact'),
    error: error('preferredContact'),
  })}
  ${textInput({
    name: 'email',
    label: 'Email address',
    hint: 'We need this if you chose email.',
    type: 'email',
    value: value('email'),
    error: error('email'),
    autocomplete: 'email',
    spellcheck: false,
  })}
  ${textInput({
    name: 'phone',
    label: 'Phone number',
    hint: 'We need this if you chose phone. For international numbers include the country code.',
    type: 'tel',
    value: value('phone'),
    error: error('phone'),
    autocomplete: 'tel',
    width: '20',
  })}
  ${textarea({
    name: 'address',
    label: 'Postal address',
    hint: 'We need this if you chose post.',
    value: value('address'),
    error: error('address'),
    rows: 4,
  })}
  ${textarea({
    name: 'reasonableAdjustments',
    label: 'Do you need any support or adjustments to take part in the complaints process? (optional)',
    hint: 'For example, letters in large print, an interpreter, or calls at a particular time of day.',
    value: value('reasonableAdjustments'),
    error: error('reasonableAdjustments'),
    rows: 3,
  })}
  <h2 class="govuk-heading-m">Complaining for someone else</h2>
  ${radios({
    name: 'onBehalf',
    legend: 'Is someone making this complaint on the resident’s behalf?',
    hint: 'For example, a family member, friend, advocate or councillor, with the resident’s agreement.',
    items: [
      { value: 'no', text: 'No, I am the resident' },
      { value: 'yes', text: 'Yes, I am complaining for the resident' },
    ],
    value: value('onBehalf'),
    error: error('onBehalf'),
  })}
  <p class="govuk-body">If you answered yes, tell us about yourself. We will write to you about the complaint.</p>
  ${textInput({
    name: 'representativeName',
    label: 'Your name (the person making the complaint)',
    value: value('representativeName'),
    error: error('representativeName'),
    spellcheck: false,
  })}
  ${textInput({
    name: 'representativeRelationship',
    label: 'Your relationship to the resident',
    hint: 'For example, daughter, neighbour or support worker.',
    value: value('representativeRelationship'),
    error: error('representativeRelationship'),
  })}
  ${checkboxes({
    name: 'representativeConsent',
    legend: 'The resident’s agreement',
    items: [{ value: 'yes', text: 'The resident agrees to me making this complaint for them' }],
    values: value('representativeConsent') ? [value('representativeConsent')] : [],
    error: error('representativeConsent'),
  })}
  ${button('Send complaint')}
</form>`;
}
