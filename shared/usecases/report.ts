import type { StaffRole } from '../domain/case.ts';
import { DomainError, InvalidQueryError, NotFoundError } from '../domain/errors.ts';
import {
  type ComputedReport,
  checkPeriod,
  type Explanation,
  financialYear,
  periodMonths,
  reportFigures,
} from '../domain/reporting/figures.ts';
import { toLondon } from '../time/london.ts';
import type { AppDependencies } from './dependencies.ts';

/** Who may see the figures: those who answer for them (Code 9.4-9.7). */
export const REPORT_ROLES: readonly StaffRole[] = ['manager', 'admin'];

export interface ReportQuery {
  from?: string;
  to?: string;
  explain?: string;
}

export interface StaffReport {
  report: ComputedReport;
  explanation?: Explanation;
  /** Items read to build it (each case once per month it has facts in), for the benchmark. */
  casesRead: number;
}

/**
 * The figures for a period (default: the financial year of today's London date), from the reporting facts of the
 * months it touches: never a Scan.
 */
export async function staffReport(
  deps: Pick<AppDependencies, 'repository' | 'clock' | 'context'>,
  role: StaffRole,
  query: ReportQuery,
): Promise<StaffReport> {
  if (!REPORT_ROLES.includes(role)) {
    throw new DomainError('FORBIDDEN', `Reports are for managers and admins; you are signed in as a ${role}`);
  }
  if ((query.from === undefined) !== (query.to === undefined)) {
    throw new InvalidQueryError('Give both "from" and "to" (YYYY-MM-DD), or neither for this financial year');
  }
  const period = checkPeriod(
    query.from === undefined
      ? financialYear(toLondon(deps.clock.now()).date)
      : { from: query.from, to: query.to },
  );
  const facts = await deps.repository.listReportFacts(periodMonths(period));
  const report = reportFigures(deps.context.profile, period, facts);
  if (query.explain === undefined) return { report, casesRead: facts.length };
  const explanation = report.explain(query.explain);
  if (!explanation) {
    throw new NotFoundError(
      `"${query.explain}" is not a figure of the report; explain one of: ${report.explainable().join(', ')}`,
    );
  }
  return { report, explanation, casesRead: facts.length };
}
