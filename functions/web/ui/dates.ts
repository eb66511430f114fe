import { formatCivilDate, formatLondonInstant } from '#shared/notifications/words.ts';
import { isCivilDate } from '#shared/time/london.ts';

/** Dates and instants as both audiences read them: London time, in words; a value that is neither, as given. */

/** An instant in words, London time ("9:30am on Monday 16 March 2026"). */
export function instantWords(instant: string | undefined): string {
  if (!instant) return '';
  try {
    return formatLondonInstant(instant);
  } catch {
    return instant;
  }
}

/** A civil date in words ("Monday 16 March 2026"), or the text as given if it is not a date. */
export function dateWords(date: string | undefined): string {
  if (!date) return '';
  return isCivilDate(date) ? formatCivilDate(date) : date;
}
