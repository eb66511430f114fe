/**
 * The content of resident letters and staff alerts, written in the document model (`document.ts`) and so
 * rendered as plain text and HTML. Pure functions: no I/O and no clock; every date comes from the case. Each
 * letter carries what the Complaint Handling Code requires of it.
 */

import { ATTACHMENT_LIMITS, MB, TYPE_LIST } from '../domain/attachment-rules.ts';
import type { CaseState, Step } from '../domain/case.ts';
import type { StaffAlert } from '../domain/correspondence.ts';
import { ombudsmanGuidance } from '../domain/letters.ts';
import { currentOmbudsman } from '../policy/ombudsmen.ts';
import type { ProviderProfile } from '../policy/profile.ts';
import { toLondon } from '../time/london.ts';
import { type Block, h, type Inline, oneLine, p, type RenderedMessage, render, ul } from './document.ts';
import {
  contactDetails,
  type ResidentBody,
  type ResidentMessageInput,
  residentLetter,
  responseDue,
  stageKey,
  wrongEvent,
} from './resident-letter.ts';
import { isStageLetter, stageLetterBody } from './stage-letters.ts';
import { formatCivilDate, formatLondonInstant, instantAsGiven, legalProceedingsWords } from './words.ts';

export type { ResidentMessageInput } from './resident-letter.ts';

export interface StaffAlertInput {
  alert: StaffAlert;
  state: CaseState;
  step: string;
  dueAt?: string;
  role: string;
  profile: ProviderProfile;
  /** The staff console page for the case or task (never the task token). */
  consoleLink: string;
  /** What else staff need to know (who an email came from, whether it may ask for stage 2). */
  note?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Resident letters (the three staff preview are in stage-letters.ts)

function ombudsmanContacts(profile: ProviderProfile): Block {
  const ombudsman = currentOmbudsman(profile);
  return p(`You can contact the ${ombudsman.name}: `, ...contactDetails(ombudsman), '.');
}

/** What was late, in a letter's words, for each step whose deadline the resident was given. */
const MISSED_WHAT: Partial<Record<Step, string>> = {
  triage: 'our acknowledgement of your complaint',
  'stage1-acknowledgement': 'our acknowledgement of your complaint',
  'stage1-response': 'our stage 1 response',
  'stage2-acknowledgement': 'our acknowledgement of your stage 2 request',
  'stage2-response': 'our stage 2 (final) response',
};

/** Files that came with an emailed complaint but were not kept: the resident is told which and why. */
function refusedFiles(state: CaseState): Block[] {
  const refused = state.email?.refusedAttachments ?? [];
  if (refused.length === 0) return [];
  return [
    h('Files we could not keep'),
    p('We have not kept these files from your email:'),
    ul(refused.map((file) => [file.problem])),
    p(
      `If you would like us to have them, reply to this email with each as ${TYPE_LIST}, smaller than ${ATTACHMENT_LIMITS.maxFileBytes / MB}MB.`,
    ),
  ];
}

function residentBody(input: ResidentMessageInput): ResidentBody {
  const { template, state, event, profile } = input;
  if (isStageLetter(template)) return stageLetterBody(template, input);
  const landlord = profile.name;
  switch (template) {
    case 'complaint-received': {
      const ackDue = state.stage1.acknowledgement?.dueDate;
      const by = ackDue
        ? `by ${formatCivilDate(ackDue)}`
        : `within ${profile.stages[0]?.acknowledgeWorkingDays ?? 5} working days`;
      return {
        title: 'We have received your complaint',
        ombudsman: false,
        blocks: [
          p(
            `Thank you for contacting ${landlord}. We have received your complaint on ${formatLondonInstant(state.receivedAt)} and logged it at stage 1 of our complaints process. Your reference is ${oneLine(state.reference)}.`,
          ),
          p(
            `We will acknowledge your complaint ${by}. When we do, we will set out what we understand your complaint to be about, the outcome you are looking for, and when you will have our response.`,
          ),
          h('What you told us'),
          p(state.complaint.whatHappened),
          h('What you would like to happen'),
          p(state.complaint.outcomeWanted),
          ...refusedFiles(state),
        ],
      };
    }
    case 'stage1-acknowledgement':
    case 'stage2-acknowledgement': {
      const stage = template === 'stage1-acknowledgement' ? 1 : 2;
      const record = state[stageKey(stage)];
      const intro =
        stage === 1
          ? `${landlord} has acknowledged your complaint and logged it at stage 1 of our complaints process.`
          : `You asked us to escalate your complaint. ${landlord} has acknowledged it and logged it at stage 2 of our complaints process, our final stage. Someone who was not involved at stage 1 will look at it.`;
      const reason =
        stage === 2 && state.stage2.escalationReason
          ? [h('Why you asked for stage 2'), p(state.stage2.escalationReason)]
          : [];
      return {
        title: `Your complaint at stage ${stage}: acknowledgement`,
        ombudsman: false,
        blocks: [
          p(intro),
          ...reason,
          h('What we understand your complaint to be about'),
          p(record.definition ?? state.complaint.whatHappened),
          h('The outcomes you are looking for'),
          record.outcomesSought.length > 0
            ? ul(record.outcomesSought.map((outcome) => [outcome]))
            : p(state.complaint.outcomeWanted),
          p(`We will send you our stage ${stage} response by ${responseDue(state, stage, profile)}.`),
          p(
            'If we have misunderstood your complaint or the outcomes you want, please tell us as soon as possible so we can put it right.',
          ),
        ],
      };
    }
    case 'not-accepted': {
      if (event.type !== 'triaged' || event.outcome !== 'not-accepted') {
        wrongEvent(template, "'triaged' (not-accepted)", event);
      }
      const exclusion = profile.exclusions.find((candidate) => candidate.code === event.exclusionCode);
      const claim = legalProceedingsWords(event.legalProceedings);
      return {
        title: 'We are unable to accept your complaint',
        ombudsman: true,
        blocks: [
          p(
            `Thank you for contacting ${landlord}. We have looked carefully at what you told us, and we are sorry that we cannot accept it as a complaint under our complaints policy.`,
          ),
          h('Why we cannot accept it'),
          p(exclusion?.description ?? event.exclusionCode),
          p(event.rationale),
          ...(claim ? [p(claim)] : []),
          h('If you disagree'),
          p(event.ombudsmanRoute),
          ombudsmanContacts(profile),
          p('You can also tell us why you disagree by replying to this letter or using your case page.'),
        ],
      };
    }
    case 'service-request': {
      if (event.type !== 'triaged' || event.outcome !== 'service-request') {
        wrongEvent(template, "'triaged' (service-request)", event);
      }
      return {
        title: 'We are dealing with your request',
        ombudsman: false,
        blocks: [
          p(
            `Thank you for contacting ${landlord}. We are handling what you told us as a service request: a request for us to provide or put right a service, rather than a complaint.`,
          ),
          h('What we will do'),
          p(event.notes),
          p(
            'If you are unhappy with this, or with how we deal with your request, you can still make a complaint at any time: reply to this letter, contact us, or use your case page.',
          ),
        ],
      };
    }
    case 'withdrawal-confirmed': {
      const when = state.withdrawnAt ?? event.at;
      const reason = event.type === 'withdrawn' && event.reason ? [p(`You told us: ${event.reason}`)] : [];
      return {
        title: 'Your complaint has been withdrawn',
        ombudsman: true,
        blocks: [
          p(
            `We confirm that you withdrew your complaint to ${landlord} on ${formatLondonInstant(when)}. We have stopped working on it and closed it.`,
          ),
          ...reason,
          p(
            'If you change your mind, or the problem comes back, you can contact us again and we will look at it.',
          ),
          p(
            `You can also contact the ${profile.ombudsman.name} for free, independent advice: `,
            ...contactDetails(currentOmbudsman(profile)),
            '.',
          ),
        ],
      };
    }
    case 'deadline-missed': {
      if (event.type !== 'deadline-breached' || !event.newDueDate) {
        wrongEvent(template, "'deadline-breached' (with a new date)", event);
      }
      const what = MISSED_WHAT[event.step] ?? 'our reply';
      const dueDate = toLondon(event.dueAt).date;
      const { ombudsman } = profile;
      return {
        title: `We are sorry: ${what} is late`,
        ombudsman: true,
        blocks: [
          p(
            `We are sorry. We told you that you would have ${what} by ${formatCivilDate(dueDate)}, and we have not kept to that date. This is not the service you should expect from ${landlord}, and we apologise.`,
          ),
          h('When you will hear from us'),
          p(
            `You will have ${what} by ${formatCivilDate(event.newDueDate)}. If we find we cannot keep to this date, we will tell you why and when you will hear from us.`,
          ),
          h(`Your right to contact the ${ombudsman.name}`),
          p(
            `Because we have not responded within our complaint timescales, you do not have to wait for us: you can contact the ${ombudsman.name} now. The ${ombudsman.name} can step in when a landlord does not keep to its complaint timescales, and can ask us to respond. Their service is free and independent.`,
          ),
          ombudsmanContacts(profile),
        ],
      };
    }
    case 'due-date-moved': {
      if (event.type !== 'deadlines-recalculated' || event.direction !== 'later') {
        wrongEvent(template, "'deadlines-recalculated' (later)", event);
      }
      const { ombudsman } = profile;
      const window = event.step === 'escalation-window';
      const what = MISSED_WHAT[event.step] ?? 'our reply';
      return {
        title: window ? 'You have longer to ask for stage 2' : 'The date you will hear from us has changed',
        ombudsman: true,
        blocks: [
          p(
            window
              ? `We told you that you could ask us to escalate your complaint to stage 2 until ${formatCivilDate(event.oldDueDate)}. You now have until ${formatCivilDate(event.newDueDate)}.`
              : `We told you that you would have ${what} by ${formatCivilDate(event.oldDueDate)}. You will now have it by ${formatCivilDate(event.newDueDate)}.`,
          ),
          h('Why the date has changed'),
          p(event.reason),
          p(
            `Our complaint timescales are counted in working days, so when our working calendar or timescales change, the date moves with them. ${window ? 'You do not need to do anything now.' : 'We will still reply sooner if we can.'}`,
          ),
          h('If you are unhappy about this'),
          p(
            `Please tell us. You can also contact the ${ombudsman.name} for free, independent advice about the new date or your complaint: `,
            ...contactDetails(currentOmbudsman(profile)),
            '.',
          ),
        ],
      };
    }
    case 'case-closed': {
      const reason = event.type === 'closed' ? event.reason : state.closureReason;
      const why =
        reason === 'escalation-window-ended'
          ? `the time to ask for stage 2 ended${state.escalationWindow ? ` on ${formatCivilDate(state.escalationWindow.dueDate)}` : ''} without a request to escalate it`
          : reason === 'resolved-at-stage-1'
            ? 'it was resolved at stage 1'
            : 'our complaints process has ended';
      const guidance = ombudsmanGuidance(profile);
      return {
        title: 'Your complaint has been closed',
        ombudsman: true,
        blocks: [
          p(`${landlord} has closed your complaint because ${why}.`),
          h('What you can still do'),
          p(
            `If you remain unhappy with how we dealt with your complaint, you can ask the ${profile.ombudsman.name} to look at it.${guidance ? ` ${guidance}` : ''}`,
          ),
          ombudsmanContacts(profile),
          p('If something new goes wrong, you can make a new complaint at any time.'),
        ],
      };
    }
  }
}

/** The email a resident (or their representative) is owed for an event. */
export function renderResidentMessage(input: ResidentMessageInput): RenderedMessage {
  return residentLetter(input, residentBody(input));
}

// ---------------------------------------------------------------------------------------------------------
// Staff alerts

const STEP_LABELS: Record<string, string | undefined> = {
  triage: 'Triage (decide whether it is a complaint)',
  'stage1-acknowledgement': 'Stage 1 acknowledgement',
  'stage1-response': 'Stage 1 response',
  'escalation-window': 'Stage 2 escalation window',
  'stage2-acknowledgement': 'Stage 2 acknowledgement',
  'stage2-response': 'Stage 2 (final) response',
  'outstanding-actions': 'Outstanding actions',
};

const ALERT_TITLES: Record<StaffAlert, string> = {
  'new-task': 'New task',
  reminder: 'Due soon',
  breach: 'Deadline missed',
  'still-overdue': 'Still overdue',
  'email-received': 'Email received',
};

/** An alert to staff about a task; it links to the console and never carries a task token. */
export function renderStaffAlert(input: StaffAlertInput): RenderedMessage {
  const { alert, state, step, dueAt, role, profile, consoleLink, note } = input;
  const reference = oneLine(state.reference);
  const label = STEP_LABELS[step] ?? step;
  const due = dueAt ? `${instantAsGiven(dueAt)} (London time)` : 'no deadline set';
  const intro: Record<StaffAlert, string> = {
    'new-task': `A new task is waiting for the ${role} role: ${label} on complaint ${reference}.`,
    reminder: `This task is due soon: ${label} on complaint ${reference} must be done by ${due}.`,
    breach: `The deadline was missed: ${label} on complaint ${reference} was due by ${due} and has not been done. A manager has been alerted.`,
    'still-overdue': `This task is still overdue: ${label} on complaint ${reference} was due by ${due} and has still not been done. A manager has been alerted.`,
    'email-received': `An email about complaint ${reference} has arrived and is on the case timeline: read it in the console.`,
  };
  const { reasonableAdjustments, vulnerability } = state.complainant;
  const resident: Inline[][] = [];
  if (reasonableAdjustments) resident.push([`Reasonable adjustments: ${reasonableAdjustments}`]);
  if (vulnerability) resident.push([`Vulnerability: ${vulnerability}`]);
  const blocks: Block[] = [
    p(intro[alert]),
    ...(note ? [p(note)] : []),
    ul([
      [`Case reference: ${reference}`],
      [`Step: ${label} (${step})`],
      [`Due: ${due}`],
      [`Role: ${role}`],
      [`Landlord: ${profile.name}`],
    ]),
    ...(resident.length > 0 ? [h('About the resident'), ul(resident)] : []),
    p('Open the case in the staff console: ', { href: consoleLink, label: consoleLink }),
    p('Sign in to the console to act on this task; this email cannot be used to complete it.'),
  ];
  return render(`${ALERT_TITLES[alert]}: ${label} - complaint ${reference}`, blocks);
}

export interface TaskDigestInput {
  role: string;
  /** The London date the digest is for. */
  date: string;
  tasks: ReadonlyArray<{ reference: string; step: string; dueAt?: string; consoleLink: string }>;
  profile: ProviderProfile;
}

/** One email listing a role's new tasks since the last digest; links to the console, never a task token. */
export function renderTaskDigest(input: TaskDigestInput): RenderedMessage {
  const { role, date, tasks, profile } = input;
  const count = `${tasks.length} new task${tasks.length === 1 ? '' : 's'}`;
  const blocks: Block[] = [
    p(`${count} for the ${role} role since the last digest (${profile.name}), earliest due first:`),
    ul(
      tasks.map((task) => [
        `${oneLine(task.reference)}: ${STEP_LABELS[task.step] ?? task.step}, due ${task.dueAt ? `${instantAsGiven(task.dueAt)} (London time)` : 'with no deadline set'}. `,
        { href: task.consoleLink, label: task.consoleLink },
      ]),
    ),
    p(
      'Reminders before a deadline, missed deadlines and replies from residents are still emailed as they happen.',
    ),
    p('Sign in to the console to act on these tasks; this email cannot be used to complete them.'),
  ];
  return render(`Daily digest: ${count} for ${role}s - ${formatCivilDate(date)}`, blocks);
}

// ---------------------------------------------------------------------------------------------------------
// Postal letters

/** A plain-text letter for post: the resident's address block, date, the message text and signature. */
export function renderPostalLetter(input: ResidentMessageInput, sentOn: string /* YYYY-MM-DD */): string {
  const { state, profile } = input;
  const { complainant } = state;
  if (!complainant.address || complainant.address.trim() === '') {
    throw new RangeError(`Case ${state.reference} has no postal address for ${oneLine(complainant.name)}`);
  }
  const date = formatCivilDate(sentOn, { weekday: false });
  const message = renderResidentMessage(input);
  const sender = [
    profile.legalName ?? profile.name,
    profile.contact.address,
    profile.contact.phone,
    profile.contact.email,
  ]
    .filter((line): line is string => Boolean(line))
    .flatMap((line) => line.split(/\r?\n/));
  const recipient = [
    ...(complainant.representative
      ? [`For the attention of ${oneLine(complainant.representative.name)}`]
      : []),
    oneLine(complainant.name),
    ...complainant.address
      .split(/\r?\n|,/)
      .map((line) => line.trim())
      .filter(Boolean),
  ];
  return [
    sender.join('\n'),
    recipient.join('\n'),
    date,
    `Our reference: ${oneLine(state.reference)}`,
    message.subject,
    message.text,
  ].join('\n\n');
}
