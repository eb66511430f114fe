import type { Retention } from '../policy/profile.ts';
import type { Instant } from '../time/london.ts';
import {
  type CaseEvent,
  type CaseState,
  type Complainant,
  DELETABLE_RECORD_KINDS,
  type DeletableRecordKind,
  type RecordCounts,
} from './case.ts';
import type { EmailAddress } from './email.ts';

/**
 * Records management (UK GDPR storage limitation and erasure): which closed cases retention reaches, and what
 * anonymising a case leaves of each event. Pure: the use case (shared/usecases/retention.ts) does the I/O.
 */

/** What replaces a personal value: the same everywhere, so a scrubbed log folds as the original did. */
export const REMOVED = '[removed]';

const REMOVED_ADDRESS: EmailAddress = { address: REMOVED };

/**
 * Where a held case's raw emails are copied in the inbound store: the inbound bucket's expiry (counted from
 * receipt) applies only to the prefix SES writes to, so a copy here outlives it until the retention job deletes
 * it with the case's other raw email (docs/operations.md, "Legal hold").
 */
export const HELD_RAW_EMAIL_PREFIX = 'held/';

/** The key of a raw email's held copy. */
export const heldCopyKey = (rawKey: string): string => `${HELD_RAW_EMAIL_PREFIX}${rawKey}`;

/** The instant `years` calendar years after `instant` (29 February moves to 1 March). */
export function yearsAfter(instant: Instant, years: number): Instant {
  const date = new Date(instant);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.toISOString();
}

/** The instant `years` calendar years before `now`: cases closed before it are past that retention. */
export function yearsBefore(now: Date, years: number): Instant {
  return yearsAfter(now.toISOString(), -years);
}

/** The shortest retention of any kind: no closed case more recent than this is due for anything. */
export function shortestRetentionYears(retention: Retention): number {
  return Math.min(retention.case, ...DELETABLE_RECORD_KINDS.map((kind) => retention[kind]));
}

/** What the next retention run does to one closed case. */
export type RetentionStep =
  | { action: 'anonymise'; kinds: DeletableRecordKind[] }
  | { action: 'delete'; kinds: DeletableRecordKind[] }
  | { action: 'held'; reason: string }
  | { action: 'none' };

/**
 * What retention does to the case now: anonymise it once the case's own period has passed (deleting every kind
 * of record with it, even one kept longer: an anonymised case has no one to keep them for), otherwise delete the
 * kinds whose own periods have passed. A held, open or already anonymised case is left alone.
 */
export function retentionStep(state: CaseState, retention: Retention, now: Date): RetentionStep {
  if (state.status !== 'closed' || !state.closedAt || state.anonymised) return { action: 'none' };
  const closedAt = state.closedAt;
  const due = (years: number) => yearsAfter(closedAt, years) <= now.toISOString();
  const kindsDue = DELETABLE_RECORD_KINDS.filter(
    (kind) => due(retention[kind]) && !state.recordsDeleted?.includes(kind),
  );
  const anonymise = due(retention.case);
  if (!anonymise && kindsDue.length === 0) return { action: 'none' };
  if (state.legalHold) return { action: 'held', reason: state.legalHold.reason };
  if (anonymise) return { action: 'anonymise', kinds: [...DELETABLE_RECORD_KINDS] };
  return { action: 'delete', kinds: kindsDue };
}

/** The stored files the case's events name: attachments (the resident's and emailed ones) and raw emails. */
export function recordKeys(events: readonly CaseEvent[]): { attachments: string[]; rawEmails: string[] } {
  const attachments = new Set<string>();
  const rawEmails = new Set<string>();
  for (const event of events) {
    if (event.type === 'received') {
      for (const file of event.complaint.attachments ?? []) attachments.add(file.key);
      if (event.email) rawEmails.add(event.email.rawKey);
    }
    if (event.type === 'email-received') {
      for (const file of event.attachments ?? []) attachments.add(file.key);
      rawEmails.add(event.rawKey);
    }
  }
  return { attachments: [...attachments], rawEmails: [...rawEmails] };
}

/**
 * The messages the case's events name, outside its own log: the Message-IDs of the emails it received (each
 * has an inbound email record) and the ids of the emails it sent (each remembered for threading replies).
 * Ids already anonymised are left out, so a run that stopped after rewriting the events finds nothing more.
 */
export function messageIds(events: readonly CaseEvent[]): { received: string[]; sent: string[] } {
  const received = new Set<string>();
  const sent = new Set<string>();
  for (const event of events) {
    if (event.type === 'received' && event.email) received.add(event.email.messageId);
    if (event.type === 'email-received') received.add(event.messageId);
    if (event.type === 'correspondence-sent' && event.channel === 'email' && event.messageId) {
      sent.add(event.messageId);
    }
  }
  const kept = (ids: Set<string>) => [...ids].filter((id) => id !== REMOVED);
  return { received: kept(received), sent: kept(sent) };
}

/** Letters for post the case has on file (each `correspondence-sent` by post stored one). */
export function postedLetters(events: readonly CaseEvent[]): number {
  return events.filter((event) => event.type === 'correspondence-sent' && event.channel === 'post').length;
}

/** How many of each record these kinds hold, from the events (the counts recorded before they are deleted). */
export function recordCounts(
  events: readonly CaseEvent[],
  kinds: readonly DeletableRecordKind[],
  lookups: number,
): RecordCounts {
  const keys = recordKeys(events);
  return {
    attachments: kinds.includes('attachments') ? keys.attachments.length : 0,
    letters: kinds.includes('letters') ? postedLetters(events) : 0,
    rawEmails: kinds.includes('rawEmail') ? keys.rawEmails.length : 0,
    lookups,
  };
}

function anonymiseComplainant(complainant: Complainant): Complainant {
  return {
    name: REMOVED,
    preferredContact: complainant.preferredContact,
    ...(complainant.email !== undefined ? { email: REMOVED } : {}),
    ...(complainant.phone !== undefined ? { phone: REMOVED } : {}),
    ...(complainant.address !== undefined ? { address: REMOVED } : {}),
    ...(complainant.reasonableAdjustments !== undefined ? { reasonableAdjustments: REMOVED } : {}),
    ...(complainant.vulnerability !== undefined ? { vulnerability: REMOVED } : {}),
    ...(complainant.representative
      ? {
          representative: {
            name: REMOVED,
            relationship: REMOVED,
            consentRecorded: true as const,
            ...(complainant.representative.email !== undefined ? { email: REMOVED } : {}),
            ...(complainant.representative.phone !== undefined ? { phone: REMOVED } : {}),
          },
        }
      : {}),
  };
}

/**
 * The event with every value that can identify someone replaced: the resident's details, anything staff or the
 * resident wrote in their own words (which can name anyone), email addresses, subjects and message ids, file
 * names. What the figures count is kept: types, times, stages, decisions, exclusion codes, extension reasons
 * (the profile's list), compensation amounts, themes and root causes, action ids and dates, and who on the staff
 * acted (staff ids, needed for the Code's different-person rule). Anonymising twice gives the same event.
 */
export function anonymiseEvent(event: CaseEvent): CaseEvent {
  switch (event.type) {
    case 'received':
      return {
        ...event,
        complainant: anonymiseComplainant(event.complainant),
        complaint: {
          ...event.complaint,
          whatHappened: REMOVED,
          outcomeWanted: REMOVED,
          ...(event.complaint.attachments ? { attachments: [] } : {}),
        },
        ...(event.email
          ? {
              email: {
                ...event.email,
                messageId: REMOVED,
                rawKey: REMOVED,
                from: REMOVED_ADDRESS,
                subject: REMOVED,
                flags: [],
                refusedAttachments: [],
                ...(event.email.forwardedBy ? { forwardedBy: REMOVED_ADDRESS } : {}),
              },
            }
          : {}),
      };
    case 'triaged':
      if (event.outcome === 'not-accepted') {
        return {
          ...event,
          rationale: REMOVED,
          ...(event.legalProceedings
            ? {
                legalProceedings: {
                  ...event.legalProceedings,
                  ...(event.legalProceedings.claimNumber ? { claimNumber: REMOVED } : {}),
                },
              }
            : {}),
          ...(event.outOfTimeReason !== undefined ? { outOfTimeReason: REMOVED } : {}),
        };
      }
      return event.outcome === 'service-request'
        ? { ...event, notes: REMOVED }
        : { ...event, ...(event.notes !== undefined ? { notes: REMOVED } : {}) };
    case 'acknowledged':
      return { ...event, definition: REMOVED, outcomesSought: event.outcomesSought.map(() => REMOVED) };
    case 'extension-granted':
      return { ...event, explanation: REMOVED };
    case 'related-issue-added':
      return { ...event, description: REMOVED };
    case 'response-issued': {
      const { letter } = event;
      return {
        ...event,
        letter: {
          ...letter,
          complaintDefinition: REMOVED,
          reasons: REMOVED,
          remedy:
            letter.remedy === 'none'
              ? 'none'
              : {
                  description: REMOVED,
                  ...(letter.remedy.compensationPounds !== undefined
                    ? { compensationPounds: letter.remedy.compensationPounds }
                    : {}),
                },
          ...(letter.noRemedyReason !== undefined ? { noRemedyReason: REMOVED } : {}),
          outstandingActions:
            letter.outstandingActions === 'none'
              ? 'none'
              : letter.outstandingActions.map((action) => ({
                  ...action,
                  description: REMOVED,
                  owner: REMOVED,
                })),
        },
      };
    }
    case 'escalation-requested':
      return {
        ...event,
        ...(event.reason !== undefined ? { reason: REMOVED } : {}),
        ...(event.fromEmail !== undefined ? { fromEmail: REMOVED } : {}),
      };
    case 'action-added':
      return { ...event, description: REMOVED, owner: REMOVED };
    case 'action-completed':
      return { ...event, note: REMOVED };
    case 'withdrawn':
      return { ...event, ...(event.reason !== undefined ? { reason: REMOVED } : {}) };
    case 'ombudsman-referral-recorded':
      return { ...event, ...(event.notes !== undefined ? { notes: REMOVED } : {}) };
    case 'note-added':
      return { ...event, text: REMOVED };
    case 'remedy-paid':
      return { ...event, description: REMOVED };
    case 'satisfaction-recorded':
      return { ...event, how: REMOVED };
    case 'ombudsman-outcome-recorded':
      return { ...event, ...(event.notes !== undefined ? { notes: REMOVED } : {}) };
    case 'correspondence-sent':
      return {
        ...event,
        recipient: REMOVED,
        ...(event.messageId !== undefined ? { messageId: REMOVED } : {}),
      };
    case 'correspondence-failed':
      return { ...event, reason: REMOVED };
    case 'email-received':
      return {
        ...event,
        messageId: REMOVED,
        from: REMOVED_ADDRESS,
        subject: REMOVED,
        text: REMOVED,
        rawKey: REMOVED,
        ...(event.attachments ? { attachments: [] } : {}),
        ...(event.refusedAttachments ? { refusedAttachments: [] } : {}),
        ...(event.flags ? { flags: [] } : {}),
      };
    case 'raw-email-downloaded':
      return { ...event, messageId: REMOVED };
    case 'closed':
      return { ...event, ...(event.residentSatisfied !== undefined ? { residentSatisfied: REMOVED } : {}) };
    case 'erasure-decided':
    case 'rectified':
    case 'legal-hold-set':
    case 'legal-hold-released':
      return event.type === 'rectified'
        ? { ...event, value: REMOVED, reason: REMOVED }
        : { ...event, reason: REMOVED };
    case 'escalation-refused':
      // The reason and the dates stay (the figures); the email's id goes with the email.
      return event.fromEmail === undefined ? event : { ...event, fromEmail: REMOVED };
    case 'category-recorded':
    case 'subject-access-exported':
    case 'deadlines-recalculated':
    case 'evidence-pack-prepared':
    case 'reminder-sent':
    case 'deadline-breached':
    case 'records-deleted':
    case 'anonymised':
      return event;
  }
}
