import type { CaseEvent, CaseStatus, Channel, ClosureReason } from '#shared/domain/case.ts';
import type { ResidentTemplate } from '#shared/domain/correspondence.ts';
import { type Decision, referralTimeLimitWords, type StageResponse } from '#shared/domain/letters.ts';
import { residentActions } from '#shared/domain/resident-actions.ts';
import { legalProceedingsWords } from '#shared/notifications/words.ts';
import { currentOmbudsman } from '#shared/policy/ombudsmen.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import type { residentView } from '#shared/usecases/actions.ts';
import { sizeWords } from '../attachments.ts';
import { summaryList, type TagColour, tag } from '../ui/components.ts';
import { html, join, type SafeHtml, when } from '../ui/html.ts';
import {
  casePath,
  contactList,
  dateWords,
  deadlineWords,
  instantWords,
  linkButton,
  paragraphs,
  pounds,
  stageName,
  workingDays,
} from './text.ts';

/** The resident's case page: where the complaint is, what happens next and by when, and its history. */

export type ResidentView = Awaited<ReturnType<typeof residentView>>;
/** A timeline entry: a resident-visible event without who did it (only whether it was the resident). */
type TimelineEntry = (CaseEvent extends infer E ? (E extends CaseEvent ? Omit<E, 'by'> : never) : never) & {
  byResident: boolean;
};

const STATUS_WORDS: Record<CaseStatus, { text: string; colour: TagColour }> = {
  'awaiting-triage': { text: 'Received', colour: 'blue' },
  'stage1-acknowledgement': { text: 'Accepted: waiting for our acknowledgement', colour: 'blue' },
  'stage1-investigation': { text: 'Being looked into', colour: 'yellow' },
  'stage1-responded': { text: 'Stage 1 response sent', colour: 'turquoise' },
  'stage2-acknowledgement': { text: 'Stage 2 requested', colour: 'blue' },
  'stage2-investigation': { text: 'Being reviewed at stage 2', colour: 'yellow' },
  'final-response-issued': { text: 'Final response sent', colour: 'turquoise' },
  closed: { text: 'Closed', colour: 'grey' },
};

const CLOSURE_WORDS: Record<ClosureReason, string> = {
  'service-request': 'we are dealing with what you told us as a service request',
  'not-accepted': 'we could not accept it as a complaint',
  'resolved-at-stage-1': 'it was resolved at stage 1',
  'escalation-window-ended': 'the time to ask for stage 2 ended without a request',
  'final-response-issued': 'we have sent our final response and completed any actions we promised',
  withdrawn: 'it was withdrawn',
};

const CHANNEL_WORDS: Record<Channel, string> = {
  web: 'through our website',
  email: 'by email',
  phone: 'by phone',
  letter: 'by letter',
  'in-person': 'in person',
  'social-media': 'through social media',
};

const DECISION_WORDS: Record<Decision, string> = {
  upheld: 'We have upheld your complaint.',
  'partly-upheld': 'We have partly upheld your complaint.',
  'not-upheld': 'We have not upheld your complaint.',
};

const LETTER_TITLES: Record<ResidentTemplate, string> = {
  'complaint-received': 'We have received your complaint',
  'not-accepted': 'We are unable to accept your complaint',
  'service-request': 'We are dealing with your request',
  'stage1-acknowledgement': 'Acknowledgement of your complaint (stage 1)',
  'extension-notice': 'We need more time for our response',
  'stage1-response': 'Our stage 1 response',
  'stage2-acknowledgement': 'Acknowledgement of your stage 2 request',
  'final-response': 'Our final response (stage 2)',
  'withdrawal-confirmed': 'Your complaint has been withdrawn',
  'case-closed': 'Your complaint has been closed',
  'deadline-missed': 'We are sorry: our reply is late',
};

function stageWords(profile: ProviderProfile, view: ResidentView): string {
  const { stage, status } = view.case;
  if (stage === 0)
    return status === 'closed' ? 'Not started' : 'Not started yet: we are checking your complaint';
  const last = profile.stages.length;
  return `${stageName(profile, stage)}${stage === last && last > 1 ? ' (our final stage)' : ''}`;
}

function overdue(dueAt: string | undefined, now: Date): boolean {
  return dueAt !== undefined && Date.parse(dueAt) < now.getTime();
}

function ombudsmanAnyTime(profile: ProviderProfile): SafeHtml {
  return html`<p class="govuk-body">You can contact the ${profile.ombudsman.name} at any time for free, impartial advice about your complaint:</p>
${contactList(currentOmbudsman(profile), { address: false })}`;
}

/** What happens next and by when, from the case's position, in words. */
export function nextStep(profile: ProviderProfile, view: ResidentView, now: Date): SafeHtml {
  const { case: state, position } = view;
  const due = position.dueAt;
  const late = overdue(due, now);
  const sorry = when(
    late && position.step !== 'escalation-window',
    () =>
      html`<div class="govuk-inset-text">This date has passed and we have not done this yet. We are sorry. We will do it as soon as we can, and you can contact us or the ${profile.ombudsman.name} about the delay.</div>`,
  );
  const deadline = due
    ? html`<p class="govuk-body-s">Deadline: <time datetime="${due}">${instantWords(due)}</time> (UK time)</p>`
    : html``;
  const must = (what: string) =>
    due ? html`<p class="govuk-body">We must ${what} by ${deadlineWords(due)}.</p>` : html``;
  const stage2 = stageName(profile, 2);
  switch (position.step) {
    case 'triage':
    case 'stage1-acknowledgement':
      return html`<p class="govuk-body">We are checking your complaint. We will acknowledge it and tell you what we understand it to be about, the outcome you are looking for, and when you will have our response.</p>
${must('acknowledge your complaint')}${deadline}${sorry}`;
    case 'stage1-response':
      return html`<p class="govuk-body">We are looking into your complaint at ${stageName(profile, 1).toLowerCase()}.</p>
${must(`send our ${stageName(profile, 1).toLowerCase()} response`)}${deadline}${sorry}`;
    case 'escalation-window':
      return html`<p class="govuk-body">We have sent our ${stageName(profile, 1).toLowerCase()} response. If you are still unhappy, you can ask us to look at your complaint again at ${stage2.toLowerCase()}. Someone who was not involved at ${stageName(profile, 1).toLowerCase()} will review it.</p>
<p class="govuk-body">You do not need to give a reason.</p>
${
  due
    ? html`<p class="govuk-body">You can ask until ${deadlineWords(due)}.</p>${deadline}`
    : html`<p class="govuk-body">There is no time limit for asking.</p>`
}`;
    case 'stage2-acknowledgement':
      return html`<p class="govuk-body">You asked us to look at your complaint again at ${stage2.toLowerCase()}. Someone who was not involved at ${stageName(profile, 1).toLowerCase()} will review it.</p>
${must(`acknowledge your ${stage2.toLowerCase()} request`)}${deadline}${sorry}`;
    case 'stage2-response':
      return html`<p class="govuk-body">We are reviewing your complaint at ${stage2.toLowerCase()}, our final stage.</p>
${must('send our final response')}${deadline}${sorry}`;
    case 'outstanding-actions': {
      const open = state.actions.filter((action) => !action.completedAt);
      return html`<p class="govuk-body">We are completing the actions we promised:</p>
<ul class="govuk-list govuk-list--bullet">${join(
        open.map(
          (action) =>
            html`<li><span dir="auto">${action.description}</span> (by ${dateWords(action.dueDate)})</li>`,
        ),
      )}</ul>
${afterResponse(profile, view)}`;
    }
    case 'ready-to-close':
      if (state.status === 'stage1-responded') {
        return html`<p class="govuk-body">The time to ask for ${stage2.toLowerCase()} has ended${state.escalationWindow ? ` (it was ${deadlineWords(state.escalationWindow.dueAt)})` : ''}. We will close your complaint.</p>
${ombudsmanAnyTime(profile)}`;
      }
      return html`<p class="govuk-body">We have finished dealing with your complaint and will close it.</p>${afterResponse(profile, view)}`;
    case 'closed':
      return closedWords(profile, view);
  }
}

/** After the final response: the route to the Ombudsman, with its time limit. */
function afterResponse(profile: ProviderProfile, view: ResidentView): SafeHtml {
  const ombudsman = currentOmbudsman(profile);
  if (!view.case.stage2.letter) return ombudsmanAnyTime(profile);
  return html`<h3 class="govuk-heading-s">If you are still unhappy</h3>
<p class="govuk-body">You can ask the ${ombudsman.name} to look at your complaint. You should do this ${referralTimeLimitWords(profile)}.</p>
${contactList(ombudsman)}`;
}

function closedWords(profile: ProviderProfile, view: ResidentView): SafeHtml {
  const { case: state } = view;
  const reason = state.closureReason ? CLOSURE_WORDS[state.closureReason] : undefined;
  return html`<p class="govuk-body">We closed your complaint${state.closedAt ? ` on ${instantWords(state.closedAt)}` : ''}${reason ? ` because ${reason}` : ''}.</p>
<p class="govuk-body">If something new goes wrong, you can <a class="govuk-link" href="/complain">make a new complaint</a> at any time.</p>
${afterResponse(profile, view)}`;
}

// ---------------------------------------------------------------------------------------------------------
// The timeline

function letterRows(letter: StageResponse): SafeHtml {
  const remedy =
    letter.remedy === 'none'
      ? html`<p class="govuk-body">None.</p>${paragraphs(letter.noRemedyReason)}`
      : html`${paragraphs(letter.remedy.description)}${
          letter.remedy.compensationPounds !== undefined
            ? html`<p class="govuk-body">Compensation: ${pounds(letter.remedy.compensationPounds)}</p>`
            : html``
        }`;
  const actions =
    letter.outstandingActions === 'none'
      ? html`<p class="govuk-body">None.</p>`
      : html`<ul class="govuk-list govuk-list--bullet">${join(
          letter.outstandingActions.map(
            (action) =>
              html`<li><span dir="auto">${action.description}</span> (who: <span dir="auto">${action.owner}</span>; by ${dateWords(action.dueDate)})</li>`,
          ),
        )}</ul>`;
  return summaryList([
    { key: 'What your complaint is about', value: paragraphs(letter.complaintDefinition) },
    { key: 'Our decision', value: DECISION_WORDS[letter.decision] },
    { key: 'The reasons for our decision', value: paragraphs(letter.reasons) },
    { key: 'Putting things right', value: remedy },
    { key: 'Actions we will take', value: actions },
    { key: 'If you are still unhappy', value: paragraphs(letter.escalationRoute) },
  ]);
}

function entry(
  entry: TimelineEntry,
  profile: ProviderProfile,
  view: ResidentView,
): { title: string; body: SafeHtml } {
  const stage = (n: number) => stageName(profile, n);
  switch (entry.type) {
    case 'received':
      return {
        title: 'Complaint received',
        body: html`<p class="govuk-body">We received your complaint ${CHANNEL_WORDS[entry.channel]}.</p>`,
      };
    case 'triaged':
      if (entry.outcome === 'complaint') {
        return {
          title: 'Complaint accepted',
          body: html`<p class="govuk-body">We accepted your complaint at ${stage(1).toLowerCase()} of our complaints process.</p>`,
        };
      }
      if (entry.outcome === 'service-request') {
        return {
          title: 'Dealt with as a service request',
          body: html`<p class="govuk-body">We are dealing with what you told us as a service request: a request for us to provide or put right a service, rather than a complaint. You can still make a complaint if you are unhappy with how we deal with it.</p>
<h4 class="govuk-heading-s">What we will do</h4>${paragraphs(entry.notes)}`,
        };
      }
      return {
        title: 'Complaint not accepted',
        body: html`<p class="govuk-body">We could not accept this as a complaint under our complaints policy.</p>
${paragraphs(profile.exclusions.find((exclusion) => exclusion.code === entry.exclusionCode)?.description)}
${paragraphs(entry.rationale)}${paragraphs(legalProceedingsWords(entry.legalProceedings))}${paragraphs(entry.ombudsmanRoute)}`,
      };
    case 'acknowledged':
      return {
        title: `${stage(entry.stage)}: complaint acknowledged`,
        body: summaryList([
          { key: 'What we understand your complaint to be about', value: paragraphs(entry.definition) },
          {
            key: 'The outcomes you are looking for',
            value: html`<ul class="govuk-list govuk-list--bullet">${join(
              entry.outcomesSought.map((outcome) => html`<li dir="auto">${outcome}</li>`),
            )}</ul>`,
          },
        ]),
      };
    case 'extension-granted': {
      const record = entry.stage === 1 ? view.case.stage1 : view.case.stage2;
      const extension = record.extensions.find((candidate) => candidate.at === entry.at);
      return {
        title: `${stage(entry.stage)}: we need more time`,
        body: html`<p class="govuk-body">We extended the time for our ${stage(entry.stage).toLowerCase()} response by ${workingDays(entry.workingDays)}.</p>
${summaryList([
  { key: 'Why', value: html`${paragraphs(entry.reason)}${paragraphs(entry.explanation)}` },
  ...(extension ? [{ key: 'New date for our response', value: dateWords(extension.newDueDate) }] : []),
])}`,
      };
    }
    case 'note-added':
      return { title: 'You added information', body: paragraphs(entry.text) };
    case 'related-issue-added':
      return {
        title: entry.byResident ? 'You added information' : 'Another issue added to your complaint',
        body: paragraphs(entry.description),
      };
    case 'response-issued':
      return {
        title:
          entry.stage === profile.stages.length && entry.stage > 1
            ? `Our final response (${stage(entry.stage).toLowerCase()})`
            : `Our ${stage(entry.stage).toLowerCase()} response`,
        body: letterRows(entry.letter),
      };
    case 'escalation-requested':
      return {
        title: `${stage(2)} requested`,
        body: html`<p class="govuk-body">${entry.byResident ? 'You asked' : 'We recorded your request'} for your complaint to be looked at again at ${stage(2).toLowerCase()}.</p>${
          entry.reason ? html`<p class="govuk-body">You told us:</p>${paragraphs(entry.reason)}` : html``
        }`,
      };
    case 'action-added':
      return {
        title: 'Action agreed',
        body: html`${paragraphs(entry.description)}<p class="govuk-body">We will do this by ${dateWords(entry.dueDate)}.</p>`,
      };
    case 'action-completed': {
      const action = view.case.actions.find((candidate) => candidate.actionId === entry.actionId);
      return {
        title: 'Action completed',
        body: html`${action ? paragraphs(action.description) : html``}${paragraphs(entry.note)}`,
      };
    }
    case 'withdrawn':
      return {
        title: 'Complaint withdrawn',
        body: html`<p class="govuk-body">${entry.byResident ? 'You withdrew your complaint.' : 'We recorded that you withdrew your complaint.'}</p>${
          entry.reason ? html`<p class="govuk-body">You told us:</p>${paragraphs(entry.reason)}` : html``
        }`,
      };
    case 'correspondence-sent': {
      const title = LETTER_TITLES[entry.template as ResidentTemplate] ?? 'A letter about your complaint';
      return {
        title: entry.channel === 'email' ? 'We emailed you' : 'We sent you a letter',
        body: html`<p class="govuk-body">${title}</p>`,
      };
    }
    case 'closed':
      return {
        title: 'Complaint closed',
        body: html`<p class="govuk-body">We closed your complaint because ${CLOSURE_WORDS[entry.reason]}.</p>`,
      };
    default:
      return { title: 'Update', body: html`` };
  }
}

function timeline(profile: ProviderProfile, view: ResidentView): SafeHtml {
  const entries = [...(view.timeline as TimelineEntry[])].reverse();
  return html`<ol class="govuk-list" reversed>
${join(
  entries.map((item) => {
    const { title, body } = entry(item, profile, view);
    return html`<li>
  <h3 class="govuk-heading-s govuk-!-margin-bottom-1">${title}</h3>
  <p class="govuk-body-s govuk-!-margin-bottom-2"><time datetime="${item.at}">${instantWords(item.at)}</time></p>
  ${body}
  <hr class="govuk-section-break govuk-section-break--m govuk-section-break--visible">
</li>`;
  }),
)}
</ol>`;
}

// ---------------------------------------------------------------------------------------------------------
// The page

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
${timeline(profile, view)}
<h2 class="govuk-heading-m">Questions about your complaint</h2>
<p class="govuk-body">Contact the ${profile.contact.name} and quote your reference, ${state.reference}:</p>
${contactList(profile.contact)}
<p class="govuk-body">Keep the link to this page private: anyone who has it can see your complaint.</p>`;
  return { title: `Complaint ${state.reference}`, body };
}
