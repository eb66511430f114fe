import { residentActions } from '#shared/domain/resident-actions.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import type { residentView } from '#shared/usecases/resident-case.ts';
import { sizeWords } from '../attachments.ts';
import { summaryList, tag } from '../ui/components.ts';
import { html, join, type SafeHtml, when } from '../ui/html.ts';
import { residentTimeline } from './case-timeline.ts';
import { nextStep } from './next-step.ts';
import { casePath, contactList, dateWords, instantWords, linkButton, paragraphs, stageName } from './text.ts';
import { STATUS_WORDS } from './words.ts';

/** The resident's case page: where the complaint is, what happens next and by when, and its history. */

export type ResidentView = Awaited<ReturnType<typeof residentView>>;

function stageWords(profile: ProviderProfile, view: ResidentView): string {
  const { stage, status } = view.case;
  if (stage === 0)
    return status === 'closed' ? 'Not started' : 'Not started yet: we are checking your complaint';
  const last = profile.stages.length;
  return `${stageName(profile, stage)}${stage === last && last > 1 ? ' (our final stage)' : ''}`;
}

/** The case page's title and body; the token appears only in this case's own links. */
export function renderCasePage(
  profile: ProviderProfile,
  view: ResidentView,
  token: string,
  now: Date,
): { title: string; body: SafeHtml } {
  const { case: state, position } = view;
  const status = STATUS_WORDS[state.status];
  const actions = residentActions(state, position.step);
  const complaint = state.complaint;
  const body = html`<span class="govuk-caption-l">Your complaint to ${profile.name}</span>
<h1 class="govuk-heading-l">Complaint ${state.reference}</h1>
${summaryList([
  { key: 'Reference', value: state.reference },
  { key: 'Received', value: instantWords(state.receivedAt) },
  { key: 'Stage', value: stageWords(profile, view) },
  { key: 'Status', value: tag(status.text, status.colour) },
])}
<h2 class="govuk-heading-m">What happens next</h2>
${nextStep(profile, view, now)}
${when(
  actions.escalate || actions.addInformation || actions.withdraw,
  () => html`<div class="govuk-button-group">
  ${when(actions.escalate, () => linkButton(casePath(state.caseId, token, 'escalate'), `Ask for ${stageName(profile, 2).toLowerCase()}`))}
  ${when(actions.addInformation, () => linkButton(casePath(state.caseId, token, 'add-information'), 'Add information', actions.escalate ? 'secondary' : undefined))}
  ${when(actions.withdraw, () => linkButton(casePath(state.caseId, token, 'withdraw'), 'Withdraw your complaint', 'secondary'))}
</div>`,
)}
<h2 class="govuk-heading-m">What you told us</h2>
${summaryList([
  { key: 'What went wrong', value: paragraphs(complaint.whatHappened) },
  ...(complaint.happenedOn ? [{ key: 'When it happened', value: dateWords(complaint.happenedOn) }] : []),
  ...(complaint.becameAwareOn
    ? [{ key: 'When you became aware of it', value: dateWords(complaint.becameAwareOn) }]
    : []),
  { key: 'What you would like us to do', value: paragraphs(complaint.outcomeWanted) },
  ...(complaint.attachments?.length
    ? [
        {
          key: 'Photos or documents you sent',
          value: html`<ul class="govuk-list">${join(
            complaint.attachments.map(
              (file) => html`<li><span dir="auto">${file.name}</span> (${sizeWords(file.size)})</li>`,
            ),
          )}</ul>`,
        },
      ]
    : []),
  ...(state.complainant.reasonableAdjustments
    ? [{ key: 'Support or adjustments you need', value: paragraphs(state.complainant.reasonableAdjustments) }]
    : []),
])}
<h2 class="govuk-heading-m">History of your complaint</h2>
<p class="govuk-body">Most recent first.</p>
${residentTimeline(profile, view)}
<h2 class="govuk-heading-m">Questions about your complaint</h2>
<p class="govuk-body">Contact the ${profile.contact.name} and quote your reference, ${state.reference}:</p>
${contactList(profile.contact)}
<p class="govuk-body">Keep the link to this page private: anyone who has it can see your complaint.</p>`;
  return { title: `Complaint ${state.reference}`, body };
}
