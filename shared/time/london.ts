/**
 * London civil time, independent of the server's time zone. Instants are UTC ISO strings; civil dates
 * are 'YYYY-MM-DD' in Europe/London (GMT in winter, BST in summer).
 */
export type CivilDate = string;
export type Instant = string;

const CIVIL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface LondonDateTime {
  date: CivilDate;
  /** Minutes after London midnight. */
  minuteOfDay: number;
}

export function toLondon(instant: Instant | Date): LondonDateTime {
  const epochMs = (typeof instant === 'string' ? parseInstant(instant) : instant).getTime();
  const wall = new Date(epochMs + londonOffsetMinutes(epochMs) * 60_000);
  const two = (value: number) => String(value).padStart(2, '0');
  return {
    date: `${String(wall.getUTCFullYear()).padStart(4, '0')}-${two(wall.getUTCMonth() + 1)}-${two(wall.getUTCDate())}`,
    minuteOfDay: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

const HOUR_MS = 3_600_000;

/**
 * Since 1996 London keeps the EU's summer time (the time zone data's `EU` rule, with no end year): BST from
 * 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October. Computed here, because
 * constructing an `Intl.DateTimeFormat` for Europe/London loads ICU's time zone data: about 12 ms of CPU, a
 * tenth of a cold start's budget in every function (issue 12). The unit tests check this against Intl from 1972
 * to 2100, so a Node release whose time zone data changes London's rule fails them.
 */
const EU_RULE_SINCE = 1996;

const summerTimeByYear = new Map<number, { start: number; end: number }>();

/** 01:00 UTC on the last Sunday of a month (0-based). */
function lastSundayAt0100Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** London's UTC offset at an instant, in minutes (0 in GMT, 60 in BST). */
function londonOffsetMinutes(epochMs: number): number {
  const year = new Date(epochMs).getUTCFullYear();
  if (year < EU_RULE_SINCE) return olderOffsetInHour(epochMs);
  let summer = summerTimeByYear.get(year);
  if (!summer) {
    summer = { start: lastSundayAt0100Utc(year, 2), end: lastSundayAt0100Utc(year, 9) };
    summerTimeByYear.set(year, summer);
  }
  return epochMs >= summer.start && epochMs < summer.end ? 60 : 0;
}

let londonParts: Intl.DateTimeFormat | undefined;
const offsetsByHour = new Map<number, number>();

/**
 * Before 1996 (British rules that changed most years): asked of the time zone data, once per UTC hour, since
 * London's clocks change on the hour. Only instants that old need it (a backdated event in a test), so the
 * formatter is built on first use.
 */
function olderOffsetInHour(epochMs: number): number {
  const hour = Math.floor(epochMs / HOUR_MS);
  let offset = offsetsByHour.get(hour);
  if (offset === undefined) {
    if (offsetsByHour.size >= 100_000) offsetsByHour.clear();
    londonParts ??= new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    const start = hour * HOUR_MS;
    const parts = Object.fromEntries(
      londonParts.formatToParts(new Date(start)).map((part) => [part.type, Number(part.value)]),
    );
    const asUtc = Date.UTC(
      parts.year ?? 0,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
      parts.second ?? 0,
    );
    offset = Math.round((asUtc - start) / 60_000);
    offsetsByHour.set(hour, offset);
  }
  return offset;
}

/** The UTC instant of a London wall-clock time on a civil date. */
export function londonWallClockToInstant(date: CivilDate, hours: number, minutes: number, ms = 0): Instant {
  const { year, month, day } = splitDate(date);
  const naive = Date.UTC(year, month - 1, day, hours, minutes) + ms;
  // The offset at (naive - 1h) and at naive agree except inside the changeover hour, which never holds
  // a deadline (deadlines are at 23:59:59.999 and reminders at 09:00).
  const offset = londonOffsetMinutes(naive - londonOffsetMinutes(naive) * 60_000);
  return new Date(naive - offset * 60_000).toISOString();
}

/** The last millisecond of a London civil date, as a UTC instant. */
export function endOfLondonDay(date: CivilDate): Instant {
  return londonWallClockToInstant(date, 23, 59, 59_999);
}

export function splitDate(date: CivilDate): { year: number; month: number; day: number } {
  const match = CIVIL_DATE.exec(date);
  if (!match) throw new RangeError(`"${date}" is not a date in the form YYYY-MM-DD`);
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`"${date}" is not a real calendar date`);
  }
  return { year, month, day };
}

export function isCivilDate(value: string): boolean {
  try {
    splitDate(value);
    return true;
  } catch {
    return false;
  }
}

export function addCalendarDays(date: CivilDate, days: number): CivilDate {
  const { year, month, day } = splitDate(date);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

export function addCalendarMonths(date: CivilDate, months: number): CivilDate {
  const { year, month, day } = splitDate(date);
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(date: CivilDate): number {
  const { year, month, day } = splitDate(date);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an ISO 8601 instant that carries its offset; a bare local time is ambiguous and refused. */
export function parseInstant(value: string): Date {
  if (!ISO_INSTANT.test(value)) {
    throw new RangeError(
      `"${value}" is not an ISO 8601 instant with an offset (for example 2026-03-02T09:30:00Z or 2026-07-01T10:00:00+01:00)`,
    );
  }
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new RangeError(`"${value}" is not a valid instant`);
  return parsed;
}

/**
 * An ISO 8601 instant with an offset on a real calendar date: `Date` would quietly read 30 February as
 * 2 March, so the date part is checked too.
 */
export function isInstant(value: string): boolean {
  return (
    ISO_INSTANT.test(value) && isCivilDate(value.slice(0, 10)) && !Number.isNaN(new Date(value).getTime())
  );
}

export function normaliseInstant(value: string): Instant {
  return parseInstant(value).toISOString();
}
