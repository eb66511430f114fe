/**
 * The letters staff preview before they are sent (shared/usecases/preview-letter.ts): the extension notice and
 * the stage 1 and final responses. Apart from the other letters (templates.ts) so the staff case page, which
 * previews these and sends none, carries only them.
 */

import type { ResidentTemplate } from '../domain/correspondence.ts';
import {
  type Decision,
  ombudsmanRouteProblems,
  referralTimeLimitWords,
  type StageResponse,
  statesReferralTimeLimit,
} from '../domain/letters.ts';
import { currentOmbudsman } from '../policy/ombudsmen.ts';
import { type Block, h, p, type RenderedMessage, ul } from './document.ts';
import {
  contactDetails,
  ombudsmanAdvice,
  type ResidentBody,
  type ResidentMessageInput,
  residentLetter,
  responseDue,
  wrongEvent,
} from './resident-letter.ts';
import { dateAsGiven, formatCivilDate, pounds } from './words.ts';

const STAGE_LETTERS = ['extension-notice', 'stage1-response', 'final-response'] as const;
export type StageLetter = (typeof STAGE_LETTERS)[number];

export function isStageLetter(template: ResidentTemplate): template is StageLetter {
  return (STAGE_LETTERS as readonly ResidentTemplate[]).includes(template);
}

const DECISION_WORDS: Record<Decision, string> = {
  upheld: 'upheld',
  'partly-upheld': 'partly upheld',
  'not-upheld': 'not upheld',
};

function stageLetterBlocks(letter: StageResponse, input: ResidentMessageInput): Block[] {
  const { profile, state, caseLink } = input;
  const remedy =
    letter.remedy === 'none'
      ? [p('None.'), ...(letter.noRemedyReason ? [p(letter.noRemedyReason)] : [])]
      : [
          p(letter.remedy.description),
          ...(letter.remedy.compensationPounds !== undefined
            ? [p(`Compensation: ${pounds(letter.remedy.compensationPounds)}.`)]
            : []),
        ];
  const actions =
    letter.outstandingActions === 'none'
      ? [p('None.')]
      : [
          ul(
            letter.outstandingActions.map((action) => [
              `${action.description} (who: ${action.owner}; by: ${dateAsGiven(action.dueDate)})`,
            ]),
          ),
        ];
  const blocks: Block[] = [
    h('What your complaint is about'),
    p(letter.complaintDefinition),
    h('Our decision'),
    p(`We have ${DECISION_WORDS[letter.decision]} your complaint.`),
    h('The reasons for our decision'),
    p(letter.reasons),
    h('Remedy: putting things right'),
    ...remedy,
    h('Outstanding actions'),
    ...actions,
  ];
  if (letter.stage === 1) {
    const until = state.escalationWindow
      ? ` (you can do this until ${formatCivilDate(state.escalationWindow.dueDate)})`
      : '';
    // The route staff wrote usually names the ombudsman already; add the advice paragraph only if not.
    const advice =
      ombudsmanRouteProblems(letter.escalationRoute, profile).length > 0 ? [ombudsmanAdvice(profile)] : [];
    return [
      ...blocks,
      h('If you are unhappy with this response'),
      p(letter.escalationRoute),
      p(`To ask us to escalate your complaint to stage 2${until}, use your case page: `, {
        href: caseLink,
        label: caseLink,
      }),
      ...advice,
    ];
  }
  const ombudsman = currentOmbudsman(profile);
  const route = letter.escalationRoute.toLowerCase();
  // Each element once: the route staff wrote (the default gives all of it) is completed, never repeated.
  const timeLimit = statesReferralTimeLimit(letter.escalationRoute, profile)
    ? []
    : [p(`You should refer your complaint to the ${ombudsman.name} ${referralTimeLimitWords(profile)}.`)];
  const details = [ombudsman.phone, ombudsman.email, ombudsman.website, ombudsman.address].filter(
    (detail): detail is string => Boolean(detail),
  );
  const contacts = details.every((detail) => route.includes(detail.toLowerCase()))
    ? []
    : [p(`Contact the ${ombudsman.name}: `, ...contactDetails(ombudsman), '.')];
  return [
    ...blocks,
    h(`If you remain unhappy: the ${ombudsman.name}`),
    p(letter.escalationRoute),
    ...timeLimit,
    ...contacts,
  ];
}

/** The body of a stage letter; `input.event` must be the event that letter is for. */
export function stageLetterBody(template: StageLetter, input: ResidentMessageInput): ResidentBody {
  const { state, event, profile } = input;
  const landlord = profile.name;
  switch (template) {
    case 'extension-notice': {
      if (event.type !== 'extension-granted') wrongEvent(template, 'extension-granted', event);
      const { stage } = event;
      return {
        title: `We need more time for our stage ${stage} response`,
        ombudsman: true,
        blocks: [
          p(
            `We are sorry, but ${landlord} needs more time to respond to your complaint at stage ${stage}. We have extended the time for our response by ${event.workingDays} working day${event.workingDays === 1 ? '' : 's'}.`,
          ),
          h('Why we need more time'),
          p(event.reason),
          p(event.explanation),
          h('When you will have our response'),
          p(`You will now have our stage ${stage} response by ${responseDue(state, stage, profile)}.`),
          p(
            `If you are unhappy about this extension, please tell us. You can also contact the ${profile.ombudsman.name} for advice about the extension or your complaint: `,
            ...contactDetails(currentOmbudsman(profile)),
            '.',
          ),
        ],
      };
    }
    case 'stage1-response':
    case 'final-response': {
      const stage = template === 'stage1-response' ? 1 : 2;
      const letter =
        event.type === 'response-issued' ? event.letter : wrongEvent(template, 'response-issued', event);
      const intro =
        stage === 1
          ? `This is the stage 1 response from ${landlord} to your complaint.`
          : `This is the stage 2 response from ${landlord} to your complaint. It is our final response.`;
      return {
        title:
          stage === 1
            ? 'Our stage 1 response to your complaint'
            : 'Our final response to your complaint (stage 2)',
        ombudsman: true,
        blocks: [p(intro), ...stageLetterBlocks(letter, input)],
      };
    }
  }
}

/** One of the letters staff preview, as the resident would be sent it. */
export function renderStageLetter(input: ResidentMessageInput & { template: StageLetter }): RenderedMessage {
  return residentLetter(input, stageLetterBody(input.template, input));
}
