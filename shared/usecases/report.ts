import type { StaffRole } from '../domain/case.ts';
import { DomainError, InvalidQueryError, NotFoundError } from '../domain/errors.ts';
import {
  checkPeriod,
  type Explanation,
  figuresFromTally,
  financialYear,
  mergeTallies,
  monthPeriod,
  periodMonths,
  type ReportFigures,
  reportFigures,
  type Tally,
  tallyFacts,
  tallyKey,
  wholeMonths,
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
  figures: ReportFigures;
  explanation?: Explanation;
  /** Cases' facts read to build it (each case once per month read), for the benchmark. */
  casesRead: number;
}

export interface MonthTallies {
  tallies: Map<string, Tally>;
  /** The months whose tally was built from their facts (none cached, or changed since). */
  rebuilt: string[];
  casesRead: number;
}

/**
 * The tallies of whole London months: each month's cached tally while its facts have not changed since it was
 * built, else one built from that month's facts (a Query of its partition of the index) and cached. Exact either
 * way: a cached tally is the same function of the same facts.
 */
export async function monthTallies(
  deps: Pick<AppDependencies, 'repository' | 'context'>,
  months: readonly string[],
): Promise<MonthTallies> {
  const profile = deps.context.profile;
  const key = tallyKey(profile);
  const stored = await deps.repository.reportMonths(months);
  const tallies = new Map<string, Tally>();
  const rebuilt: string[] = [];
  for (const month of months) {
    const entry = stored.get(month);
    if (entry?.tally && entry.tally.changes === entry.changes && entry.tally.key === key) {
      tallies.set(month, JSON.parse(entry.tally.json) as Tally);
    } else rebuilt.push(month);
  }
  let casesRead = 0;
  // A few months at a time: each is one partition of the index, read page by page.
  const queue = [...rebuilt];
  const worker = async () => {
    for (let month = queue.shift(); month !== undefined; month = queue.shift()) {
      const facts = await deps.repository.listReportFacts([month]);
      casesRead += facts.length;
      const tally = tallyFacts(profile, monthPeriod(month), facts);
      tallies.set(month, tally);
      await deps.repository.saveReportTally(month, stored.get(month)?.changes ?? 0, {
        key,
        json: JSON.stringify(tally),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
  return { tallies, rebuilt, casesRead };
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
  const profile = deps.context.profile;
  if (query.explain === undefined && wholeMonths(period)) {
    const { tallies, casesRead } = await monthTallies(deps, periodMonths(period));
    return { figures: figuresFromTally(profile, period, mergeTallies(tallies.values())), casesRead };
  }
  // The cases behind a figure, or a period that is not whole months: from the facts themselves.
  const facts = await deps.repository.listReportFacts(periodMonths(period));
  const report = reportFigures(profile, period, facts);
  if (query.explain === undefined) return { figures: report.figures, casesRead: facts.length };
  const explanation = report.explain(query.explain);
  if (!explanation) {
    throw new NotFoundError(
      `"${query.explain}" is not a figure of the report; explain one of: ${report.explainable().join(', ')}`,
    );
  }
  return { figures: report.figures, explanation, casesRead: facts.length };
}
