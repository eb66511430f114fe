import { addCalendarDays, type CivilDate, splitDate, weekday } from '../time/london.ts';
import { bankHolidays, HOLIDAY_TABLE_YEARS, isBankHolidayRegion } from './holidays.generated.ts';

export const CALENDAR_REGIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;
export type CalendarRegion = (typeof CALENDAR_REGIONS)[number];

export interface DatedReason {
  date: CivilDate;
  reason: string;
}

export interface CalendarAdditions {
  /** Days the landlord's office is closed (for example the days between Christmas and New Year). */
  closureDays?: readonly DatedReason[];
  /** One-off bank holidays announced after the generated table was built. */
  extraBankHolidays?: readonly DatedReason[];
}

export class CalendarRangeError extends RangeError {
  override readonly name = 'CalendarRangeError';
}

export interface SkippedDay {
  date: CivilDate;
  reason: string;
}

export interface WorkingCalendar {
  readonly region: CalendarRegion;
  /** Why a date is not a working day, or undefined when it is one. */
  nonWorkingReason(date: CivilDate): string | undefined;
  isWorkingDay(date: CivilDate): boolean;
  /**
   * The date N working days after (or, for negative N, before) `date`, counting only working days and
   * never `date` itself, with every non-working day passed over on the way.
   */
  addWorkingDays(date: CivilDate, workingDays: number): { date: CivilDate; skipped: SkippedDay[] };
  /** Working days d with from < d <= to (negative when to is before from). */
  workingDaysBetween(from: CivilDate, to: CivilDate): number;
  nextWorkingDay(date: CivilDate): { date: CivilDate; skipped: SkippedDay[] };
}

const WEEKEND: Record<number, string> = { 0: 'Sunday', 6: 'Saturday' };

export function createWorkingCalendar(
  region: CalendarRegion,
  additions: CalendarAdditions = {},
): WorkingCalendar {
  if (!isBankHolidayRegion(region)) throw new RangeError(`Unknown calendar region "${region}"`);
  const extra = new Map((additions.extraBankHolidays ?? []).map((day) => [day.date, day.reason]));
  const closures = new Map((additions.closureDays ?? []).map((day) => [day.date, day.reason]));

  function nonWorkingReason(date: CivilDate): string | undefined {
    const { year } = splitDate(date);
    if (year < HOLIDAY_TABLE_YEARS.from || year > HOLIDAY_TABLE_YEARS.to) {
      throw new CalendarRangeError(
        `${date} is outside the bank holiday table (${HOLIDAY_TABLE_YEARS.from}-${HOLIDAY_TABLE_YEARS.to}); regenerate it with npm run holidays:generate`,
      );
    }
    const weekend = WEEKEND[weekday(date)];
    if (weekend) return weekend;
    const bankHoliday = bankHolidays(region)[date] ?? extra.get(date);
    if (bankHoliday) return `bank holiday (${regionLabel(region)}): ${bankHoliday}`;
    const closure = closures.get(date);
    if (closure) return `office closure: ${closure}`;
    return undefined;
  }

  function addWorkingDays(date: CivilDate, workingDays: number) {
    if (!Number.isInteger(workingDays))
      throw new RangeError(`working days must be a whole number, got ${workingDays}`);
    const step = workingDays < 0 ? -1 : 1;
    const skipped: SkippedDay[] = [];
    let current = date;
    let remaining = Math.abs(workingDays);
    while (remaining > 0) {
      current = addCalendarDays(current, step);
      const reason = nonWorkingReason(current);
      if (reason) skipped.push({ date: current, reason });
      else remaining--;
    }
    return { date: current, skipped };
  }

  function nextWorkingDay(date: CivilDate) {
    return addWorkingDays(date, 1);
  }

  function workingDaysBetween(from: CivilDate, to: CivilDate): number {
    if (to < from) return -workingDaysBetween(to, from);
    let count = 0;
    for (let day = addCalendarDays(from, 1); day <= to; day = addCalendarDays(day, 1)) {
      if (!nonWorkingReason(day)) count++;
    }
    return count;
  }

  return {
    region,
    nonWorkingReason,
    isWorkingDay: (date) => nonWorkingReason(date) === undefined,
    addWorkingDays,
    workingDaysBetween,
    nextWorkingDay,
  };
}

export function regionLabel(region: CalendarRegion): string {
  return {
    'england-and-wales': 'England and Wales',
    scotland: 'Scotland',
    'northern-ireland': 'Northern Ireland',
  }[region];
}
