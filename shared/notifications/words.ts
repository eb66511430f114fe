/**
 * Dates, times, amounts and court details as letters and pages write them (London time, British English).
 * Pure: every date comes from the caller.
 */
import { isCivilDate, splitDate, toLondon, weekday } from '../time/london.ts';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A civil date 'YYYY-MM-DD' as "Tuesday 10 March 2026" (or "10 March 2026" without the weekday). */
export function formatCivilDate(date: string, options: { weekday?: boolean } = {}): string {
  const { year, month, day } = splitDate(date);
  const dayMonthYear = `${day} ${MONTHS[month - 1]} ${year}`;
  return options.weekday === false ? dayMonthYear : `${WEEKDAYS[weekday(date)]} ${dayMonthYear}`;
}

/** An instant as London wall-clock time, e.g. "Tuesday 10 March 2026 at 23:59". */
export function formatLondonInstant(instant: string): string {
  const { date, minuteOfDay } = toLondon(instant);
  const hours = String(Math.floor(minuteOfDay / 60)).padStart(2, '0');
  const minutes = String(minuteOfDay % 60).padStart(2, '0');
  return `${formatCivilDate(date)} at ${hours}:${minutes}`;
}

/** Staff-typed dates (e.g. an action's due date) are formatted when they are real dates, else shown as typed. */
export function dateAsGiven(date: string): string {
  return isCivilDate(date) ? formatCivilDate(date) : date;
}

/** The court filing recorded for a legal-proceedings refusal (Code 2.2), in words. */
export function legalProceedingsWords(
  evidence: { court?: string; claimNumber?: string; filedOn?: string } | undefined,
): string | undefined {
  const parts = [
    evidence?.court && `court: ${evidence.court}`,
    evidence?.claimNumber && `claim number: ${evidence.claimNumber}`,
    evidence?.filedOn && `filed on ${dateAsGiven(evidence.filedOn)}`,
  ].filter(Boolean);
  return parts.length > 0 ? `The claim at court: ${parts.join('; ')}.` : undefined;
}

export function instantAsGiven(instant: string): string {
  try {
    return formatLondonInstant(instant);
  } catch {
    return instant;
  }
}

export function pounds(amount: number): string {
  const digits = Number.isInteger(amount) ? 0 : 2;
  return `£${amount.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: 2 })}`;
}
