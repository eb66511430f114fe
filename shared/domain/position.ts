import { type CivilDate, endOfLondonDay, type Instant } from '../time/london.ts';
import type { CaseContext, CaseState, OutstandingAction, StaffRole, Step } from './case.ts';
import { openActions, pendingStep } from './case.ts';

export type PositionStep = Step | 'ready-to-close' | 'closed';

/** Where a case is, as the state machine needs it: which step to wait on, who acts, and for how long. */
export interface CasePosition {
  caseId: string;
  reference: string;
  status: CaseState['status'];
  step: PositionStep;
  role?: StaffRole | 'resident';
  dueAt?: string;
  reminderAt?: string;
  /** Seconds until the next reminder, breach or check; the callback task's TimeoutSecondsPath. */
  timeoutSeconds: number;
  /** For steps that simply wait until an instant (outstanding-action updates): the Wait state's TimestampPath. */
  waitUntil: string;
  /** What the next timeout means, so the deadline check and the diagram read the same. */
  nextCheck: 'reminder' | 'breach' | 'still-overdue' | 'window-end' | 'recheck';
  /**
   * Resident letters the case is owed and not yet sent. Every step sends those it finds before it returns, so
   * this is non-zero only in a position a staff or resident action completed a callback with: the machine
   * then sends them on its way to the next step, or in "Send the letters the case is owed" once closed.
   */
  lettersOwed: number;
}

const ROLE_FOR_STEP: Record<Step, StaffRole | 'resident'> = {
  triage: 'handler',
  'stage1-acknowledgement': 'handler',
  'stage1-response': 'handler',
  'escalation-window': 'resident',
  'stage2-acknowledgement': 'reviewer',
  'stage2-response': 'reviewer',
  'outstanding-actions': 'handler',
};

const DAY_SECONDS = 24 * 60 * 60;

/**
 * Whether a deadline's reminder and breach have been recorded. Keyed on the deadline, not the step:
 * triage and the stage 1 acknowledgement share one deadline, which is reminded and breached once.
 */
export function deadlineAlerts(state: CaseState, dueAt: string): { reminded: boolean; breached: boolean } {
  const clockSteps = (step: Step) => step !== 'outstanding-actions';
  return {
    reminded: state.remindersSent.some((r) => clockSteps(r.step) && r.dueAt === dueAt),
    breached: state.breaches.some((b) => clockSteps(b.step) && b.dueAt === dueAt),
  };
}
/**
 * The date the resident was promised after this deadline was missed: the breach records it and the apology
 * letter gives it ("You will have our stage 1 response by ..."). Undefined before a breach, and for a breach
 * recorded without one. Only what is shown and chased changes: the missed `dueAt` stays the Code deadline
 * that the queue's status and order and every reporting figure use.
 */
export function promisedDate(state: CaseState, dueAt: string | undefined): CivilDate | undefined {
  if (!dueAt) return undefined;
  return state.breaches.find((b) => b.step !== 'outstanding-actions' && b.dueAt === dueAt)?.newDueDate;
}

/** Whether a promised date has passed too (it runs to the end of its London day, as every deadline does). */
export function promiseMissed(date: CivilDate, now: Date): boolean {
  return Date.parse(endOfLondonDay(date)) < now.getTime();
}

/** Overdue steps are re-alerted weekly; an open-ended wait (no escalation window) is re-checked monthly. */
export const STILL_OVERDUE_SECONDS = 7 * DAY_SECONDS;
export const OPEN_ENDED_RECHECK_SECONDS = 30 * DAY_SECONDS;

function secondsUntil(instant: string, now: Date): number {
  return Math.max(1, Math.ceil((Date.parse(instant) - now.getTime()) / 1000));
}

export function casePosition(state: CaseState, ctx: CaseContext, now: Date): CasePosition {
  const position = stepPosition(state, ctx, now);
  const actionDue = actionFollowUps(state, ctx, now)
    .map((followUp) => followUp.at)
    .sort()[0];
  if (position.step === 'closed' || position.step === 'ready-to-close' || !actionDue) return position;
  const untilAction = Date.parse(actionDue) <= now.getTime() ? 1 : secondsUntil(actionDue, now);
  if (untilAction >= position.timeoutSeconds) return position;
  // An outstanding action's reminder or breach falls before the step's own next check: wake for it (the
  // check alerts, then the step waits again).
  return {
    ...position,
    timeoutSeconds: untilAction,
    waitUntil: new Date(now.getTime() + untilAction * 1000).toISOString(),
    nextCheck: 'recheck',
  };
}

/** Whether an action's reminder and breach have been recorded, keyed on the action and the end of its date. */
export function actionAlerts(
  state: CaseState,
  action: OutstandingAction,
): { dueAt: Instant; reminded: boolean; breached: boolean } {
  const dueAt = endOfLondonDay(action.dueDate);
  const recorded = (list: ReadonlyArray<{ actionId?: string; dueAt: string }>) =>
    list.some((entry) => entry.actionId === action.actionId && entry.dueAt === dueAt);
  return { dueAt, reminded: recorded(state.remindersSent), breached: recorded(state.breaches) };
}

/** The next alert an open outstanding action is owed: its owner reminded before its date, managers after. */
export interface ActionFollowUp {
  action: OutstandingAction;
  alert: 'reminder' | 'breach';
  /** When the alert falls due. */
  at: Instant;
  /** The end of the action's date: the key its reminder and breach are recorded under. */
  dueAt: Instant;
}

/**
 * One entry per open action not yet breached: the reminder (09:00, the profile's lead time before its date)
 * until it is sent, then the breach (just after its date ends). Each is recorded once per action and date.
 * `at` may be in the past: the alert is overdue and the next check sends it.
 */
export function actionFollowUps(state: CaseState, ctx: CaseContext, now: Date): ActionFollowUp[] {
  return openActions(state).flatMap((action): ActionFollowUp[] => {
    const { dueAt, reminded, breached } = actionAlerts(state, action);
    if (breached) return [];
    // Once the date has passed, a reminder no one was sent is moot: the breach is what is owed.
    if (!reminded && now.getTime() <= Date.parse(dueAt)) {
      const at = ctx.clocks.reminder({ dueDate: action.dueDate });
      if (at < dueAt) return [{ action, alert: 'reminder', at, dueAt }];
    }
    return [{ action, alert: 'breach', at: new Date(Date.parse(dueAt) + 1).toISOString(), dueAt }];
  });
}

function stepPosition(state: CaseState, ctx: CaseContext, now: Date): CasePosition {
  const base = {
    caseId: state.caseId,
    reference: state.reference,
    status: state.status,
    lettersOwed: state.lettersOwed.length,
  };
  const plain = (step: PositionStep, timeoutSeconds = 1): CasePosition => ({
    ...base,
    step,
    timeoutSeconds,
    waitUntil: new Date(now.getTime() + timeoutSeconds * 1000).toISOString(),
    nextCheck: 'recheck',
  });
  const pending = pendingStep(state, ctx);
  if (!pending) return plain('closed');
  const role = ROLE_FOR_STEP[pending.step];
  const open = openActions(state);

  if (pending.step === 'escalation-window') {
    const window = pending.deadline;
    if (!window) return { ...plain('escalation-window', OPEN_ENDED_RECHECK_SECONDS), role };
    if (Date.parse(window.dueAt) <= now.getTime()) {
      return open.length > 0 ? outstandingActions(ctx, now, state, base) : plain('ready-to-close');
    }
    const timeoutSeconds = secondsUntil(window.dueAt, now);
    return {
      ...plain('escalation-window', timeoutSeconds),
      role,
      dueAt: window.dueAt,
      nextCheck: 'window-end',
    };
  }
  if (pending.step === 'outstanding-actions') {
    return open.length > 0 ? outstandingActions(ctx, now, state, base) : plain('ready-to-close');
  }

  const due = pending.deadline;
  if (!due) return { ...plain(pending.step, OPEN_ENDED_RECHECK_SECONDS), role };
  const { reminded, breached } = deadlineAlerts(state, due.dueAt);
  const reminderAt = pending.reminderAt;
  const nowMs = now.getTime();
  let nextCheck: CasePosition['nextCheck'];
  let timeoutSeconds: number;
  if (
    !reminded &&
    reminderAt &&
    Date.parse(reminderAt) > nowMs &&
    Date.parse(reminderAt) < Date.parse(due.dueAt)
  ) {
    nextCheck = 'reminder';
    timeoutSeconds = secondsUntil(reminderAt, now);
  } else if (!breached) {
    nextCheck = 'breach';
    // Just after the last millisecond of the due date, so the breach is never recorded early.
    timeoutSeconds = secondsUntil(new Date(Date.parse(due.dueAt) + 1).toISOString(), now);
  } else {
    nextCheck = 'still-overdue';
    timeoutSeconds = STILL_OVERDUE_SECONDS;
  }
  return {
    ...plain(pending.step, timeoutSeconds),
    role,
    dueAt: due.dueAt,
    reminderAt,
    nextCheck,
  };
}

/**
 * After the final response (or the stage 2 window) with actions open, the machine waits until the next alert
 * an action is owed (its reminder, then its breach) and checks then; once every open action has been alerted
 * as missed, it re-checks weekly until they are done. A completed action is noticed at the next of these checks.
 */
function outstandingActions(
  ctx: CaseContext,
  now: Date,
  state: CaseState,
  base: Pick<CasePosition, 'caseId' | 'reference' | 'status' | 'lettersOwed'>,
): CasePosition {
  const next = actionFollowUps(state, ctx, now)
    .map((followUp) => followUp.at)
    .sort()[0];
  const timeoutSeconds = next
    ? Date.parse(next) <= now.getTime()
      ? 1
      : secondsUntil(next, now)
    : STILL_OVERDUE_SECONDS;
  return {
    ...base,
    step: 'outstanding-actions',
    role: 'handler',
    timeoutSeconds,
    waitUntil: new Date(now.getTime() + timeoutSeconds * 1000).toISOString(),
    nextCheck: 'recheck',
  };
}
