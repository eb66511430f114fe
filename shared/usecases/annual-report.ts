import * as z from 'zod/mini';
import type { Actor } from '../domain/case.ts';
import { ConflictError, DomainError, ValidationError } from '../domain/errors.ts';
import {
  type AnnualReportContent,
  annualReportContent,
  approvalProblems,
  CODE_PROVISIONS,
  contentHash,
  type LearningCase,
  learningCases,
  learningFigures,
  reportYear,
} from '../domain/reporting/annual.ts';
import { mergeTallies, monthPeriod, periodMonths } from '../domain/reporting/figures.ts';
import type { AnnualDraft, ApprovedReport, Improvement } from '../ports/reporting-repository.ts';
import { isCivilDate } from '../time/london.ts';
import '../zod-messages.ts';
import { lazy } from '../lazy.ts';
import { nowIso } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import { monthTallies } from './report.ts';

type Staff = Extract<Actor, { kind: 'staff' }>;

/** Reports and the improvements register are for managers and admins (the complaints officer and the lead). */
export function requireManager(actor: Staff, what = 'Reports'): void {
  if (actor.role !== 'manager' && actor.role !== 'admin') {
    throw new DomainError(
      'FORBIDDEN',
      `${what} are for managers and admins; a ${actor.role} cannot see them`,
    );
  }
}

export interface AnnualReportView {
  label: string;
  content: AnnualReportContent;
  draft?: AnnualDraft;
  approved: Omit<ApprovedReport, 'content'>[];
  /** Set when showing an approved version rather than the live draft. */
  showing?: Omit<ApprovedReport, 'content'>;
}

function improvementsOf(list: readonly Improvement[]): AnnualReportContent['improvements'] {
  return list.map(({ improvementId, whatChanged, caseReferences, owner, dueDate, doneDate }) => ({
    improvementId,
    whatChanged,
    caseReferences,
    owner,
    dueDate,
    ...(doneDate ? { doneDate } : {}),
  }));
}

/** The live report: the year's figures from its months' tallies (cached, or read by month: never a Scan), the register, the draft. */
async function liveContent(
  deps: Pick<AppDependencies, 'repository' | 'reporting' | 'context'>,
  year: string,
  draft: AnnualDraft | undefined,
) {
  const { period } = reportYear(year);
  const [{ tallies }, improvements] = await Promise.all([
    monthTallies(deps, periodMonths(period)),
    deps.reporting.listImprovements(),
  ]);
  return annualReportContent({
    profile: deps.context.profile,
    year,
    months: tallies,
    improvements: improvementsOf(improvements),
    answers: draft?.answers ?? {},
    governingBodyResponse: draft?.governingBodyResponse ?? '',
  });
}

/** The year's report: an approved version as it was approved, or the live draft. */
export async function viewAnnualReport(
  deps: Pick<AppDependencies, 'repository' | 'reporting' | 'context'>,
  actor: Staff,
  year: string,
  version?: number,
): Promise<AnnualReportView> {
  requireManager(actor);
  const { label } = reportYear(year);
  const [draft, approvedFull] = await Promise.all([
    deps.reporting.getAnnualDraft(year),
    deps.reporting.listApprovedReports(year),
  ]);
  const approved = approvedFull.map(({ content: _content, ...rest }) => rest);
  if (version !== undefined) {
    const found = approvedFull.find((report) => report.version === version);
    if (!found)
      throw new DomainError('NOT_FOUND', `There is no approved version ${version} of the ${label} report`);
    const { content, ...showing } = found;
    return { label, content: JSON.parse(content) as AnnualReportContent, draft, approved, showing };
  }
  return { label, content: await liveContent(deps, year, draft), draft, approved };
}

const text = (max: number) => z.string().check(z.trim(), z.maxLength(max));
export interface ThemesView {
  label: string;
  period: { from: string; to: string };
  months: string[];
  themes: AnnualReportContent['themes'];
  rootCauses: AnnualReportContent['rootCauses'];
  withoutLearning: number;
}

/** Themes and root causes of a financial year's responses by month (Code 9.4: the lead reviews themes and trends). */
export async function viewThemes(
  deps: Pick<AppDependencies, 'repository' | 'context'>,
  actor: Staff,
  year: string,
): Promise<ThemesView> {
  requireManager(actor);
  const { label, period } = reportYear(year);
  const months = periodMonths(period);
  const { tallies } = await monthTallies(deps, months);
  return { label, period, months, ...learningFigures(mergeTallies(tallies.values())) };
}

/**
 * The responses behind one count of the themes report: a theme or a root cause (neither: those without learning)
 * in some months of a year, read from those months' facts.
 */
export async function themeCases(
  deps: Pick<AppDependencies, 'repository'>,
  actor: Staff,
  months: readonly string[],
  filter: { theme?: string; rootCause?: string },
): Promise<LearningCase[]> {
  requireManager(actor);
  const first = months[0];
  const last = months.at(-1);
  if (!first || !last) throw new ValidationError('Choose the months to list the cases of');
  const facts = await deps.repository.listReportFacts(months);
  return learningCases({ from: monthPeriod(first).from, to: monthPeriod(last).to }, facts, filter);
}

export const DraftInput = lazy(() =>
  z.strictObject({
    /** The draft version the form was read at (0 when there was none): a save over a newer one is refused. */
    version: z.int().check(z.gte(0)),
    answers: z.record(
      z.enum(CODE_PROVISIONS.map((provision) => provision.id) as [string, ...string[]]),
      z.strictObject({ complies: z.enum(['yes', 'no']), evidence: text(5000), commentary: text(5000) }),
    ),
    governingBodyResponse: text(20_000),
  }),
);

/** The complaints officer saves the self-assessment answers and the governing body's response. */
export async function saveAnnualDraft(
  deps: AppDependencies,
  actor: Staff,
  year: string,
  raw: unknown,
): Promise<AnnualDraft> {
  requireManager(actor);
  reportYear(year);
  const input = DraftInput().parse(raw);
  const draft: AnnualDraft = {
    year,
    answers: input.answers,
    governingBodyResponse: input.governingBodyResponse,
    updatedAt: nowIso(deps),
    updatedBy: actor.email ?? actor.id,
    version: input.version + 1,
  };
  await deps.reporting.saveAnnualDraft(draft);
  return draft;
}

/**
 * Approves the year's report as it stands: the content is stored once, as the next version, with who approved it,
 * when and its SHA-256; it is never changed after. Two approvals at once both aim at the same version number:
 * the store keeps one and refuses the other (ConflictError, 409).
 */
export async function approveAnnualReport(
  deps: AppDependencies,
  actor: Staff,
  year: string,
  draftVersion: number,
): Promise<ApprovedReport> {
  requireManager(actor);
  const [draft, approved] = await Promise.all([
    deps.reporting.getAnnualDraft(year),
    deps.reporting.listApprovedReports(year),
  ]);
  if ((draft?.version ?? 0) !== draftVersion) {
    throw new DomainError(
      'CONFLICT',
      'The report was changed since you opened it: reload it, check it, and approve it again',
    );
  }
  const content = await liveContent(deps, year, draft);
  const problems = approvalProblems(content);
  if (problems.length > 0) throw new ValidationError(problems.join('. '));
  const json = JSON.stringify(content);
  const report: ApprovedReport = {
    year,
    version: (approved.at(-1)?.version ?? 0) + 1,
    approvedAt: nowIso(deps),
    approvedBy: actor.email ?? actor.id,
    contentHash: contentHash(json),
    content: json,
  };
  await deps.reporting.putApprovedReport(report);
  return report;
}

export const ImprovementInput = lazy(() =>
  z.strictObject({
    whatChanged: z.string().check(z.trim(), z.minLength(1), z.maxLength(5000)),
    caseReferences: z
      .array(
        z
          .string()
          .check(
            z.trim(),
            z.regex(/^[A-Z]{2,5}-\d{4}-\d{6}$/, 'must be a case reference such as CMP-2026-000123'),
          ),
      )
      .check(z.maxLength(50)),
    owner: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    dueDate: z.string().check(z.refine(isCivilDate, 'must be a date YYYY-MM-DD')),
  }),
);

/** The key a form or client sends with an improvement: the same on every retry of one submission. */
const IMPROVEMENT_KEY = /^[A-Za-z0-9_-]{8,100}$/;

/**
 * A manager records an improvement made because of complaints, linked to the cases it came from. Its id is
 * derived from `key`, so a retry (after an answer that was lost, or the same form sent twice at once) finds
 * the improvement already written and is answered with it, never adding a second one.
 */
export async function addImprovement(
  deps: AppDependencies,
  actor: Staff,
  raw: unknown,
  key: string,
): Promise<Improvement> {
  requireManager(actor);
  if (!IMPROVEMENT_KEY.test(key)) {
    throw new ValidationError(
      'The form has no valid key (8 to 100 letters, digits, - or _): reload the page and add the improvement again',
    );
  }
  const input = ImprovementInput().parse(raw);
  const unknown: string[] = [];
  for (const reference of input.caseReferences) {
    if (!(await deps.repository.findCaseIdByReference(reference))) unknown.push(reference);
  }
  if (unknown.length > 0) {
    throw new ValidationError(`No case has the reference ${unknown.join(', ')}: check the references`);
  }
  const improvement: Improvement = {
    improvementId: `I-${key}`,
    ...input,
    caseReferences: [...new Set(input.caseReferences)],
    addedAt: nowIso(deps),
    addedBy: actor.email ?? actor.id,
    version: 1,
  };
  try {
    await deps.reporting.addImprovement(improvement);
    return improvement;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const stored = (await deps.reporting.listImprovements()).find(
      (i) => i.improvementId === improvement.improvementId,
    );
    if (stored && sameSubmission(stored, improvement)) return stored;
    throw new ConflictError(
      'This form was already used to add a different improvement: check the register below, then add this one again if it is still missing',
    );
  }
}

/** What the manager typed, and who: equal for a retry of one submission (the time it was added is not). */
function sameSubmission(a: Improvement, b: Improvement): boolean {
  return (
    a.whatChanged === b.whatChanged &&
    a.owner === b.owner &&
    a.dueDate === b.dueDate &&
    a.addedBy === b.addedBy &&
    a.caseReferences.join() === b.caseReferences.join()
  );
}

/** Marks an improvement done on a date (a change over the version read). */
export async function completeImprovement(
  deps: AppDependencies,
  actor: Staff,
  improvementId: string,
  doneDate: string,
): Promise<Improvement> {
  requireManager(actor);
  if (!isCivilDate(doneDate)) throw new ValidationError('The date it was done must be a date YYYY-MM-DD');
  const current = (await deps.reporting.listImprovements()).find((i) => i.improvementId === improvementId);
  if (!current) throw new DomainError('NOT_FOUND', `There is no improvement ${improvementId}`);
  const next = { ...current, doneDate, version: current.version + 1 };
  await deps.reporting.updateImprovement(next);
  return next;
}
