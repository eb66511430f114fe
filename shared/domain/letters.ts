import type { Duration, EscalationWindow, ProviderProfile } from '../policy/profile.ts';
import { IncompleteLetterError, NotAcceptedWithoutReasonsError } from './errors.ts';

export const DECISIONS = ['upheld', 'partly-upheld', 'not-upheld'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface PlannedAction {
  description: string;
  owner: string;
  /** London civil date by which it will be done. */
  dueDate: string;
}

/** The written outcome of a stage (Code 6.9 at stage 1, 6.19 at stage 2). */
export interface StageResponse {
  stage: 1 | 2;
  complaintDefinition: string;
  decision: Decision;
  reasons: string;
  remedy: 'none' | { description: string; compensationPounds?: number };
  outstandingActions: 'none' | PlannedAction[];
  /** How to take it further: stage 2 after stage 1; the Ombudsman after stage 2. */
  escalationRoute: string;
}

const FORBIDDEN = [
  { pattern: /designated\s+person/i, what: 'mentions the abolished "designated person" route' },
  {
    pattern: /\b(8|eight)[\s-]+weeks?\b/i,
    what: 'mentions an 8-week wait before the Ombudsman (abolished in 2022)',
  },
];

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function forbiddenWording(texts: readonly string[]): string[] {
  return FORBIDDEN.filter(({ pattern }) => texts.some((text) => pattern.test(text))).map(({ what }) => what);
}

/** Whether text gives the ombudsman's name and at least one of its contact details from the profile. */
export function ombudsmanRouteProblems(text: string, profile: ProviderProfile): string[] {
  const { ombudsman } = profile;
  const problems: string[] = [];
  const lower = text.toLowerCase();
  if (!lower.includes(ombudsman.name.toLowerCase()))
    problems.push(`the route must name the ${ombudsman.name}`);
  const contacts = [ombudsman.phone, ombudsman.email, ombudsman.website].filter((c): c is string =>
    Boolean(c),
  );
  if (!contacts.some((contact) => lower.includes(contact.toLowerCase()))) {
    problems.push(`the route must give the ${ombudsman.name}'s contact details (${contacts.join(', ')})`);
  }
  return problems;
}

export function stageResponseProblems(
  letter: StageResponse,
  stage: 1 | 2,
  profile: ProviderProfile,
): string[] {
  const missing: string[] = [];
  if (letter.stage !== stage)
    missing.push(`it says stage ${letter.stage} but the complaint is at stage ${stage}`);
  if (blank(letter.complaintDefinition)) missing.push('the complaint definition is missing');
  if (!letter.decision) missing.push('the decision is missing');
  if (blank(letter.reasons)) missing.push('the reasons for the decision are missing');
  if (!letter.remedy || (letter.remedy !== 'none' && blank(letter.remedy.description))) {
    missing.push('the remedy is missing (say "none" if there is none)');
  }
  if (
    !letter.outstandingActions ||
    (letter.outstandingActions !== 'none' && letter.outstandingActions.length === 0)
  ) {
    missing.push('the outstanding actions are missing (say "none" if there are none)');
  } else if (letter.outstandingActions !== 'none') {
    letter.outstandingActions.forEach((action, index) => {
      if (blank(action.description) || blank(action.owner) || blank(action.dueDate)) {
        missing.push(`outstanding action ${index + 1} needs a description, an owner and a date`);
      }
    });
  }
  if (blank(letter.escalationRoute)) {
    missing.push(
      stage === 1 ? 'how to escalate to stage 2 is missing' : 'the route to the Ombudsman is missing',
    );
  } else if (stage === 1 && !/stage\s*2|stage two/i.test(letter.escalationRoute)) {
    missing.push('the escalation route must tell the resident how to ask for stage 2');
  } else if (stage === 2) {
    missing.push(...ombudsmanRouteProblems(letter.escalationRoute, profile));
    if (!letter.escalationRoute.toLowerCase().includes(profile.ombudsman.referralTimeLimit.toLowerCase())) {
      missing.push(
        `the route must state the time limit for going to the Ombudsman ("${profile.ombudsman.referralTimeLimit}")`,
      );
    }
  }
  const remedyText = letter.remedy && letter.remedy !== 'none' ? [letter.remedy.description] : [];
  missing.push(
    ...forbiddenWording([
      letter.complaintDefinition,
      letter.reasons,
      letter.escalationRoute,
      ...remedyText,
    ]).map((what) => `the letter ${what}`),
  );
  return missing;
}

export function assertCompleteStageResponse(
  letter: StageResponse,
  stage: 1 | 2,
  profile: ProviderProfile,
): void {
  const problems = stageResponseProblems(letter, stage, profile);
  if (problems.length > 0) throw new IncompleteLetterError(problems, `The stage ${stage} response`);
}

/** The escalation paragraph a letter starts from; staff may edit it, and the validator checks the result. */
function durationText(duration: Duration): string {
  return `${duration.amount} ${duration.unit.replace('-', ' ')}`;
}

/** The SPSO half of a stage 2 window, as letters and pages put it after "within N of the response". */
export function laterFromEventWords(window: EscalationWindow): string {
  return window.orAfterEvent
    ? `, or within ${durationText(window.orAfterEvent)} of the events you complained about (or of when you became aware of them) if that is later`
    : '';
}

export function defaultEscalationRoute(profile: ProviderProfile, stage: 1 | 2): string {
  const { ombudsman } = profile;
  const contacts = [
    ombudsman.phone && `phone ${ombudsman.phone}`,
    ombudsman.email && `email ${ombudsman.email}`,
    ombudsman.website && `website ${ombudsman.website}`,
    ombudsman.address && `write to ${ombudsman.address}`,
  ]
    .filter(Boolean)
    .join(', ');
  if (stage === 1) {
    const window = profile.escalationWindow
      ? ` within ${durationText(profile.escalationWindow)} of this letter${laterFromEventWords(profile.escalationWindow)}`
      : '';
    return `If you are unhappy with this response you can ask us to escalate your complaint to stage 2${window}. You do not have to give a reason: use the link in this email, reply to it, or call us. You can also contact the ${ombudsman.name} at any time for advice (${contacts}).`;
  }
  return `This is our final response. If you remain unhappy you can refer your complaint to the ${ombudsman.name} ${ombudsman.referralTimeLimit}. ${ombudsman.referralGuidance} Contact the ${ombudsman.name}: ${contacts}.`;
}

export interface NonAcceptance {
  exclusionCode: string;
  rationale: string;
  ombudsmanRoute: string;
}

/**
 * A policy's "service request" exclusion is the triage outcome of that name (the resident is told what will
 * be done), never a reason to refuse a complaint with the Ombudsman route.
 */
export const SERVICE_REQUEST_EXCLUSION = 'service-request';

export function assertValidNonAcceptance(decision: NonAcceptance, profile: ProviderProfile): void {
  const missing: string[] = [];
  if (decision.exclusionCode === SERVICE_REQUEST_EXCLUSION) {
    missing.push(
      `a reason other than "${SERVICE_REQUEST_EXCLUSION}": record a service request as the service-request triage outcome, saying what will be done`,
    );
  } else if (!profile.exclusions.some((exclusion) => exclusion.code === decision.exclusionCode)) {
    missing.push(
      `a reason from the provider's exclusions (${profile.exclusions.map((exclusion) => exclusion.code).join(', ')}); got "${decision.exclusionCode}"`,
    );
  }
  if (blank(decision.rationale)) missing.push('a rationale explaining why it is not accepted');
  if (blank(decision.ombudsmanRoute)) missing.push('the right to ask the Ombudsman to look at this decision');
  else missing.push(...ombudsmanRouteProblems(decision.ombudsmanRoute, profile));
  if (missing.length > 0) throw new NotAcceptedWithoutReasonsError(missing);
}

export function defaultNonAcceptanceRoute(profile: ProviderProfile): string {
  const { ombudsman } = profile;
  const contacts = [ombudsman.phone, ombudsman.email, ombudsman.website].filter(Boolean).join(', ');
  return `If you disagree with our decision not to accept your complaint, you can ask the ${ombudsman.name} to look at it (${contacts}).`;
}
