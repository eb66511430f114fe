import {
  type CivilDate,
  endOfLondonDay,
  type Instant,
  londonWallClockToInstant,
  normaliseInstant,
  toLondon,
} from '../time/london.ts';
import type { SkippedDay, WorkingCalendar } from './working-calendar.ts';

export interface Deadline {
  /** The event the clock runs from, as given. */
  from: Instant;
  /** Day 0: the working day the clock starts on. */
  startDate: CivilDate;
  workingDays: number;
  /** The last working day (London civil date) on which the step is in time. */
  dueDate: CivilDate;
  /** 23:59:59.999 London time on dueDate, as a UTC instant. */
  dueAt: Instant;
  /** Every day between the event and the due date that did not count, and why. */
  skipped: SkippedDay[];
}

const CUTOFF = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function parseCutoff(cutoff: string): number {
  const match = CUTOFF.exec(cutoff);
  if (!match) throw new RangeError(`cut-off "${cutoff}" must be a 24-hour time HH:MM, for example 16:30`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * Day 0 for an event: its London date, or the next working day when it happened on a non-working day
 * or at or after the cut-off time.
 */
export function clockStart(
  calendar: WorkingCalendar,
  from: Instant,
  cutoff?: string,
): { startDate: CivilDate; skipped: SkippedDay[] } {
  const { date, minuteOfDay } = toLondon(from);
  const reason = calendar.nonWorkingReason(date);
  if (reason) {
    const next = calendar.nextWorkingDay(date);
    return {
      startDate: next.date,
      skipped: [{ date, reason: `received on a non-working day (${reason})` }, ...next.skipped],
    };
  }
  if (cutoff !== undefined && minuteOfDay >= parseCutoff(cutoff)) {
    const next = calendar.nextWorkingDay(date);
    return {
      startDate: next.date,
      skipped: [
        { date, reason: `received at or after the ${cutoff} cut-off, so counted from the next working day` },
        ...next.skipped,
      ],
    };
  }
  return { startDate: date, skipped: [] };
}

/** "Within N working days of an event": due at the end of the Nth working day after day 0. */
export function deadline(
  calendar: WorkingCalendar,
  from: Instant,
  workingDays: number,
  cutoff?: string,
): Deadline {
  if (!Number.isInteger(workingDays) || workingDays < 0) {
    throw new RangeError(`working days must be a whole number of 0 or more, got ${workingDays}`);
  }
  const start = clockStart(calendar, from, cutoff);
  const due = calendar.addWorkingDays(start.startDate, workingDays);
  return {
    from: normaliseInstant(from),
    startDate: start.startDate,
    workingDays,
    dueDate: due.date,
    dueAt: endOfLondonDay(due.date),
    skipped: [...start.skipped, ...due.skipped],
  };
}

/** Moves an existing deadline on by N working days from its due date (an extension). */
export function extendDeadline(calendar: WorkingCalendar, current: Deadline, workingDays: number): Deadline {
  const due = calendar.addWorkingDays(current.dueDate, workingDays);
  return {
    ...current,
    workingDays: current.workingDays + workingDays,
    dueDate: due.date,
    dueAt: endOfLondonDay(due.date),
    skipped: [...current.skipped, ...due.skipped],
  };
}

/** 09:00 London time, `leadWorkingDays` working days before the due date (the reminder). */
export function reminderAt(calendar: WorkingCalendar, dueDate: CivilDate, leadWorkingDays: number): Instant {
  const day = calendar.addWorkingDays(dueDate, -leadWorkingDays).date;
  return londonWallClockToInstant(day, 9, 0);
}
