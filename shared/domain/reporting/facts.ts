import { type CivilDate, type Instant, toLondon } from '../../time/london.ts';
import {
  type CaseContext,
  type CaseEvent,
  type CaseState,
  type Channel,
  foldCase,
  type Learning,
  type OmbudsmanOutcome,
  type SatisfactionAnswer,
  type Step,
} from '../case.ts';
import type { Decision } from '../letters.ts';

/** What a stage of one case contributes to the figures. */
export interface StageFacts {
  /** The stage's receipt: the complaint's (stage 1) or the accepted stage 2 request's (stage 2). */
  startedAt: Instant;
  /** Day 0 of the acknowledgement clock. */
  acknowledgementStart?: CivilDate;
  acknowledgedAt?: Instant;
  /** Day 0 of the response clock and its length before any extension (the original timescale). */
  responseStart?: CivilDate;
  responseWorkingDays?: number;
  extensions: Array<{ at: Instant; workingDays: number; reason: string }>;
  respondedAt?: Instant;
  decision?: Decision;
  /** The remedy the response offered: 'none', or a description with any compensation in pounds. */
  remedy?: 'none' | { compensationPounds?: number };
  /** The theme and root cause recorded with the response (Code 9.1), where they were. */
  learning?: Learning;
}

/**
 * The facts about one case the reporting figures are computed from: a few hundred bytes, so a year's cases can
 * be read quickly (the report reads these, not whole projections). Derived from the event log only.
 */
export interface CaseFacts {
  caseId: string;
  reference: string;
  /** The sequence number of the last event these facts include. */
  seq: number;
  receivedAt: Instant;
  channel: Channel;
  /** The service area recorded on the case (counted by the complaint's receipt). */
  category?: string;
  triage?: { outcome: 'complaint' | 'service-request' | 'not-accepted'; at: Instant; exclusionCode?: string };
  stage1: StageFacts;
  stage2?: StageFacts;
  withdrawnAt?: Instant;
  closedAt?: Instant;
  /** The resident said they were satisfied when the case was closed early (recorded on the closure). */
  residentSatisfied?: true;
  actions: Array<{
    actionId: string;
    addedAt: Instant;
    dueDate: CivilDate;
    completedAt?: Instant;
    /** Dates it was due by before a later letter moved it: only to keep its old months' items superseded. */
    earlierDueDates?: CivilDate[];
  }>;
  breaches: Array<{ step: Step; dueAt: Instant; actionId?: string }>;
  ombudsmanReferrals: Instant[];
  escalationRefusals?: Array<{ at: Instant; reason: string }>;
  satisfactionAnswers?: Array<{ at: Instant; answer: SatisfactionAnswer }>;
  /** Remedies carried out, with any compensation paid. */
  remediesPaid?: Array<{ at: Instant; compensationPounds?: number }>;
  ombudsmanOutcomes?: Array<{ at: Instant; outcome: OmbudsmanOutcome }>;
}

function stageFacts(record: CaseState['stage1'], startedAt: Instant): StageFacts {
  const extended = record.extensions.reduce((sum, extension) => sum + extension.workingDays, 0);
  const letter = record.letter;
  return {
    startedAt,
    ...(record.acknowledgement ? { acknowledgementStart: record.acknowledgement.startDate } : {}),
    ...(record.acknowledgedAt ? { acknowledgedAt: record.acknowledgedAt } : {}),
    ...(record.response
      ? {
          responseStart: record.response.startDate,
          responseWorkingDays: record.response.workingDays - extended,
        }
      : {}),
    extensions: record.extensions.map(({ at, workingDays, reason }) => ({ at, workingDays, reason })),
    ...(record.respondedAt ? { respondedAt: record.respondedAt } : {}),
    ...(record.learning ? { learning: record.learning } : {}),
    ...(letter
      ? {
          decision: letter.decision,
          remedy:
            letter.remedy === 'none'
              ? 'none'
              : letter.remedy.compensationPounds === undefined
                ? {}
                : { compensationPounds: letter.remedy.compensationPounds },
        }
      : {}),
  };
}

/** The exclusion a not-accepted triage gave (the reducer records it as "<code>: <rationale>"). */
function exclusionCode(detail: string | undefined): string | undefined {
  if (!detail) return undefined;
  const colon = detail.indexOf(': ');
  return colon > 0 ? detail.slice(0, colon) : detail;
}

/** The reporting facts of a case, from its state (the fold of its event log). */
export function caseFacts(state: CaseState): CaseFacts {
  const triage = state.triage;
  const requested = state.stage2.escalationRequestedAt;
  return {
    caseId: state.caseId,
    reference: state.reference,
    seq: state.seq,
    receivedAt: state.receivedAt,
    channel: state.channel,
    ...(state.category ? { category: state.category } : {}),
    ...(triage
      ? {
          triage: {
            outcome: triage.outcome,
            at: triage.at,
            ...(triage.outcome === 'not-accepted' ? { exclusionCode: exclusionCode(triage.detail) } : {}),
          },
        }
      : {}),
    stage1: stageFacts(state.stage1, state.receivedAt),
    ...(requested ? { stage2: stageFacts(state.stage2, requested) } : {}),
    ...(state.withdrawnAt ? { withdrawnAt: state.withdrawnAt } : {}),
    ...(state.closedAt ? { closedAt: state.closedAt } : {}),
    ...(state.residentSatisfied ? { residentSatisfied: true as const } : {}),
    actions: state.actions.map(({ actionId, addedAt, dueDate, completedAt, earlierDueDates }) => ({
      actionId,
      addedAt,
      dueDate,
      ...(completedAt ? { completedAt } : {}),
      ...(earlierDueDates ? { earlierDueDates } : {}),
    })),
    breaches: state.breaches.map(({ step, dueAt, actionId }) => ({
      step,
      dueAt,
      ...(actionId ? { actionId } : {}),
    })),
    ombudsmanReferrals: state.ombudsmanReferrals.map((referral) => referral.at),
    ...(state.escalationRefusals ? { escalationRefusals: state.escalationRefusals } : {}),
    ...(state.satisfactionAnswers
      ? { satisfactionAnswers: state.satisfactionAnswers.map(({ at, answer }) => ({ at, answer })) }
      : {}),
    ...(state.remediesPaid
      ? {
          remediesPaid: state.remediesPaid.map(({ at, compensationPounds }) => ({
            at,
            ...(compensationPounds ? { compensationPounds } : {}),
          })),
        }
      : {}),
    ...(state.ombudsmanOutcomes
      ? { ombudsmanOutcomes: state.ombudsmanOutcomes.map(({ at, outcome }) => ({ at, outcome })) }
      : {}),
  };
}

/**
 * Whether a later state of a case gives the same reporting facts as an earlier one, the sequence number aside
 * (a letter sent, a note, a reminder change nothing the figures count): its save need not rewrite them.
 */
export function sameFacts(earlier: CaseState, later: CaseState): boolean {
  const { seq: _earlierSeq, ...before } = caseFacts(earlier);
  const { seq: _laterSeq, ...after } = caseFacts(later);
  return JSON.stringify(before) === JSON.stringify(after);
}

/** The reporting facts of a case from its event log. */
export function caseFactsFromEvents(
  caseId: string,
  events: readonly CaseEvent[],
  ctx: CaseContext,
): CaseFacts {
  return caseFacts(foldCase(caseId, events, ctx));
}

/**
 * The London months (YYYY-MM) the facts date anything in, or ever did: each is a month whose report may need
 * this case. Only ever grows from one event to the next (an action's earlier due dates stay in it), so every
 * save rewrites every month an earlier save wrote, and a month the case has left holds its newest facts (in
 * which nothing is dated there) rather than an old copy that still counts it.
 */
export function factMonths(facts: CaseFacts): string[] {
  const months = new Set<string>();
  const instants: Array<Instant | undefined> = [
    facts.receivedAt,
    facts.triage?.at,
    facts.withdrawnAt,
    facts.closedAt,
    ...facts.ombudsmanReferrals,
    ...(facts.remediesPaid ?? []).map((paid) => paid.at),
    ...(facts.escalationRefusals ?? []).map((refusal) => refusal.at),
    ...(facts.satisfactionAnswers ?? []).map((answer) => answer.at),
    ...(facts.ombudsmanOutcomes ?? []).map((outcome) => outcome.at),
    ...facts.breaches.map((breach) => breach.dueAt),
  ];
  for (const stage of [facts.stage1, facts.stage2]) {
    if (!stage) continue;
    instants.push(
      stage.startedAt,
      stage.acknowledgedAt,
      stage.respondedAt,
      ...stage.extensions.map((e) => e.at),
    );
  }
  for (const action of facts.actions) {
    instants.push(action.addedAt, action.completedAt);
    for (const date of [action.dueDate, ...(action.earlierDueDates ?? [])]) months.add(date.slice(0, 7));
  }
  for (const instant of instants) if (instant) months.add(toLondon(instant).date.slice(0, 7));
  return [...months].sort();
}
