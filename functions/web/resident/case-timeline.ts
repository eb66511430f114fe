import type { CaseEvent } from '#shared/domain/case.ts';
import type { ResidentTemplate } from '#shared/domain/correspondence.ts';
import type { StageResponse } from '#shared/domain/letters.ts';
import { legalProceedingsWords } from '#shared/notifications/words.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import { summaryList } from '../ui/components.ts';
import { html, join, type SafeHtml } from '../ui/html.ts';
import { timeline } from '../ui/timeline.ts';
import type { ResidentView } from './case-page.ts';
import { dateWords, paragraphs, pounds, stageName, workingDays } from './text.ts';
import { CHANNEL_WORDS, CLOSURE_WORDS, DECISION_WORDS, LETTER_TITLES } from './words.ts';

/** The history on the resident's case page: what the resident may see of each event, in their words. */

/** A resident-visible event without who did it (only whether it was the resident). */
type ResidentEvent = (CaseEvent extends infer E ? (E extends CaseEvent ? Omit<E, 'by'> : never) : never) & {
  byResident: boolean;
};

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

function describe(
  entry: ResidentEvent,
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

/** The case's history for the resident, latest first. */
export function residentTimeline(profile: ProviderProfile, view: ResidentView): SafeHtml {
  return timeline(
    (view.timeline as ResidentEvent[]).map((event) => ({
      type: event.type,
      at: event.at,
      ...describe(event, profile, view),
    })),
    'resident',
  );
}
