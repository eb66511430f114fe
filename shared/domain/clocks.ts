import { type Deadline, deadline, extendDeadline, reminderAt } from '../calendar/deadline.ts';
import { createWorkingCalendar, type WorkingCalendar } from '../calendar/working-calendar.ts';
import type { Duration, ProviderProfile, StagePolicy } from '../policy/profile.ts';
import {
  addCalendarDays,
  addCalendarMonths,
  type CivilDate,
  endOfLondonDay,
  type Instant,
  londonWallClockToInstant,
  toLondon,
} from '../time/london.ts';

export type StageNumber = 1 | 2;

export interface LifecycleClocks {
  readonly calendar: WorkingCalendar;
  stagePolicy(stage: StageNumber): StagePolicy;
  /** Stage 1 acknowledgement: from receipt (Code 6.2). */
  stage1Acknowledgement(receivedAt: Instant): Deadline;
  /** Stage 1 response: from acknowledgement, or receipt where the profile says so (Code 6.3). */
  stage1Response(events: { receivedAt: Instant; acknowledgedAt: Instant }): Deadline;
  /** Stage 2 acknowledgement: from the escalation request (Code 6.11). */
  stage2Acknowledgement(escalationRequestedAt: Instant): Deadline;
  /** Stage 2 response: from stage 2 acknowledgement, or the request where the profile says so (Code 6.14). */
  stage2Response(events: { escalationRequestedAt: Instant; acknowledgedAt: Instant }): Deadline;
  extend(current: Deadline, workingDays: number): Deadline;
  /**
   * When the resident's window to ask for stage 2 ends; undefined where the profile sets none. Where the profile
   * also counts from the events (SPSO: the later of two months after the response and six months after the
   * event), `eventOn` is the date the resident gave for the events or for becoming aware of them.
   */
  escalationWindowEnd(stage1RespondedAt: Instant, eventOn?: CivilDate): Deadline | undefined;
  /** The new date a resident is given when a deadline is missed: `missedDeadlineWorkingDays` after it. */
  afterMissedDeadline(missed: Instant): Deadline;
  /** 09:00 London, `reminderLeadWorkingDays` working days before a due date (a deadline's or an action's). */
  reminder(due: Pick<Deadline, 'dueDate'>): Instant;
}

export function lifecycleClocks(profile: ProviderProfile): LifecycleClocks {
  const calendar = createWorkingCalendar(profile.calendar.region, {
    closureDays: profile.calendar.closureDays,
    extraBankHolidays: profile.calendar.extraBankHolidays,
  });
  const cutoff = profile.calendar.receiptCutoff;

  function stagePolicy(stage: StageNumber): StagePolicy {
    const policy = profile.stages[stage - 1];
    if (!policy) throw new RangeError(`Provider profile ${profile.id} has no stage ${stage}`);
    return policy;
  }

  function responseFrom(policy: StagePolicy, start: Instant, acknowledgedAt: Instant): Deadline {
    return policy.responseClockStartsAt === 'acknowledgement'
      ? deadline(calendar, acknowledgedAt, policy.respondWorkingDays)
      : deadline(calendar, start, policy.respondWorkingDays, cutoff);
  }

  function calendarWindow(from: string, start: CivilDate, window: Duration): Deadline {
    const dueDate = addDuration(start, window, calendar);
    return {
      from,
      startDate: start,
      workingDays: calendar.workingDaysBetween(start, dueDate),
      dueDate,
      dueAt: endOfLondonDay(dueDate),
      skipped: [],
    };
  }

  return {
    calendar,
    stagePolicy,
    stage1Acknowledgement: (receivedAt) =>
      deadline(calendar, receivedAt, stagePolicy(1).acknowledgeWorkingDays, cutoff),
    stage1Response: ({ receivedAt, acknowledgedAt }) =>
      responseFrom(stagePolicy(1), receivedAt, acknowledgedAt),
    stage2Acknowledgement: (requestedAt) =>
      deadline(calendar, requestedAt, stagePolicy(2).acknowledgeWorkingDays, cutoff),
    stage2Response: ({ escalationRequestedAt, acknowledgedAt }) =>
      responseFrom(stagePolicy(2), escalationRequestedAt, acknowledgedAt),
    extend: (current, workingDays) => extendDeadline(calendar, current, workingDays),
    escalationWindowEnd(respondedAt, eventOn) {
      const window = profile.escalationWindow;
      if (!window) return undefined;
      const afterResponse =
        window.unit === 'working-days'
          ? deadline(calendar, respondedAt, window.amount)
          : calendarWindow(new Date(respondedAt).toISOString(), toLondon(respondedAt).date, window);
      if (!window.orAfterEvent || !eventOn) return afterResponse;
      const eventAt = londonWallClockToInstant(eventOn, 0, 0);
      const afterEvent =
        window.orAfterEvent.unit === 'working-days'
          ? deadline(calendar, eventAt, window.orAfterEvent.amount)
          : calendarWindow(eventAt, eventOn, window.orAfterEvent);
      return afterEvent.dueAt > afterResponse.dueAt ? afterEvent : afterResponse;
    },
    afterMissedDeadline: (missed) => deadline(calendar, missed, profile.missedDeadlineWorkingDays),
    reminder: (due) => reminderAt(calendar, due.dueDate, profile.reminderLeadWorkingDays),
  };
}

/** "12 months", "20 working days", "1 calendar day". */
export function durationWords(duration: Duration): string {
  const unit =
    duration.unit === 'working-days'
      ? 'working day'
      : duration.unit === 'calendar-days'
        ? 'calendar day'
        : 'month';
  return `${duration.amount} ${unit}${duration.amount === 1 ? '' : 's'}`;
}

/** The London date a duration after `start` (working days by the calendar). */
export function addDuration(start: CivilDate, duration: Duration, calendar: WorkingCalendar): CivilDate {
  switch (duration.unit) {
    case 'months':
      return addCalendarMonths(start, duration.amount);
    case 'calendar-days':
      return addCalendarDays(start, duration.amount);
    case 'working-days':
      return calendar.addWorkingDays(start, duration.amount).date;
  }
}
