import type { ProviderProfile } from '../policy/profile.ts';
import type { CivilDate, Instant } from '../time/london.ts';
import { type CaseEvent, caseContext, foldCase, pendingStep, type Step } from './case.ts';

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

/**
 * The due date of an open case's pending step under each profile. The reducer computes every due date from the
 * profile's calendar and timescales, so folding the same log under both shows exactly what a change would move;
 * a date already past is history (met or breached) and is left alone.
 */
export function deadlineChange(
  caseId: string,
  events: readonly CaseEvent[],
  oldProfile: ProviderProfile,
  newProfile: ProviderProfile,
  /** Now, from the caller's Clock. */
  now: Instant,
): DeadlineChange | undefined {
  const oldCtx = caseContext(oldProfile);
  const before = foldCase(caseId, events, oldCtx);
  const oldDeadline = pendingStep(before, oldCtx)?.deadline;
  if (!oldDeadline || before.status === 'closed') return undefined;
  if (oldDeadline.dueAt < now) return undefined;
  const newCtx = caseContext(newProfile);
  const after = foldCase(caseId, events, newCtx);
  const pending = pendingStep(after, newCtx);
  const newDueDate = pending?.deadline?.dueDate;
  if (!pending || !newDueDate || newDueDate === oldDeadline.dueDate) return undefined;
  const later = newDueDate > oldDeadline.dueDate;
  return {
    caseId,
    reference: before.reference,
    step: pending.step,
    oldDueDate: oldDeadline.dueDate,
    newDueDate: later ? newDueDate : oldDeadline.dueDate,
    direction: later ? 'later' : 'kept',
  };
}
