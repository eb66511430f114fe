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
import type { ReportMonth } from '../ports/case-repository.ts';
import { addCalendarMonths, toLondon } from '../time/london.ts';
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
  /** Of those, the months whose tally was stored (not those changed while, or just before, it was built). */
  cached: string[];
  casesRead: number;
}

/** A month's cached tally (JSON) if its facts have not changed since and it was built under this profile. */
function currentTally(entry: ReportMonth | undefined, key: string): string | undefined {
  return entry?.tally && entry.tally.changes === entry.changes && entry.tally.key === key
    ? entry.tally.json
    : undefined;
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
  const cached: string[] = [];
  for (const month of months) {
    const tally = currentTally(stored.get(month), key);
    if (tally) tallies.set(month, JSON.parse(tally) as Tally);
    else rebuilt.push(month);
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
      const saved = await deps.repository.saveReportTally(month, stored.get(month)?.changes ?? 0, {
        key,
        json: JSON.stringify(tally),
      });
      if (saved) cached.push(month);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
  return { tallies, rebuilt, cached: months.filter((month) => cached.includes(month)), casesRead };
}

/**
 * How many months one daily run builds at most. A month is one partition of `gsi3`: at 100,000 cases a year
 * about 11,600 fact items, and twelve such months built cold took 103 s of wall time (10.7 s of CPU) on a
 * two-core machine at load 21 with DynamoDB emulated in the same process (`npm run bench:report`), so twelve fit
 * the function's 5 minutes, with room for about three times that volume even there. A year's worth is what a profile change makes
 * stale at once; the months left over are built by the next run.
 */
export const MONTHS_PER_DAILY_RUN = 12;

export interface ReportMonthsRun {
  /** How many closed months were looked at. */
  months: number;
  /** The months built from their facts and stored. */
  built: string[];
  /** Built but not stored: changed while (or within seconds before) they were read; the next run tries again. */
  unsettled: string[];
  /** Missing or stale months beyond this run's bound, left for the next run. */
  left: string[];
  casesRead: number;
}

/**
 * The daily run's part for reports: builds and stores the tally of each closed London month (before the current
 * one, back to the start of the previous financial year) that has none or whose facts changed since, newest first
 * and at most {@link MONTHS_PER_DAILY_RUN} a run, so the annual report and the year's figures read closed months
 * from their tallies instead of from every case. The current month is not built: it changes all day, and the
 * report reads it live.
 */
export async function refreshReportMonths(
  deps: Pick<AppDependencies, 'repository' | 'clock' | 'context'>,
  maxMonths = MONTHS_PER_DAILY_RUN,
): Promise<ReportMonthsRun> {
  const today = toLondon(deps.clock.now()).date;
  const lastYear = financialYear(addCalendarMonths(today, -12));
  const current = today.slice(0, 7);
  const closed = periodMonths({ from: lastYear.from, to: today }).filter((month) => month < current);
  const key = tallyKey(deps.context.profile);
  const stored = await deps.repository.reportMonths(closed);
  const due = closed.filter((month) => !currentTally(stored.get(month), key)).reverse();
  const now = due.slice(0, maxMonths);
  const { cached, casesRead } = await monthTallies(deps, now);
  return {
    months: closed.length,
    built: cached,
    unsettled: now.filter((month) => !cached.includes(month)),
    left: due.slice(maxMonths),
    casesRead,
  };
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
