import { mayAddInformation } from '#shared/domain/resident-actions.ts';
import { html } from '../ui/html.ts';
import { residentJourney } from './confirm-action.ts';

/** Adding information to the complaint. */

const CLOSED_NO_INFO =
  'Your complaint is closed, so we cannot add information to it. If something new has gone wrong, you can make a new complaint.';

export const { confirm: addInformationForm, submit: addInformation } = residentJourney({
  page: () => ({
    title: 'Add information to your complaint',
    action: 'add-information',
    answer: {
      name: 'information',
      label: 'Add information to your complaint',
      isPageHeading: true,
      hint: 'For example, something new that has happened, or details we may have missed. The person dealing with your complaint will see it.',
      rows: 8,
    },
    submit: { text: 'Send' },
    cancel: 'Cancel and return to your complaint',
  }),
  cannot: (_ctx, view) =>
    mayAddInformation(view.case) ? undefined : { title: 'You cannot add information', why: CLOSED_NO_INFO },
  keepsSeq: true,
  answerCalled: 'The information',
  check: (text) =>
    text
      ? []
      : [{ field: 'information', message: 'Enter the information you want to add to your complaint' }],
  action: (text, afterSeq) => ({ action: 'add-information', text, afterSeq }),
  done: () => ({
    title: 'We have added your information',
    body: html`<p class="govuk-body">We have added what you told us to your complaint. The person dealing with it will take it into account.</p>`,
  }),
});
