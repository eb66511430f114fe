import { createHash } from 'node:crypto';
import type { ProviderProfile } from '../../policy/profile.ts';
import { toLondon } from '../../time/london.ts';
import { ValidationError } from '../errors.ts';
import type { CaseFacts } from './facts.ts';
import {
  figuresFromTally,
  mergeTallies,
  periodMonths,
  type Ratio,
  type ReportFigures,
  type ReportPeriod,
  type Tally,
} from './figures.ts';

/** The annual complaints performance and service improvement report (Code 8.1-8.2), as data. */

/**
 * Every provision of the Complaint Handling Code 2024 as reference/code-2024.md lists it (grouped where the Code's
 * text was not retrieved), in the words of a self-assessment row.
 */
export const CODE_PROVISIONS: ReadonlyArray<{ id: string; requirement: string }> = [
  { id: '1.1', requirement: 'Definitions (not retrieved; self-assessment forms start at 1.2)' },
  { id: '1.2', requirement: "A complaint is defined in the Code's terms: any expression of dissatisfaction" },
  {
    id: '1.3',
    requirement: 'Residents need not say "complaint"; they are offered the choice; representatives alike',
  },
  {
    id: '1.4',
    requirement: 'Service requests are told apart from complaints, and recorded, monitored and reviewed',
  },
  { id: '1.5', requirement: 'A complaint about a service request is raised while the request continues' },
  { id: '1.6', requirement: 'Survey dissatisfaction is not a complaint; residents are told how to complain' },
  { id: '2.1', requirement: 'Complaints are accepted unless there is a valid, evidenced reason not to' },
  { id: '2.2', requirement: 'The policy lists fairly when a matter will not be treated as a complaint' },
  { id: '2.3', requirement: 'Complaints within 12 months are accepted; discretion for older ones' },
  { id: '2.4', requirement: 'A resident refused is told why, and that they can go to the Ombudsman' },
  { id: '2.5', requirement: 'No blanket exclusions: each complaint on its own circumstances' },
  { id: '3.1', requirement: 'Complaining is easy, through several channels; Equality Act duties considered' },
  { id: '3.2', requirement: 'Residents can complain to any member of staff, who passes it on' },
  { id: '3.3', requirement: 'A high number of complaints is not treated as a bad sign' },
  {
    id: '3.4-3.7',
    requirement: 'The policy is accessible and published; residents know the Ombudsman route',
  },
  { id: '4.1', requirement: 'A complaints officer owns complaint handling, Ombudsman liaison and reporting' },
  { id: '4.2', requirement: 'The complaints officer reaches every level and can settle disputes' },
  { id: '4.3', requirement: 'Complaint handling is prioritised, resourced, and staff are trained' },
  { id: '5.1', requirement: 'One policy for all complaints; complainants not treated differently' },
  { id: '5.2', requirement: 'No extra named stages (stage 0, informal complaint)' },
  { id: '5.3', requirement: 'No more than two stages' },
  { id: '5.4', requirement: 'Third parties handle complaints inside the two stages' },
  { id: '5.5', requirement: 'The landlord makes sure third parties follow the Code' },
  { id: '5.6', requirement: 'The complaint and the outcomes sought are set out at each stage' },
  { id: '5.7-5.15', requirement: 'Impartial handling, updates, adjustments, records, remedies at any stage' },
  { id: '6.1', requirement: 'Complaints are triaged by complexity and vulnerability' },
  { id: '6.2', requirement: 'Stage 1 acknowledged, defined and logged within 5 working days of receipt' },
  { id: '6.3', requirement: 'Stage 1 response within 10 working days of acknowledgement' },
  { id: '6.4', requirement: 'Stage 1 extensions at most 10 working days without good reason, explained' },
  { id: '6.5', requirement: "Extension notices give the Ombudsman's contact details" },
  { id: '6.6', requirement: 'Respond when the answer is known; outstanding actions tracked and done' },
  { id: '6.7', requirement: 'Every point answered, with reasons' },
  { id: '6.8', requirement: 'Related new issues added before the stage 1 response; others a new complaint' },
  {
    id: '6.9',
    requirement: 'The stage 1 outcome states stage, definition, decision, reasons, remedy, actions, route',
  },
  { id: '6.10', requirement: 'Anything unresolved at stage 1 can go to stage 2, the final response' },
  { id: '6.11', requirement: 'Stage 2 acknowledged within 5 working days of the request' },
  { id: '6.12', requirement: 'No reasons required to escalate' },
  { id: '6.13', requirement: 'The stage 2 handler is not the stage 1 handler' },
  { id: '6.14', requirement: 'Stage 2 response within 20 working days of acknowledgement' },
  { id: '6.15', requirement: 'Stage 2 extensions at most 20 working days without good reason, explained' },
  { id: '6.16', requirement: "Stage 2 extension notices give the Ombudsman's contact details" },
  {
    id: '6.17-6.20',
    requirement: 'The stage 2 outcome in full, with the Ombudsman route; it is the final response',
  },
  { id: '7.1', requirement: 'Where something went wrong, say so and put it right' },
  { id: '7.2', requirement: 'Remedies reflect the impact on the resident' },
  { id: '7.3', requirement: 'Remedies say what will happen and when, and are carried through' },
  { id: '7.4', requirement: 'Ombudsman guidance on remedies is taken into account' },
  { id: '8.1', requirement: 'An annual complaints performance and service improvement report' },
  { id: '8.2', requirement: 'The report goes to the governing body and is published with its response' },
  { id: '8.3', requirement: 'Re-assessed after significant change' },
  { id: '8.4', requirement: 'Self-assessment reviewed after an Ombudsman investigation (not retrieved)' },
  { id: '8.5', requirement: 'Exceptional circumstances reported to the Ombudsman and residents' },
  { id: 'App. A', requirement: 'The self-assessment is approved by the governing body at least yearly' },
  { id: '9.1', requirement: 'Learning beyond the individual case drives service improvements' },
  { id: '9.2', requirement: 'Complaints are used as intelligence to improve services' },
  { id: '9.3', requirement: 'Learning and improvements reported to residents, staff and committees' },
  { id: '9.4', requirement: 'A senior lead reviews themes and trends' },
  { id: '9.5', requirement: 'A Member Responsible for Complaints on the governing body' },
  { id: '9.6', requirement: 'The MRC gives the governing body regular insight' },
  { id: '9.7', requirement: 'The governing body receives volumes, categories, outcomes and performance' },
  { id: '9.8', requirement: 'A complaint-handling objective for relevant staff' },
];

/** One row of the self-assessment: what the data shows, and the complaints officer's answer. */
export interface SelfAssessmentRow {
  id: string;
  requirement: string;
  /** Evidence computed from the cases, where the data can show it. */
  dataEvidence?: string;
  complies?: 'yes' | 'no';
  evidence: string;
  commentary: string;
}

export interface ThemeCount {
  theme: string;
  total: number;
  /** By London month (YYYY-MM) of the response. */
  byMonth: Record<string, number>;
}

export interface AnnualReportContent {
  version: 1;
  provider: { id: string; name: string };
  year: string;
  period: ReportPeriod;
  figures: ReportFigures;
  /** Stage 1 and stage 2 complaints received each month. */
  monthly: Array<{ month: string; stage1: number; stage2: number }>;
  themes: ThemeCount[];
  rootCauses: Array<{ rootCause: string; total: number; byMonth: Record<string, number> }>;
  /** Responses issued in the period with no theme recorded. */
  withoutLearning: number;
  refused: Array<{ code: string; description: string; count: number }>;
  improvements: Array<{
    improvementId: string;
    whatChanged: string;
    caseReferences: string[];
    owner: string;
    dueDate: string;
    doneDate?: string;
  }>;
  selfAssessment: SelfAssessmentRow[];
  governingBodyResponse: string;
}

/** The financial year beginning 1 April of a year given as YYYY (2026: 1 April 2026 to 31 March 2027). */
export function reportYear(year: string): { year: string; period: ReportPeriod; label: string } {
  if (!/^20\d\d$/.test(year)) {
    throw new ValidationError(
      `The year must be the year the financial year starts, such as 2026; got "${year}"`,
    );
  }
  const start = Number(year);
  return {
    year,
    period: { from: `${start}-04-01`, to: `${start + 1}-03-31` },
    label: `${start}-${String(start + 1).slice(2)}`,
  };
}

function percent(ratio: Ratio): string {
  return ratio.value === null ? 'no cases' : `${(Math.round(ratio.value * 10) / 10).toFixed(1)}%`;
}

/** Counts by month, most frequent first (then by name). */
function overTime(counts: Record<string, Record<string, number>>) {
  return Object.entries(counts)
    .map(([name, byMonth]) => ({
      name,
      total: Object.values(byMonth).reduce((sum, n) => sum + n, 0),
      byMonth,
    }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
}

/** Themes and root causes by month, from a tally of the responses issued in a period. */
export function learningFigures(tally: Tally) {
  return {
    themes: overTime(tally.themes).map(({ name, total, byMonth }) => ({ theme: name, total, byMonth })),
    rootCauses: overTime(tally.rootCauses).map(({ name, total, byMonth }) => ({
      rootCause: name,
      total,
      byMonth,
    })),
    withoutLearning: tally.withoutLearning,
  };
}

/** A response issued in a period with its learning: a row of the themes report's drill-down. */
export interface LearningCase {
  caseId: string;
  reference: string;
  stage: 1 | 2;
  respondedOn: string;
  theme?: string;
  rootCause?: string;
}

/**
 * The responses issued in a period (London dates) with a theme or root cause, newest first: the cases behind a
 * count of the themes report. With neither filter, the responses recorded without learning.
 */
export function learningCases(
  period: ReportPeriod,
  facts: Iterable<CaseFacts>,
  filter: { theme?: string; rootCause?: string },
): LearningCase[] {
  const found: LearningCase[] = [];
  for (const fact of facts) {
    for (const [stage, record] of [
      [1, fact.stage1],
      [2, fact.stage2],
    ] as const) {
      if (!record?.respondedAt) continue;
      const respondedOn = toLondon(record.respondedAt).date;
      if (respondedOn < period.from || respondedOn > period.to) continue;
      const learning = record.learning;
      const wanted =
        filter.theme === undefined && filter.rootCause === undefined
          ? learning === undefined
          : learning !== undefined &&
            (filter.theme === undefined || learning.theme === filter.theme) &&
            (filter.rootCause === undefined || learning.rootCause === filter.rootCause);
      if (!wanted) continue;
      found.push({
        caseId: fact.caseId,
        reference: fact.reference,
        stage,
        respondedOn,
        ...(learning ? { theme: learning.theme, rootCause: learning.rootCause } : {}),
      });
    }
  }
  return found.sort(
    (a, b) => b.respondedOn.localeCompare(a.respondedOn) || a.reference.localeCompare(b.reference),
  );
}

/** What the cases show for a provision, in a sentence; undefined where the data cannot show it. */
export function dataEvidence(
  id: string,
  figures: ReportFigures,
  profile: ProviderProfile,
  extra: { improvements: number; withLearning: number },
): string | undefined {
  const { counts, tsm } = figures;
  const ack = figures.acknowledgedWithin5WorkingDays;
  const responded = counts.stage1Responded + counts.stage2Responded;
  switch (id) {
    case '1.4':
      return `${counts.serviceRequests} service requests recorded separately from complaints.`;
    case '2.1':
    case '2.4':
      return `${counts.notAccepted} complaints not accepted, each with an exclusion reason and the Ombudsman route recorded.`;
    case '3.1':
      return `Stage 1 complaints by channel: ${
        Object.entries(counts.byChannel)
          .filter(([, n]) => n > 0)
          .map(([channel, n]) => `${channel} ${n}`)
          .join(', ') || 'none'
      }.`;
    case '3.3':
      return `${tsm.CH01_1.value === null ? 0 : tsm.CH01_1.value.toFixed(1)} stage 1 complaints per 1,000 homes (CH01(1), ${counts.stage1Received} complaints, ${figures.homes} homes).`;
    case '5.2':
    case '5.3':
      return `The policy has ${profile.stages.length} stages and ${profile.informalSteps.length} informal steps.`;
    case '6.2':
      return `${percent(ack.stage1)} of ${ack.stage1.denominator} complaints acknowledged within 5 working days.`;
    case '6.3':
      return `${percent(tsm.CH02_1)} of ${tsm.CH02_1.denominator} stage 1 responses within the timescale (CH02(1)); ${percent(tsm.CH02_1_withExtensions)} counting extensions.`;
    case '6.4':
      return `${figures.extensions.stage1.total} stage 1 extensions, each with a reason and explanation; the policy caps them at ${profile.stages[0]?.extension.maxWorkingDays ?? 'no'} working days.`;
    case '6.6':
    case '7.3':
      return `${figures.actions.completedOnTime} of ${figures.actions.dueInPeriod} outstanding actions due in the year completed on time; ${figures.actions.overdue} overdue.`;
    case '6.11':
      return `${percent(ack.stage2)} of ${ack.stage2.denominator} stage 2 requests acknowledged within 5 working days.`;
    case '6.13':
      return 'The system refuses any stage 2 acknowledgement, extension or response by the stage 1 handler.';
    case '6.14':
      return `${percent(tsm.CH02_2)} of ${tsm.CH02_2.denominator} stage 2 responses within the timescale (CH02(2)); ${percent(tsm.CH02_2_withExtensions)} counting extensions.`;
    case '6.15':
      return `${figures.extensions.stage2.total} stage 2 extensions, each with a reason and explanation; the policy caps them at ${profile.stages[1]?.extension.maxWorkingDays ?? 'no'} working days.`;
    case '7.1':
      return `${figures.remedies.offered.responses} responses offered a remedy (${figures.remedies.offered.financial} with compensation totalling £${figures.remedies.offered.compensationPounds.toFixed(2)}).`;
    case '8.1':
      return 'This report.';
    case '9.1':
    case '9.2':
      return `${extra.withLearning} of ${responded} responses recorded a theme and root cause; ${extra.improvements} improvements in the register.`;
    case '9.7':
      return `Stage 1: ${counts.stage1Received} received, ${counts.stage1Responded} responses; stage 2: ${counts.stage2Received} received, ${counts.stage2Responded} responses.`;
    default:
      return undefined;
  }
}

/**
 * Builds the report's content for a year from its months' tallies (every month of the year, each tallied over its
 * own dates), the register and the officer's draft. The year's figures are the months' tallies added up.
 */
export function annualReportContent(input: {
  profile: ProviderProfile;
  year: string;
  months: ReadonlyMap<string, Tally>;
  improvements: AnnualReportContent['improvements'];
  answers: Record<string, { complies: 'yes' | 'no'; evidence: string; commentary: string }>;
  governingBodyResponse: string;
}): AnnualReportContent {
  const { profile } = input;
  const { period } = reportYear(input.year);
  const tallies = periodMonths(period).map((month) => {
    const tally = input.months.get(month);
    if (!tally) throw new Error(`No tally for ${month} of the ${input.year} report`);
    return [month, tally] as const;
  });
  const year = mergeTallies(tallies.map(([, tally]) => tally));
  const figures = figuresFromTally(profile, period, year);
  const monthly = tallies.map(([month, tally]) => ({
    month,
    stage1: tally.counts['counts.stage1Received'] ?? 0,
    stage2: tally.counts['counts.stage2Received'] ?? 0,
  }));
  const learning = learningFigures(year);
  const withLearning = learning.themes.reduce((sum, theme) => sum + theme.total, 0);
  return {
    version: 1,
    provider: { id: profile.id, name: profile.name },
    year: input.year,
    period,
    figures,
    monthly,
    ...learning,
    refused: Object.entries(figures.notAcceptedByReason).map(([code, count]) => ({
      code,
      description: profile.exclusions.find((exclusion) => exclusion.code === code)?.description ?? code,
      count,
    })),
    improvements: input.improvements,
    selfAssessment: CODE_PROVISIONS.map(({ id, requirement }) => {
      const answer = input.answers[id];
      const evidence = dataEvidence(id, figures, profile, {
        improvements: input.improvements.length,
        withLearning,
      });
      return {
        id,
        requirement,
        ...(evidence ? { dataEvidence: evidence } : {}),
        ...(answer ? { complies: answer.complies } : {}),
        evidence: answer?.evidence ?? '',
        commentary: answer?.commentary ?? '',
      };
    }),
    governingBodyResponse: input.governingBodyResponse,
  };
}

/** What stops a report being approved: every provision assessed, and the governing body's response given. */
export function approvalProblems(content: AnnualReportContent): string[] {
  const unanswered = content.selfAssessment.filter((row) => !row.complies).map((row) => row.id);
  const problems: string[] = [];
  if (unanswered.length > 0) {
    problems.push(
      `Say whether each provision is complied with before approving: ${unanswered.length} not yet assessed (${unanswered.join(', ')})`,
    );
  }
  if (!content.governingBodyResponse.trim()) {
    problems.push("Enter the governing body's response before approving (Code 8.2)");
  }
  return problems;
}

/** The approved content's fingerprint: the SHA-256 of exactly the JSON stored. */
export function contentHash(content: string): string {
  return createHash('sha256').update(content).digest('hex');
}
