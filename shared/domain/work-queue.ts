import type { WorkingCalendar } from '../calendar/working-calendar.ts';
import { type Instant, toLondon } from '../time/london.ts';
import type { CaseState, StaffRole, Step } from './case.ts';

/** Whose queue: a staff role, the resident (steps waiting on them), or every role at once. */
export type QueueRole = StaffRole | 'resident' | 'all';

/** Where a step sits in the two-stage process, as the work queue groups it. */
export const QUEUE_STAGES = ['triage', '1', '2'] as const;
export type QueueStage = (typeof QUEUE_STAGES)[number];

/** The stage a step belongs to; outstanding actions after the response belong to none. */
export function queueStageOf(step: Step): QueueStage | undefined {
  if (step === 'triage') return 'triage';
  if (step.startsWith('stage1-') || step === 'escalation-window') return '1';
  if (step.startsWith('stage2-')) return '2';
  return undefined;
}

/** Red, amber or green against a working-day deadline (or none set). */
export const DEADLINE_FILTERS = ['overdue', 'due-soon', 'on-track'] as const;
export type DeadlineStatusKey = (typeof DEADLINE_FILTERS)[number] | 'no-deadline';

export interface DeadlineStatus {
  status: DeadlineStatusKey;
  /** Whole working days from today to the due date (0 on the day itself); absent when overdue or undated. */
  workingDaysLeft?: number;
}

/**
 * Where a deadline stands at `now`: overdue once its instant has passed, "due soon" within the reminder lead
 * (the same number of working days the reminder is sent before it), else on track.
 */
export function deadlineStatus(
  dueAt: Instant | undefined,
  now: Date,
  calendar: WorkingCalendar,
  leadWorkingDays: number,
): DeadlineStatus {
  return deadlineStatusesAt(now, calendar, leadWorkingDays)(dueAt);
}

/**
 * deadlineStatus for many deadlines at one `now`, as a queue page needs: today's date is worked out once and
 * each due date's working days are counted once. A queue of 200 tasks has few distinct due dates, and
 * counting day by day for every task was an eighth of the page's CPU (issue 12).
 */
export function deadlineStatusesAt(
  now: Date,
  calendar: WorkingCalendar,
  leadWorkingDays: number,
): (dueAt: Instant | undefined) => DeadlineStatus {
  let today: string | undefined;
  const daysLeft = new Map<string, number | undefined>();
  return (dueAt) => {
    if (!dueAt) return { status: 'no-deadline' };
    if (Date.parse(dueAt) < now.getTime()) return { status: 'overdue' };
    today ??= toLondon(now).date;
    const dueDate = toLondon(dueAt).date;
    if (!daysLeft.has(dueDate)) {
      try {
        daysLeft.set(dueDate, calendar.workingDaysBetween(today, dueDate));
      } catch {
        // Outside the bank-holiday table: remembered as unknown, counted below in calendar days.
        daysLeft.set(dueDate, undefined);
      }
    }
    // A date outside the bank-holiday table: count calendar days rather than fail the whole queue.
    const left = daysLeft.get(dueDate) ?? Math.floor((Date.parse(dueAt) - now.getTime()) / 86_400_000);
    const workingDaysLeft = Math.max(0, left);
    return { status: left <= leadWorkingDays ? 'due-soon' : 'on-track', workingDaysLeft };
  };
}

/** Whoever last acted on the case's current stage is its assignee: the Code wants one named owner. */
export function assigneeOf(state: CaseState): string | undefined {
  return (state.stage === 2 ? state.stage2.handlers : state.stage1.handlers).at(-1);
}

/** Who a case is assigned to, as the work queue shows it: their staff id (sub) and the email they acted with. */
export interface Assignment {
  assignee?: string;
  assigneeEmail?: string;
}

export function assignmentOf(state: CaseState): Assignment {
  const assignee = assigneeOf(state);
  const assigneeEmail = assignee ? state.staff?.[assignee] : undefined;
  return { ...(assignee ? { assignee } : {}), ...(assigneeEmail ? { assigneeEmail } : {}) };
}

export function sameAssignment(a: Assignment, b: Assignment): boolean {
  return a.assignee === b.assignee && a.assigneeEmail === b.assigneeEmail;
}

/** Who sees outstanding actions in their queue: the handlers who own them and the managers who chase them. */
export function queueShowsActions(role: QueueRole): boolean {
  return role === 'handler' || role === 'manager' || role === 'admin' || role === 'all';
}
