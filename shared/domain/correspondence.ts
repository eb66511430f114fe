import type { CaseEvent } from './case.ts';

/** Letters and emails a resident (or their representative) is owed when an event happens. */
export const RESIDENT_TEMPLATES = [
  'complaint-received',
  'not-accepted',
  'service-request',
  'stage1-acknowledgement',
  'extension-notice',
  'stage1-response',
  'stage2-acknowledgement',
  'final-response',
  'withdrawal-confirmed',
  'case-closed',
  'deadline-missed',
  'due-date-moved',
] as const;
export type ResidentTemplate = (typeof RESIDENT_TEMPLATES)[number];

/** Alerts to staff; sent by the workflow tasks that notice the moment, not owed per event. */
export const STAFF_ALERTS = ['new-task', 'reminder', 'breach', 'still-overdue', 'email-received'] as const;
export type StaffAlert = (typeof STAFF_ALERTS)[number];

export function templateFor(event: CaseEvent): ResidentTemplate | undefined {
  switch (event.type) {
    case 'received':
      return 'complaint-received';
    case 'triaged':
      return event.outcome === 'complaint' ? undefined : event.outcome;
    case 'acknowledged':
      return event.stage === 1 ? 'stage1-acknowledgement' : 'stage2-acknowledgement';
    case 'extension-granted':
      return 'extension-notice';
    case 'response-issued':
      return event.stage === 1 ? 'stage1-response' : 'final-response';
    case 'withdrawn':
      return 'withdrawal-confirmed';
    case 'deadline-breached':
      // Only a deadline the resident was given carries a new date; an outstanding action's does not.
      return event.newDueDate ? 'deadline-missed' : undefined;
    case 'deadlines-recalculated':
      // A date kept as given needs no letter: only a later one is news to the resident.
      return event.direction === 'later' ? 'due-date-moved' : undefined;
    case 'closed':
      return event.reason === 'escalation-window-ended' || event.reason === 'resolved-at-stage-1'
        ? 'case-closed'
        : undefined;
    default:
      return undefined;
  }
}

export interface OwedLetter {
  template: ResidentTemplate;
  /** template#seq: the idempotency key recorded with the correspondence event. */
  key: string;
  seq: number;
  event: CaseEvent;
}

/**
 * Every resident letter the event log calls for that has not yet been sent (or recorded as failed), in
 * order. Each is keyed on its triggering event (`template#seq`): a letter recorded as sent is never owed again,
 * but one that left without its record being written (the process stopped between) is owed again, under the
 * same key: delivery is at least once (docs/operations.md#at-least-once-delivery).
 */
export function lettersOwed(events: readonly CaseEvent[]): OwedLetter[] {
  const done = new Set(
    events.flatMap((event) =>
      event.type === 'correspondence-sent' || event.type === 'correspondence-failed' ? [event.key] : [],
    ),
  );
  const owed: OwedLetter[] = [];
  events.forEach((event, index) => {
    const template = templateFor(event);
    if (!template) return;
    const seq = index + 1;
    const key = `${template}#${seq}`;
    if (!done.has(key)) owed.push({ template, key, seq, event });
  });
  return owed;
}
