import { type DatedReason, regionLabel } from '../calendar/working-calendar.ts';
import { formatCivilDate } from '../notifications/words.ts';
import { type Duration, type ProviderProfile, profileFingerprint } from '../policy/profile.ts';
import type { CivilDate, Instant } from '../time/london.ts';
import {
  applyCaseEvent,
  type CaseEvent,
  type CaseState,
  caseContext,
  foldCase,
  pendingStep,
  type Step,
} from './case.ts';
import { templateFor } from './correspondence.ts';

/** A due date a profile change moves on an open case: `kept` when the new profile would bring it earlier. */
export interface DeadlineChange {
  caseId: string;
  reference: string;
  step: Step;
  oldDueDate: CivilDate;
  /** The date the case is now due by: never earlier than the one the resident was given. */
  newDueDate: CivilDate;
  /**
   * `later`: the resident must be told the new date. `kept`: the new profile would bring it earlier, but a date
   * already given to the resident never moves earlier, so it stays.
   */
  direction: 'later' | 'kept';
}

/** The pending step's due date when the log is folded under the profile, if the case is open and waiting. */
function pendingDue(caseId: string, events: readonly CaseEvent[], profile: ProviderProfile) {
  const ctx = caseContext(profile);
  const state = foldCase(caseId, events, ctx);
  if (state.status === 'closed') return undefined;
  const pending = pendingStep(state, ctx);
  return pending?.deadline ? { state, step: pending.step, deadline: pending.deadline } : undefined;
}

/**
 * The due date the pending step reads by (a deadline field of the case, and its date) when the case is open:
 * triage and the stage 1 acknowledgement wait on the same date.
 */
function pendingDate(state: CaseState): string | undefined {
  switch (state.status) {
    case 'awaiting-triage':
    case 'stage1-acknowledgement':
      return state.stage1.acknowledgement && `stage1-acknowledgement ${state.stage1.acknowledgement.dueDate}`;
    case 'stage1-investigation':
      return state.stage1.response && `stage1-response ${state.stage1.response.dueDate}`;
    case 'stage1-responded':
      return state.escalationWindow && `escalation-window ${state.escalationWindow.dueDate}`;
    case 'stage2-acknowledgement':
      return state.stage2.acknowledgement && `stage2-acknowledgement ${state.stage2.acknowledgement.dueDate}`;
    case 'stage2-investigation':
      return state.stage2.response && `stage2-response ${state.stage2.response.dueDate}`;
    default:
      return undefined;
  }
}

/**
 * pendingDue, with the sequence number of the event that gave the pending step its date (the last one after
 * which the case waited on another date): the event whose letter told the resident that date.
 */
function givenDue(caseId: string, events: readonly CaseEvent[], profile: ProviderProfile) {
  const ctx = caseContext(profile);
  let state: CaseState | undefined;
  let date: string | undefined;
  let datedBy = 0;
  events.forEach((event, index) => {
    state = applyCaseEvent(state, event, ctx, caseId);
    const now = pendingDate(state);
    if (now !== date) {
      date = now;
      datedBy = index + 1;
    }
  });
  if (!state || state.status === 'closed') return undefined;
  const pending = pendingStep(state, ctx);
  return pending?.deadline ? { state, step: pending.step, deadline: pending.deadline, datedBy } : undefined;
}

/**
 * Whether the resident was given the date of the event numbered `seq` under the profile with this fingerprint:
 * the letter that answers that event says so (`correspondence-sent`'s `profileFingerprint`, the profile it was
 * written under; the letter for post when the email bounced). A letter still owed will be written under the
 * profile in force when it goes, which is the new one wherever a profile change is compared (a deploy's record
 * pass compares again in its apply pass, which finds it sent). A recalculation's letter gives the date the event
 * itself records, whatever profile wrote it. A stage 2 request has no letter: it records the profile it was
 * dated under itself. Any other event with no letter, a stage 2 request recorded before that stamp, a letter that
 * could not be sent, or one sent before letters were stamped gave no date under the new profile.
 */
function datedUnder(events: readonly CaseEvent[], seq: number, fingerprint: string): boolean {
  const event = events[seq - 1];
  if (!event || event.type === 'deadlines-recalculated') return false;
  const template = templateFor(event);
  // A stage 2 request has no letter: the page that confirmed it showed the date, under the profile it records.
  if (!template) return event.type === 'escalation-requested' && event.profileFingerprint === fingerprint;
  const key = `${template}#${seq}`;
  const sent = (letterKey: string) =>
    events.find((letter) => letter.type === 'correspondence-sent' && letter.key === letterKey);
  const letter = sent(`${key}#post`) ?? sent(key);
  if (letter) return letter.type === 'correspondence-sent' && letter.profileFingerprint === fingerprint;
  return !events.some((failed) => failed.type === 'correspondence-failed' && failed.key === key);
}

/**
 * The due date of an open case's pending step under each profile. The reducer computes every due date from the
 * profile's calendar and timescales, so folding the same log under both shows exactly what a change would move;
 * a date already past is history (met or breached) and is left alone.
 *
 * The date the resident was given is the log folded under the old profile, earlier recalculations included (they
 * pin it), unless the letter that gave it was written under the new profile (a function already running the new
 * profile dated the step, during a deploy): then the resident already has the new date and nothing moved for
 * them. What the change itself does is read from the log without the recalculations, under each profile: a case
 * the change does not touch is left alone even when an earlier change left its date pinned above the calendar's,
 * and a case pinned by an earlier change still moves later when this one pushes its date past the pin.
 */
export function deadlineChange(
  caseId: string,
  events: readonly CaseEvent[],
  oldProfile: ProviderProfile,
  newProfile: ProviderProfile,
  /** Now, from the caller's Clock. */
  now: Instant,
): DeadlineChange | undefined {
  const given = givenDue(caseId, events, oldProfile);
  if (!given || given.deadline.dueAt < now) return undefined;
  const fingerprint = profileFingerprint(newProfile);
  if (datedUnder(events, given.datedBy, fingerprint)) return undefined;
  // Recorded already when a recalculation for this profile comes at or after the event that gave the date: one
  // before it was about a date since replaced (an old function extended or moved the case on during a deploy),
  // whatever the step is called, so the date given since is compared again.
  if (recordsProfileChange(events.slice(given.datedBy - 1), fingerprint)) return undefined;
  const unpinned = events.filter((event) => event.type !== 'deadlines-recalculated');
  const before = pendingDue(caseId, unpinned, oldProfile);
  const after = pendingDue(caseId, unpinned, newProfile);
  if (!after || after.step !== given.step || after.deadline.dueDate === before?.deadline.dueDate) {
    return undefined;
  }
  const oldDueDate = given.deadline.dueDate;
  const newDueDate = after.deadline.dueDate;
  if (newDueDate === oldDueDate) return undefined;
  const later = newDueDate > oldDueDate;
  return {
    caseId,
    reference: given.state.reference,
    step: given.step,
    oldDueDate,
    newDueDate: later ? newDueDate : oldDueDate,
    direction: later ? 'later' : 'kept',
  };
}

/** Whether these events record the change to the profile with this fingerprint. */
function recordsProfileChange(events: readonly CaseEvent[], fingerprint: string): boolean {
  return events.some(
    (event) => event.type === 'deadlines-recalculated' && event.profileFingerprint === fingerprint,
  );
}

function datedChanges(
  before: readonly DatedReason[],
  after: readonly DatedReason[],
  added: (day: DatedReason) => string,
  removed: (day: DatedReason) => string,
): string[] {
  const had = new Set(before.map((day) => day.date));
  const has = new Set(after.map((day) => day.date));
  return [
    ...after.filter((day) => !had.has(day.date)).map(added),
    ...before.filter((day) => !has.has(day.date)).map(removed),
  ];
}

function durationWords(duration: Duration | null | undefined): string {
  if (!duration) return 'no limit';
  const unit =
    duration.unit === 'working-days' ? 'working day' : duration.unit === 'calendar-days' ? 'day' : 'month';
  return `${duration.amount} ${unit}${duration.amount === 1 ? '' : 's'}`;
}

const CLOCK_START_WORDS = {
  acknowledgement: 'our acknowledgement',
  receipt: 'the day we received the complaint',
  'escalation-request': 'the day you asked for it',
} as const;

/**
 * What changed between two profiles that can move a due date, in words a resident reads in the letter that gives
 * them the new date (and staff on the timeline): the calendar (bank holidays, closure days, region, the receipt
 * cut-off) and the timescales. Anything else is "our complaints policy changed".
 */
export function describeProfileChange(oldProfile: ProviderProfile, newProfile: ProviderProfile): string {
  const was = oldProfile.calendar;
  const now = newProfile.calendar;
  const date = (day: DatedReason) => formatCivilDate(day.date);
  const changes = [
    ...datedChanges(
      was.extraBankHolidays,
      now.extraBankHolidays,
      (day) => `${date(day)} is now a bank holiday (${day.reason}), so it is not a working day`,
      (day) => `${date(day)} is no longer a bank holiday`,
    ),
    ...datedChanges(
      was.closureDays,
      now.closureDays,
      (day) => `our offices are closed on ${date(day)} (${day.reason}), so it is not a working day`,
      (day) => `our offices are no longer closed on ${date(day)}`,
    ),
  ];
  if (was.region !== now.region) {
    changes.push(
      `we now follow the bank holidays of ${regionLabel(now.region)} (before: ${regionLabel(was.region)})`,
    );
  }
  if (was.receiptCutoff !== now.receiptCutoff) {
    changes.push(
      now.receiptCutoff
        ? `a complaint received after ${now.receiptCutoff} now counts as received on the next working day`
        : 'a complaint now counts as received on the day it arrives, whatever the time',
    );
  }
  newProfile.stages.forEach((stage, index) => {
    const old = oldProfile.stages[index];
    if (!old) return;
    const n = index + 1;
    if (old.acknowledgeWorkingDays !== stage.acknowledgeWorkingDays) {
      changes.push(
        `we now acknowledge a stage ${n} complaint within ${stage.acknowledgeWorkingDays} working days (before: ${old.acknowledgeWorkingDays})`,
      );
    }
    if (old.respondWorkingDays !== stage.respondWorkingDays) {
      changes.push(
        `we now respond at stage ${n} within ${stage.respondWorkingDays} working days (before: ${old.respondWorkingDays})`,
      );
    }
    if (old.responseClockStartsAt !== stage.responseClockStartsAt) {
      changes.push(
        `the time for our stage ${n} response now runs from ${CLOCK_START_WORDS[stage.responseClockStartsAt]} (before: from ${CLOCK_START_WORDS[old.responseClockStartsAt]})`,
      );
    }
  });
  if (JSON.stringify(oldProfile.escalationWindow) !== JSON.stringify(newProfile.escalationWindow)) {
    changes.push(
      `the time to ask for stage 2 is now ${durationWords(newProfile.escalationWindow)} (before: ${durationWords(oldProfile.escalationWindow)})`,
    );
  }
  if (oldProfile.missedDeadlineWorkingDays !== newProfile.missedDeadlineWorkingDays) {
    changes.push(
      `after a missed date we now reply within ${newProfile.missedDeadlineWorkingDays} working days (before: ${oldProfile.missedDeadlineWorkingDays})`,
    );
  }
  const sentence = changes.length > 0 ? changes.join('; ') : 'our complaints policy changed';
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}
