import type { WorkingCalendar } from '../calendar/working-calendar.ts';
import { currentOmbudsman, squashed, staleOmbudsmanDetails } from '../policy/ombudsmen.ts';
import type { EscalationWindow, ProviderProfile } from '../policy/profile.ts';
import { FORBIDDEN_WORDING, referralTimeLimitRule } from '../policy/runtime-baselines.ts';
import { type CivilDate, isCivilDate } from '../time/london.ts';
import { addDuration, durationWords } from './clocks.ts';
import {
  ExclusionNotApplicableError,
  IncompleteLetterError,
  NotAcceptedWithoutReasonsError,
} from './errors.ts';

export const DECISIONS = ['upheld', 'partly-upheld', 'not-upheld'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface PlannedAction {
  description: string;
  owner: string;
  /** London civil date by which it will be done. */
  dueDate: string;
}

/**
 * An action as a letter states it: a new one, or (with `actionId`) one already open on the case, carried
 * over so that the letter lists everything still to be done (Code 6.6).
 */
export interface LetterAction extends PlannedAction {
  actionId?: string;
}

/** An action already promised on the case and not yet done. */
export interface OpenAction extends PlannedAction {
  actionId: string;
}

/** The written outcome of a stage (Code 6.9 at stage 1, 6.19 at stage 2). */
export interface StageResponse {
  stage: 1 | 2;
  complaintDefinition: string;
  decision: Decision;
  reasons: string;
  remedy: 'none' | { description: string; compensationPounds?: number };
  /** Why no remedy is due although the complaint is upheld or partly upheld (Code 7.1). */
  noRemedyReason?: string;
  outstandingActions: 'none' | LetterAction[];
  /** How to take it further: stage 2 after stage 1; the Ombudsman after stage 2. */
  escalationRoute: string;
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/** What the texts say that the linter refuses in a profile (the same list), as the letter check reports it. */
function forbiddenWording(texts: readonly string[]): string[] {
  return FORBIDDEN_WORDING.filter(({ pattern }) => texts.some((text) => pattern.test(text))).map(
    ({ what, abolished }) =>
      abolished
        ? `mentions ${what}, abolished in 2022`
        : `states ${what}, which misstates the Ombudsman's rules`,
  );
}

/**
 * The profile's guidance on going to the Ombudsman, or undefined where it says what the linter refuses: a letter
 * then states the route in its own words rather than repeat the misstatement.
 */
export function ombudsmanGuidance(profile: ProviderProfile): string | undefined {
  const guidance = profile.ombudsman.referralGuidance;
  return forbiddenWording([guidance]).length > 0 ? undefined : guidance;
}

/** The time limit for going to the Ombudsman as letters state it: the profile's, unless it is not the jurisdiction's. */
export function referralTimeLimitWords(profile: ProviderProfile): string {
  const rule = referralTimeLimitRule(profile.jurisdiction);
  const own = profile.ombudsman.referralTimeLimit;
  return rule && !rule.pattern.test(own) ? rule.wording : own;
}

/** Whether text states the jurisdiction's time limit for going to the Ombudsman (or the profile's, where none is set). */
export function statesReferralTimeLimit(text: string, profile: ProviderProfile): boolean {
  const rule = referralTimeLimitRule(profile.jurisdiction);
  return rule
    ? rule.pattern.test(text)
    : text.toLowerCase().includes(profile.ombudsman.referralTimeLimit.toLowerCase());
}

/**
 * Whether text gives the ombudsman's name and at least one of its current contact details, and none of the
 * profile's stale ones.
 */
export function ombudsmanRouteProblems(text: string, profile: ProviderProfile): string[] {
  const ombudsman = currentOmbudsman(profile);
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
  for (const key of staleOmbudsmanDetails(profile)) {
    const stale = profile.ombudsman[key] ?? '';
    if (squashed(text).includes(squashed(stale))) {
      const current = ombudsman[key];
      problems.push(
        `the route gives the ${ombudsman.name}'s old ${key} ("${stale}")${current ? `: use "${current}"` : ''}`,
      );
    }
  }
  return problems;
}

function actionWords(action: OpenAction): string {
  return `${action.actionId} ("${action.description}", due ${action.dueDate})`;
}

/** Every action still open must be in the letter, carried over by its id; "none" is refused while any is. */
function outstandingActionProblems(letter: StageResponse, open: readonly OpenAction[]): string[] {
  const listed = letter.outstandingActions === 'none' ? [] : letter.outstandingActions;
  const problems: string[] = [];
  if (letter.outstandingActions === 'none' && open.length > 0) {
    return [
      `the outstanding actions cannot be "none" while ${open.length} action(s) promised on this case are still open: ${open.map(actionWords).join(', ')}; list each one, or record it as completed first (Code 6.6, 6.9)`,
    ];
  }
  const seen = new Set<string>();
  listed.forEach((action, index) => {
    if (action.actionId === undefined) return;
    if (!open.some((candidate) => candidate.actionId === action.actionId)) {
      problems.push(
        `outstanding action ${index + 1} refers to ${action.actionId}, which is not an open action on this case`,
      );
    } else if (seen.has(action.actionId)) {
      problems.push(`outstanding action ${action.actionId} is listed more than once`);
    }
    seen.add(action.actionId);
  });
  const missing = open.filter((action) => !seen.has(action.actionId));
  if (missing.length > 0) {
    problems.push(
      `every action still open must be listed (Code 6.6, 6.9); missing: ${missing.map(actionWords).join(', ')}`,
    );
  }
  return problems;
}

/** Code 7.1: where something went wrong, say how it will be put right, or why nothing is due. */
function remedyProblems(letter: StageResponse): string[] {
  if (!letter.remedy || (letter.remedy !== 'none' && blank(letter.remedy.description))) {
    return ['the remedy is missing (say "none" if there is none)'];
  }
  if (letter.remedy !== 'none') {
    return blank(letter.noRemedyReason)
      ? []
      : ['the letter gives a remedy and a reason why no remedy is due: give one or the other'];
  }
  if ((letter.decision === 'upheld' || letter.decision === 'partly-upheld') && blank(letter.noRemedyReason)) {
    return [
      `the complaint is ${letter.decision === 'upheld' ? 'upheld' : 'partly upheld'}, so the letter must set out a remedy, or explain why no remedy is due (Code 7.1)`,
    ];
  }
  return [];
}

/**
 * What stops a stage response being sent. `open` is every outstanding action still open on the case
 * before this letter: each must be listed again (by its id).
 */
export function stageResponseProblems(
  letter: StageResponse,
  stage: 1 | 2,
  profile: ProviderProfile,
  open: readonly OpenAction[] = [],
): string[] {
  const missing: string[] = [];
  if (letter.stage !== stage)
    missing.push(`it says stage ${letter.stage} but the complaint is at stage ${stage}`);
  if (blank(letter.complaintDefinition)) missing.push('the complaint definition is missing');
  if (!letter.decision) missing.push('the decision is missing');
  if (blank(letter.reasons)) missing.push('the reasons for the decision are missing');
  missing.push(...remedyProblems(letter));
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
  if (letter.outstandingActions) missing.push(...outstandingActionProblems(letter, open));
  if (blank(letter.escalationRoute)) {
    missing.push(
      stage === 1 ? 'how to escalate to stage 2 is missing' : 'the route to the Ombudsman is missing',
    );
  } else if (stage === 1 && !/stage\s*2|stage two/i.test(letter.escalationRoute)) {
    missing.push('the escalation route must tell the resident how to ask for stage 2');
  } else if (stage === 2) {
    missing.push(...ombudsmanRouteProblems(letter.escalationRoute, profile));
    if (!statesReferralTimeLimit(letter.escalationRoute, profile)) {
      missing.push(
        `the route must state the time limit for going to the Ombudsman ("${referralTimeLimitWords(profile)}")`,
      );
    }
  }
  const remedyText =
    letter.remedy && letter.remedy !== 'none' ? [letter.remedy.description] : [letter.noRemedyReason ?? ''];
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
  open: readonly OpenAction[] = [],
): void {
  const problems = stageResponseProblems(letter, stage, profile, open);
  if (problems.length > 0) throw new IncompleteLetterError(problems, `The stage ${stage} response`);
}

/** The escalation paragraph a letter starts from; staff may edit it, and the validator checks the result. */
/** The SPSO half of a stage 2 window, as letters and pages put it after "within N of the response". */
export function laterFromEventWords(window: EscalationWindow): string {
  return window.orAfterEvent
    ? `, or within ${durationWords(window.orAfterEvent)} of the events you complained about (or of when you became aware of them) if that is later`
    : '';
}

export function defaultEscalationRoute(profile: ProviderProfile, stage: 1 | 2): string {
  const ombudsman = currentOmbudsman(profile);
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
      ? ` within ${durationWords(profile.escalationWindow)} of this letter${laterFromEventWords(profile.escalationWindow)}`
      : '';
    return `If you are unhappy with this response you can ask us to escalate your complaint to stage 2${window}. You do not have to give a reason: use the link in this email, reply to it, or call us. You can also contact the ${ombudsman.name} at any time for advice (${contacts}).`;
  }
  // The profile's guidance often states the time limit already: say it once (and say "final" once: the
  // letter's opening does).
  const guidance =
    ombudsmanGuidance(profile) ??
    `If you remain unhappy, you can refer your complaint to the ${ombudsman.name}. You can also contact the ${ombudsman.name} at any time for advice.`;
  const timeLimit = statesReferralTimeLimit(guidance, profile)
    ? ''
    : ` You should refer your complaint to the ${ombudsman.name} ${referralTimeLimitWords(profile)}.`;
  return `${guidance}${timeLimit} Contact the ${ombudsman.name}: ${contacts}.`;
}

export interface NonAcceptance {
  exclusionCode: string;
  rationale: string;
  ombudsmanRoute: string;
  /** Code 2.2: what shows that legal proceedings have started (a claim filed at court). */
  legalProceedings?: { court?: string; claimNumber?: string; filedOn?: CivilDate };
  /** Code 2.3: why the issue is thought to be outside the time limit, when the complaint gives no date. */
  outOfTimeReason?: string;
}

/**
 * A policy's "service request" exclusion is the triage outcome of that name (the resident is told what will
 * be done), never a reason to refuse a complaint with the Ombudsman route.
 */
export const SERVICE_REQUEST_EXCLUSION = 'service-request';

/** The Code 2.2 exclusion for legal proceedings (every preset uses this code). */
export const LEGAL_PROCEEDINGS_EXCLUSION = 'legal-proceedings';

/** The Code 2.3 time-limit exclusion: "over-12-months", or "over-6-months" where the policy's window is 6. */
export function isTimeLimitExclusion(code: string): boolean {
  return /^over-\d+-months$/.test(code);
}

/** What the non-acceptance is checked against: the complaint as received. */
export interface NonAcceptanceContext {
  profile: ProviderProfile;
  calendar: WorkingCalendar;
  /** The London date the complaint was received. */
  receivedOn: CivilDate;
  /** The London date of the decision. */
  decidedOn: CivilDate;
  happenedOn?: CivilDate;
  becameAwareOn?: CivilDate;
}

/** The later of when it happened and when the resident became aware: windows counted from the events run from it. */
export function laterEventDate(happenedOn?: CivilDate, becameAwareOn?: CivilDate): CivilDate | undefined {
  const dates = [happenedOn, becameAwareOn].filter(
    (date): date is CivilDate => date !== undefined && isCivilDate(date),
  );
  // ISO dates sort as strings: the last one is the later date.
  return dates.sort().at(-1);
}

/**
 * Code 2.3: a complaint raised within the window of the issue, or of the resident becoming aware of it,
 * must be accepted. The clock runs from the later of the two dates the complaint gives.
 */
function timeLimitProblems(decision: NonAcceptance, context: NonAcceptanceContext): string[] {
  const { profile, receivedOn } = context;
  const from = laterEventDate(context.happenedOn, context.becameAwareOn);
  if (from === undefined) {
    return blank(decision.outOfTimeReason)
      ? [
          `a reason for thinking the issue is more than ${durationWords(profile.raisingWindow)} old: the complaint gives no date when it happened or when the resident became aware of it (Code 2.3)`,
        ]
      : [];
  }
  const lastDay = addDuration(from, profile.raisingWindow, context.calendar);
  if (receivedOn > lastDay) return [];
  const which =
    from === context.becameAwareOn ? 'the resident became aware of the issue' : 'the issue happened';
  throw new ExclusionNotApplicableError(
    decision.exclusionCode,
    `${which} on ${from} and the complaint was received on ${receivedOn}, within ${durationWords(profile.raisingWindow)} (until ${lastDay}), so it must be accepted (Code 2.3). Accept it as a complaint, or choose the reason that does apply.`,
    { from, receivedOn, lastDay },
  );
}

/** Code 2.2: legal proceedings mean a claim filed at court, so the filing is recorded. */
function legalProceedingsProblems(decision: NonAcceptance, decidedOn: CivilDate): string[] {
  const evidence = decision.legalProceedings;
  const given = [evidence?.court, evidence?.claimNumber, evidence?.filedOn].some((value) => !blank(value));
  if (!given) {
    return [
      'evidence that legal proceedings have started: the court, the claim number or the date the claim was filed (Code 2.2)',
    ];
  }
  const filedOn = evidence?.filedOn;
  if (filedOn === undefined || blank(filedOn)) return [];
  if (!isCivilDate(filedOn)) return ['the date the claim was filed, as a real date YYYY-MM-DD'];
  if (filedOn > decidedOn)
    return [`the date the claim was filed, which cannot be after today (${decidedOn})`];
  return [];
}

export function assertValidNonAcceptance(decision: NonAcceptance, context: NonAcceptanceContext): void {
  const { profile } = context;
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
  if (decision.exclusionCode === LEGAL_PROCEEDINGS_EXCLUSION) {
    missing.push(...legalProceedingsProblems(decision, context.decidedOn));
  }
  if (isTimeLimitExclusion(decision.exclusionCode)) missing.push(...timeLimitProblems(decision, context));
  if (missing.length > 0) throw new NotAcceptedWithoutReasonsError(missing);
}

export function defaultNonAcceptanceRoute(profile: ProviderProfile): string {
  const ombudsman = currentOmbudsman(profile);
  const contacts = [ombudsman.phone, ombudsman.email, ombudsman.website].filter(Boolean).join(', ');
  return `If you disagree with our decision not to accept your complaint, you can ask the ${ombudsman.name} to look at it (${contacts}).`;
}
