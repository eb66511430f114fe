import { deadline } from '../../calendar/deadline.ts';
import { createWorkingCalendar, type WorkingCalendar } from '../../calendar/working-calendar.ts';
import { type ProviderProfile, profileFingerprint } from '../../policy/profile.ts';
import { baselineExtensionCap } from '../../policy/runtime-baselines.ts';
import {
  addCalendarDays,
  type CivilDate,
  type Instant,
  isCivilDate,
  londonWallClockToInstant,
  toLondon,
} from '../../time/london.ts';
import {
  CHANNELS,
  OMBUDSMAN_OUTCOMES,
  type OmbudsmanOutcome,
  SATISFACTION_ANSWERS,
  type SatisfactionAnswer,
  type Step,
} from '../case.ts';
import { InvalidQueryError } from '../errors.ts';
import { DECISIONS, type Decision } from '../letters.ts';
import type { CaseFacts, StageFacts } from './facts.ts';
import { reportRows } from './table.ts';

const METADATA = new Set(['provider', 'period.from', 'period.to', 'homes']);

/** London dates, both inclusive. */
export interface ReportPeriod {
  from: CivilDate;
  to: CivilDate;
}

/** A figure with what it is computed from; `value` is null when the denominator is 0. Never rounded. */
export interface Ratio {
  value: number | null;
  numerator: number;
  denominator: number;
}

export interface Distribution {
  count: number;
  median: number | null;
  p90: number | null;
}

type StageNames = 'stage1' | 'stage2';
type PerStage<T> = Record<StageNames, T>;
type Outcomes = { upheld: number; partlyUpheld: number; notUpheld: number };

export interface ReportFigures {
  version: 1;
  provider: { id: string; name: string };
  period: ReportPeriod;
  homes: number;
  tsm: {
    CH01_1: Ratio;
    CH01_2: Ratio;
    CH02_1: Ratio;
    CH02_2: Ratio;
    CH02_1_withExtensions: Ratio;
    CH02_2_withExtensions: Ratio;
  };
  counts: {
    stage1Received: number;
    stage2Received: number;
    stage1Responded: number;
    stage2Responded: number;
    notAccepted: number;
    serviceRequests: number;
    withdrawn: number;
    byChannel: Record<string, number>;
    /** Stage 1 complaints received, by the category recorded on the case (`notCategorised`: none yet). */
    byCategory: Record<string, number>;
    byOutcome: PerStage<Outcomes>;
  };
  /** Percentages 0-100. */
  escalated: Ratio;
  upheld: PerStage<Ratio>;
  upheldOrPartlyUpheld: PerStage<Ratio>;
  workingDays: PerStage<{ toAcknowledge: Distribution; toRespond: Distribution }>;
  acknowledgedWithin5WorkingDays: PerStage<Ratio>;
  breaches: { total: number; byStep: Record<string, number> };
  extensions: PerStage<{ total: number; byReason: Record<string, number> }>;
  notAcceptedByReason: Record<string, number>;
  remedies: {
    offered: { responses: number; financial: number; nonFinancial: number; compensationPounds: number };
    /** Remedies carried out in the period (`remedy-paid`): compensation paid (`financial`) or another remedy done. */
    paid: { payments: number; financial: number; nonFinancial: number; compensationPounds: number };
  };
  actions: { promised: number; dueInPeriod: number; completedOnTime: number; overdue: number };
  ombudsman: { referrals: number; outcomes: Record<OmbudsmanOutcome, number> };
  satisfaction: {
    /** Of the answers recorded in the period, the percentage very or fairly satisfied. */
    satisfied: Ratio;
    byAnswer: Record<SatisfactionAnswer, number>;
    residentSatisfiedAtClosure: number;
  };
  /** Stage 2 requests refused in the period, by reason. */
  escalationRefusals: { total: number; byReason: Record<string, number> };
}

/** The cases behind one figure: for a ratio, its denominator's cases and, of those, its numerator's. */
export interface Explanation {
  figure: string;
  cases: string[];
  numerator?: string[];
}

export interface ComputedReport {
  figures: ReportFigures;
  /** The figures that can be explained (dotted paths of the JSON, such as CH02_1 or counts.byChannel.web). */
  explainable(): string[];
  explain(figure: string): Explanation | undefined;
}

/** The category count of complaints no category was recorded on. */
export const NOT_CATEGORISED = 'notCategorised';

/** The Code's acknowledgement timescale at both stages (Code 6.2, 6.11). */
const ACKNOWLEDGE_WITHIN = 5;
/** The Code's response timescales in working days from the acknowledgement (England: 6.3 at stage 1, 6.14 at stage 2). */
const CODE_RESPOND_WITHIN = { 1: 10, 2: 20 } as const;
const MAX_PERIOD_DAYS = 731;

/** Checks a period: real dates, from <= to, and at most two years. */
export function checkPeriod(period: { from?: string; to?: string }): ReportPeriod {
  const { from, to } = period;
  if (!from || !isCivilDate(from))
    throw new InvalidQueryError(`"from" must be a date YYYY-MM-DD, got "${from ?? ''}"`);
  if (!to || !isCivilDate(to))
    throw new InvalidQueryError(`"to" must be a date YYYY-MM-DD, got "${to ?? ''}"`);
  if (from > to) throw new InvalidQueryError(`"from" (${from}) must be on or before "to" (${to})`);
  if (addCalendarDays(from, MAX_PERIOD_DAYS - 1) < to) {
    throw new InvalidQueryError(
      `The period ${from} to ${to} is longer than two years (${MAX_PERIOD_DAYS} days); ask for a shorter one`,
    );
  }
  return { from, to };
}

/** The financial year (1 April to 31 March) that a London date falls in. */
export function financialYear(date: CivilDate): ReportPeriod {
  const year = Number(date.slice(0, 4));
  const start = date.slice(5) >= '04-01' ? year : year - 1;
  return { from: `${start}-04-01`, to: `${start + 1}-03-31` };
}

/** The London months (YYYY-MM) a period touches. */
export function periodMonths(period: ReportPeriod): string[] {
  const months: string[] = [];
  let [year, month] = period.from.split('-').map(Number) as [number, number];
  const last = period.to.slice(0, 7);
  for (;;) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    if (key > last) return months;
    months.push(key);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
}

function ratio(numerator: number, denominator: number, scale: number): Ratio {
  return { value: denominator === 0 ? null : (numerator / denominator) * scale, numerator, denominator };
}

/** Median (the mean of the middle two for an even count) and 90th percentile (nearest rank), of a histogram. */
function distribution(histogram: Record<string, number>): Distribution {
  const values = Object.entries(histogram)
    .map(([days, n]) => [Number(days), n] as const)
    .sort(([a], [b]) => a - b);
  const n = values.reduce((sum, [, count]) => sum + count, 0);
  if (n === 0) return { count: 0, median: null, p90: null };
  // The value at a 1-based rank of the sorted values.
  const at = (rank: number): number => {
    let seen = 0;
    for (const [days, count] of values) {
      seen += count;
      if (seen >= rank) return days;
    }
    throw new Error(`rank ${rank} beyond ${n} values`);
  };
  const middle = Math.floor(n / 2);
  const median = n % 2 === 1 ? at(middle + 1) : (at(middle) + at(middle + 1)) / 2;
  return { count: n, median, p90: at(Math.ceil(0.9 * n)) };
}

const DECISION_KEYS: Record<Decision, keyof Outcomes> = {
  upheld: 'upheld',
  'partly-upheld': 'partlyUpheld',
  'not-upheld': 'notUpheld',
};

/**
 * What the figures are computed from, without the cases' references: counts by figure (a ratio's numerator under
 * `<figure>:numerator`), working days as histograms, compensation in pence. A period's tally is the sum of its
 * months' tallies (mergeTallies), so the annual report can add up twelve cached months instead of reading every
 * case: every count is dated by one instant or date, and the one figure that looks past its own month (escalated:
 * a stage 2 started by the period's end) keeps the dates the stage 2s started.
 */
export interface Tally {
  version: typeof TALLY_VERSION;
  counts: Record<string, number>;
  /** Working days (as text) to count of acknowledgements or responses, by `<stage>.<toAcknowledge|toRespond>`. */
  days: Record<string, Record<string, number>>;
  compensationPence: number;
  /** Compensation paid in the period (`remedy-paid`), in pence. */
  paidPence: number;
  /** Stage 1 responses in the period that went to stage 2, by the London date stage 2 started. */
  escalatedOn: Record<CivilDate, number>;
  /** Themes and root causes of the responses in the period by London month of the response, and those without. */
  themes: Record<string, Record<string, number>>;
  rootCauses: Record<string, Record<string, number>>;
  withoutLearning: number;
}

/** Bumped whenever a tally's meaning changes, so cached tallies of an older meaning are rebuilt. */
export const TALLY_VERSION = 6;

/**
 * What a cached tally must have been built with to be reused: this tally version and the same profile (its
 * calendar, homes and extension caps all change the figures).
 */
export function tallyKey(profile: ProviderProfile): string {
  return `${TALLY_VERSION}:${profileFingerprint(profile)}`;
}

export function emptyTally(): Tally {
  return {
    version: TALLY_VERSION,
    counts: {},
    days: {},
    compensationPence: 0,
    paidPence: 0,
    escalatedOn: {},
    themes: {},
    rootCauses: {},
    withoutLearning: 0,
  };
}

/** The record under a key, made empty the first time. */
function bucket(records: Record<string, Record<string, number>>, key: string): Record<string, number> {
  const found = records[key];
  if (found) return found;
  const made: Record<string, number> = {};
  records[key] = made;
  return made;
}

function addInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const [key, value] of Object.entries(source)) target[key] = (target[key] ?? 0) + value;
}

/** The tally of a period made of the periods of these tallies (which must not overlap). */
export function mergeTallies(tallies: Iterable<Tally>): Tally {
  const total = emptyTally();
  for (const tally of tallies) {
    addInto(total.counts, tally.counts);
    for (const [key, histogram] of Object.entries(tally.days)) addInto(bucket(total.days, key), histogram);
    total.compensationPence += tally.compensationPence;
    total.paidPence += tally.paidPence;
    addInto(total.escalatedOn, tally.escalatedOn);
    for (const [theme, byMonth] of Object.entries(tally.themes))
      addInto(bucket(total.themes, theme), byMonth);
    for (const [cause, byMonth] of Object.entries(tally.rootCauses))
      addInto(bucket(total.rootCauses, cause), byMonth);
    total.withoutLearning += tally.withoutLearning;
  }
  return total;
}

/** Whether a period is whole London months (the periods cached month tallies can answer). */
export function wholeMonths(period: ReportPeriod): boolean {
  return period.from.endsWith('-01') && addCalendarDays(period.to, 1).endsWith('-01');
}

/** The first and last London dates of a month YYYY-MM. */
export function monthPeriod(month: string): ReportPeriod {
  const last = addCalendarDays(`${nextMonth(month)}-01`, -1);
  return { from: `${month}-01`, to: last };
}

function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * Tallies the facts for a period; with `trace`, also lists the references behind each count (for explain).
 * Facts may be newer than the period: every count is dated, so later events never count.
 */
export function tallyFacts(
  profile: ProviderProfile,
  period: ReportPeriod,
  cases: Iterable<CaseFacts>,
  trace?: Map<string, string[]>,
): Tally {
  const calendar = createWorkingCalendar(profile.calendar.region, {
    closureDays: profile.calendar.closureDays,
    extraBankHolidays: profile.calendar.extraBankHolidays,
  });
  const start = Date.parse(londonWallClockToInstant(period.from, 0, 0));
  const end = Date.parse(londonWallClockToInstant(addCalendarDays(period.to, 1), 0, 0));
  const inPeriod = (instant: Instant | undefined): boolean => {
    if (!instant) return false;
    const ms = Date.parse(instant);
    return ms >= start && ms < end;
  };
  const londonDate = cachedLondonDate();
  const addWorkingDays = cachedAddWorkingDays(calendar);
  const workingDaysBetween = cached((from: CivilDate, to: CivilDate) =>
    calendar.workingDaysBetween(from, to),
  );

  const tally = emptyTally();
  const traced = (figure: string, reference: string) => {
    if (!trace) return;
    const list = trace.get(figure);
    if (list) list.push(reference);
    else trace.set(figure, [reference]);
  };
  const note = (figure: string, reference: string) => {
    tally.counts[figure] = (tally.counts[figure] ?? 0) + 1;
    traced(figure, reference);
  };
  const measure = (key: string, days: number) => {
    const histogram = bucket(tally.days, key);
    histogram[days] = (histogram[days] ?? 0) + 1;
  };

  for (const facts of cases) {
    const ref = facts.reference;
    const outcome = facts.triage?.outcome;
    const receivedInPeriod = inPeriod(facts.receivedAt);
    if (receivedInPeriod && outcome === 'complaint') {
      note('counts.stage1Received', ref);
      note(`counts.byChannel.${facts.channel}`, ref);
      note(`counts.byCategory.${facts.category ?? NOT_CATEGORISED}`, ref);
    }
    if (receivedInPeriod && outcome === 'service-request') note('counts.serviceRequests', ref);
    if (receivedInPeriod && outcome === 'not-accepted') {
      note('counts.notAccepted', ref);
      note(`notAcceptedByReason.${facts.triage?.exclusionCode ?? 'unknown'}`, ref);
    }
    if (inPeriod(facts.withdrawnAt)) note('counts.withdrawn', ref);
    if (facts.stage2 && inPeriod(facts.stage2.startedAt)) note('counts.stage2Received', ref);
    for (const [name, stage] of [
      ['stage1', facts.stage1],
      ['stage2', facts.stage2],
    ] as const) {
      if (!stage) continue;
      const n = name === 'stage1' ? 1 : 2;
      if (stage.acknowledgementStart && inPeriod(stage.acknowledgedAt)) {
        const days = workingDaysBetween(
          stage.acknowledgementStart,
          londonDate(stage.acknowledgedAt as Instant),
        );
        measure(`${name}.toAcknowledge`, days);
        note(`workingDays.${name}.toAcknowledge`, ref);
        note(`acknowledgedWithin5WorkingDays.${name}`, ref);
        if (days <= ACKNOWLEDGE_WITHIN) note(`acknowledgedWithin5WorkingDays.${name}:numerator`, ref);
      }
      for (const extension of stage.extensions) {
        if (!inPeriod(extension.at)) continue;
        note(`extensions.${name}.total`, ref);
        note(`extensions.${name}.byReason.${extension.reason}`, ref);
      }
      if (inPeriod(stage.respondedAt)) respondedFacts(name, n, stage, facts);
    }
    if (facts.stage1.respondedAt && inPeriod(facts.stage1.respondedAt)) {
      note('escalated', ref);
      if (facts.stage2) {
        const on = londonDate(facts.stage2.startedAt);
        tally.escalatedOn[on] = (tally.escalatedOn[on] ?? 0) + 1;
        if (on <= period.to) traced('escalated:numerator', ref);
      }
    }
    for (const breach of facts.breaches) {
      if (!inPeriod(breach.dueAt)) continue;
      note('breaches.total', ref);
      note(`breaches.byStep.${breach.step satisfies Step}`, ref);
    }
    for (const action of facts.actions) {
      const key = `${ref}#${action.actionId}`;
      if (inPeriod(action.addedAt)) note('actions.promised', key);
      if (action.dueDate < period.from || action.dueDate > period.to) continue;
      note('actions.dueInPeriod', key);
      const completedOn = action.completedAt ? londonDate(action.completedAt) : undefined;
      if (completedOn !== undefined && completedOn <= action.dueDate) note('actions.completedOnTime', key);
      else note('actions.overdue', key);
    }
    for (const referral of facts.ombudsmanReferrals) {
      if (inPeriod(referral)) note('ombudsman.referrals', ref);
    }
    for (const { at, outcome } of facts.ombudsmanOutcomes ?? []) {
      if (inPeriod(at)) note(`ombudsman.outcomes.${outcome}`, ref);
    }
    for (const { at, answer } of facts.satisfactionAnswers ?? []) {
      if (!inPeriod(at)) continue;
      note('satisfaction.satisfied', ref);
      note(`satisfaction.byAnswer.${answer}`, ref);
      if (answer === 'very-satisfied' || answer === 'fairly-satisfied')
        note('satisfaction.satisfied:numerator', ref);
    }
    for (const refusal of facts.escalationRefusals ?? []) {
      if (!inPeriod(refusal.at)) continue;
      note('escalationRefusals.total', ref);
      note(`escalationRefusals.byReason.${refusal.reason}`, ref);
    }
    for (const paid of facts.remediesPaid ?? []) {
      if (!inPeriod(paid.at)) continue;
      note('remedies.paid.payments', ref);
      const pounds = paid.compensationPounds ?? 0;
      if (pounds > 0) {
        note('remedies.paid.financial', ref);
        tally.paidPence += Math.round(pounds * 100);
      } else note('remedies.paid.nonFinancial', ref);
    }
    if (facts.residentSatisfied && inPeriod(facts.closedAt))
      note('satisfaction.residentSatisfiedAtClosure', ref);
  }

  /**
   * The timescale a response is measured against. In England it is the Code's, whatever the landlord's own policy:
   * TSM CH02 counts responses "within the Complaint Handling Code timescales", 10 working days from the
   * acknowledgement at stage 1 and 20 at stage 2 (6.3, 6.14), so a profile that starts its clock at receipt keeps
   * its stricter dates for its staff but does not count a response in time by the Code as late. Elsewhere the
   * profile's own timescale (its ombudsman's code).
   */
  function responseClock(n: 1 | 2, stage: StageFacts): { start: CivilDate; workingDays: number } | undefined {
    if (profile.jurisdiction === 'england' && stage.acknowledgedAt)
      return {
        start: deadline(calendar, stage.acknowledgedAt, 0).startDate,
        workingDays: CODE_RESPOND_WITHIN[n],
      };
    if (stage.responseStart === undefined || stage.responseWorkingDays === undefined) return undefined;
    return { start: stage.responseStart, workingDays: stage.responseWorkingDays };
  }

  function respondedFacts(name: StageNames, n: 1 | 2, stage: StageFacts, facts: CaseFacts): void {
    const ref = facts.reference;
    const respondedOn = londonDate(stage.respondedAt as Instant);
    note(`counts.${name}Responded`, ref);
    const tsm = `CH02_${n}`;
    note(tsm, ref);
    note(`${tsm}_withExtensions`, ref);
    const clock = responseClock(n, stage);
    if (clock) {
      const due = addWorkingDays(clock.start, clock.workingDays);
      if (respondedOn <= due) note(`${tsm}:numerator`, ref);
      const granted = stage.extensions
        .filter((extension) => Date.parse(extension.at) <= Date.parse(stage.respondedAt as Instant))
        .reduce((sum, extension) => sum + extension.workingDays, 0);
      const cap =
        baselineExtensionCap(profile.jurisdiction, n) ?? profile.stages[n - 1]?.extension.maxWorkingDays;
      const allowed = cap === null || cap === undefined ? granted : Math.min(granted, cap);
      if (respondedOn <= addWorkingDays(due, allowed)) note(`${tsm}_withExtensions:numerator`, ref);
      measure(`${name}.toRespond`, workingDaysBetween(clock.start, respondedOn));
      note(`workingDays.${name}.toRespond`, ref);
    }
    if (stage.decision) {
      note(`counts.byOutcome.${name}.${DECISION_KEYS[stage.decision]}`, ref);
      note(`upheld.${name}`, ref);
      note(`upheldOrPartlyUpheld.${name}`, ref);
      if (stage.decision === 'upheld') note(`upheld.${name}:numerator`, ref);
      if (stage.decision !== 'not-upheld') note(`upheldOrPartlyUpheld.${name}:numerator`, ref);
    }
    if (stage.remedy && stage.remedy !== 'none') {
      note('remedies.offered.responses', ref);
      const pounds = stage.remedy.compensationPounds ?? 0;
      if (pounds > 0) {
        note('remedies.offered.financial', ref);
        // In pence, so that months add up to the year exactly.
        tally.compensationPence += Math.round(pounds * 100);
      } else note('remedies.offered.nonFinancial', ref);
    }
    if (stage.learning) {
      const month = respondedOn.slice(0, 7);
      for (const byMonth of [
        bucket(tally.themes, stage.learning.theme),
        bucket(tally.rootCauses, stage.learning.rootCause),
      ])
        byMonth[month] = (byMonth[month] ?? 0) + 1;
    } else tally.withoutLearning++;
  }

  return tally;
}

/** Every figure of a period from its tally (docs/reporting.md gives each definition and its source). */
export function figuresFromTally(
  profile: ProviderProfile,
  period: ReportPeriod,
  tally: Tally,
): ReportFigures {
  const count = (figure: string) => tally.counts[figure] ?? 0;
  const percent = (figure: string) => ratio(count(`${figure}:numerator`), count(figure), 100);
  const prefixed = (prefix: string) => {
    const result: Record<string, number> = {};
    for (const [key, value] of Object.entries(tally.counts).sort(([a], [b]) => a.localeCompare(b))) {
      if (key.startsWith(prefix)) result[key.slice(prefix.length)] = value;
    }
    return result;
  };
  const outcomes = (name: StageNames): Outcomes =>
    Object.fromEntries(
      DECISIONS.map((decision) => [
        DECISION_KEYS[decision],
        count(`counts.byOutcome.${name}.${DECISION_KEYS[decision]}`),
      ]),
    ) as Outcomes;
  const stageFigures = <T>(make: (name: StageNames) => T): PerStage<T> => ({
    stage1: make('stage1'),
    stage2: make('stage2'),
  });
  const byChannel = Object.fromEntries(
    CHANNELS.map((channel) => [channel, count(`counts.byChannel.${channel}`)]),
  );
  // Every category of the profile, then any no longer on it that cases were recorded with, then the rest.
  const byCategory = Object.fromEntries(
    [
      ...new Set([
        ...profile.learning.themes,
        ...Object.keys(prefixed('counts.byCategory.')),
        NOT_CATEGORISED,
      ]),
    ].map((category) => [category, count(`counts.byCategory.${category}`)]),
  );
  const escalatedByEnd = Object.entries(tally.escalatedOn)
    .filter(([date]) => date <= period.to)
    .reduce((sum, [, n]) => sum + n, 0);

  return {
    version: 1,
    provider: { id: profile.id, name: profile.name },
    period,
    homes: profile.homes,
    tsm: {
      CH01_1: ratio(count('counts.stage1Received'), profile.homes, 1000),
      CH01_2: ratio(count('counts.stage2Received'), profile.homes, 1000),
      CH02_1: percent('CH02_1'),
      CH02_2: percent('CH02_2'),
      CH02_1_withExtensions: percent('CH02_1_withExtensions'),
      CH02_2_withExtensions: percent('CH02_2_withExtensions'),
    },
    counts: {
      stage1Received: count('counts.stage1Received'),
      stage2Received: count('counts.stage2Received'),
      stage1Responded: count('counts.stage1Responded'),
      stage2Responded: count('counts.stage2Responded'),
      notAccepted: count('counts.notAccepted'),
      serviceRequests: count('counts.serviceRequests'),
      withdrawn: count('counts.withdrawn'),
      byChannel,
      byCategory,
      byOutcome: stageFigures(outcomes),
    },
    escalated: ratio(escalatedByEnd, count('escalated'), 100),
    upheld: stageFigures((name) => percent(`upheld.${name}`)),
    upheldOrPartlyUpheld: stageFigures((name) => percent(`upheldOrPartlyUpheld.${name}`)),
    workingDays: stageFigures((name) => ({
      toAcknowledge: distribution(tally.days[`${name}.toAcknowledge`] ?? {}),
      toRespond: distribution(tally.days[`${name}.toRespond`] ?? {}),
    })),
    acknowledgedWithin5WorkingDays: stageFigures((name) => percent(`acknowledgedWithin5WorkingDays.${name}`)),
    breaches: { total: count('breaches.total'), byStep: prefixed('breaches.byStep.') },
    extensions: stageFigures((name) => ({
      total: count(`extensions.${name}.total`),
      byReason: prefixed(`extensions.${name}.byReason.`),
    })),
    notAcceptedByReason: prefixed('notAcceptedByReason.'),
    remedies: {
      offered: {
        responses: count('remedies.offered.responses'),
        financial: count('remedies.offered.financial'),
        nonFinancial: count('remedies.offered.nonFinancial'),
        compensationPounds: tally.compensationPence / 100,
      },
      paid: {
        payments: count('remedies.paid.payments'),
        financial: count('remedies.paid.financial'),
        nonFinancial: count('remedies.paid.nonFinancial'),
        compensationPounds: tally.paidPence / 100,
      },
    },
    actions: {
      promised: count('actions.promised'),
      dueInPeriod: count('actions.dueInPeriod'),
      completedOnTime: count('actions.completedOnTime'),
      overdue: count('actions.overdue'),
    },
    ombudsman: {
      referrals: count('ombudsman.referrals'),
      outcomes: Object.fromEntries(
        OMBUDSMAN_OUTCOMES.map((outcome) => [outcome, count(`ombudsman.outcomes.${outcome}`)]),
      ) as Record<OmbudsmanOutcome, number>,
    },
    satisfaction: {
      satisfied: percent('satisfaction.satisfied'),
      byAnswer: Object.fromEntries(
        SATISFACTION_ANSWERS.map((answer) => [answer, count(`satisfaction.byAnswer.${answer}`)]),
      ) as Record<SatisfactionAnswer, number>,
      residentSatisfiedAtClosure: count('satisfaction.residentSatisfiedAtClosure'),
    },
    escalationRefusals: {
      total: count('escalationRefusals.total'),
      byReason: prefixed('escalationRefusals.byReason.'),
    },
  };
}

/**
 * Every figure for a period from the cases' facts, with the cases behind each (docs/reporting.md gives each
 * definition and its source).
 */
export function reportFigures(
  profile: ProviderProfile,
  period: ReportPeriod,
  cases: Iterable<CaseFacts>,
): ComputedReport {
  const trace = new Map<string, string[]>();
  const figures = figuresFromTally(profile, period, tallyFacts(profile, period, cases, trace));
  // The TSM figures are their counts' cases: CH01 is counted from the same cases as the received counts.
  const alias: Record<string, string> = {
    CH01_1: 'counts.stage1Received',
    CH01_2: 'counts.stage2Received',
  };
  return {
    figures,
    explainable: () =>
      reportRows(figures)
        .filter((row) => !METADATA.has(row.figure) && row.notRecorded === undefined)
        .map((row) => row.figure.replace(/\.(median|p90|count)$/, ''))
        .filter((figure, index, all) => all.indexOf(figure) === index),
    explain(figure) {
      const counted = alias[figure];
      // CH01's denominator is the homes, not cases: its cases are those of its numerator.
      if (counted) return { figure, cases: trace.get(counted) ?? [] };
      const cases = trace.get(figure);
      const numerator = trace.get(`${figure}:numerator`);
      if (!cases && !numerator) return knownFigure(figures, figure) ? { figure, cases: [] } : undefined;
      return {
        figure,
        cases: cases ?? [],
        ...(numerator || isRatioKey(figures, figure) ? { numerator: numerator ?? [] } : {}),
      };
    },
  };
}

function lookup(figures: ReportFigures, path: string): unknown {
  const direct = (figures.tsm as Record<string, unknown>)[path];
  if (direct !== undefined) return direct;
  let node: unknown = figures;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function knownFigure(figures: ReportFigures, path: string): boolean {
  const node = lookup(figures, path);
  return typeof node === 'number' || isRatioKey(figures, path);
}

function isRatioKey(figures: ReportFigures, path: string): boolean {
  const node = lookup(figures, path);
  return node !== null && typeof node === 'object' && 'numerator' in node && 'denominator' in node;
}

/** London dates of instants, cached by the UTC hour (London's offset only changes on the hour). */
function cachedLondonDate(): (instant: Instant) => CivilDate {
  const cache = new Map<string, CivilDate>();
  return (instant) => {
    const iso = new Date(Date.parse(instant)).toISOString();
    const hour = iso.slice(0, 13);
    let date = cache.get(hour);
    if (date === undefined) {
      date = toLondon(iso).date;
      cache.set(hour, date);
    }
    return date;
  };
}

function cachedAddWorkingDays(calendar: WorkingCalendar): (date: CivilDate, days: number) => CivilDate {
  return cached((date: CivilDate, days: number) => calendar.addWorkingDays(date, days).date);
}

/** A calendar function of two arguments, remembered: a year's cases share a few thousand distinct dates. */
function cached<A extends string | number, B extends string | number, R>(
  compute: (a: A, b: B) => R,
): (a: A, b: B) => R {
  const cache = new Map<string, R>();
  return (a, b) => {
    const key = `${a}|${b}`;
    let result = cache.get(key);
    if (result === undefined) {
      result = compute(a, b);
      cache.set(key, result);
    }
    return result;
  };
}
