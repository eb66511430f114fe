import {
  type Actor,
  type CaseEvent,
  type CaseState,
  type DeletableRecordKind,
  foldCase,
  type StaffRole,
} from '../domain/case.ts';
import { messageKey } from '../domain/email.ts';
import { DomainError } from '../domain/errors.ts';
import {
  anonymiseEvent,
  heldCopyKey,
  messageIds,
  type RetentionStep,
  recordCounts,
  recordKeys,
  retentionStep,
  shortestRetentionYears,
  yearsBefore,
} from '../domain/records.ts';
import { caseLookups, loadCase, recordEvent } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';

/**
 * The retention job (UK GDPR storage limitation): each day it reads the closed cases past the shortest
 * retention period (one Query of the closed-cases index, never a scan), and for each one the profile's
 * `retention` reaches, deletes the kinds of record due, or anonymises the case once the case itself is due.
 * Each change is recorded on the case first, with a condition on its sequence number, and carried out after:
 * a legal hold set at the same moment either lands first (and the case is left alone) or is refused.
 */

/** Who the retention job records its events as. */
export const RETENTION_ACTOR: Actor = { kind: 'system', id: 'retention' };

/** One case in a retention run: what it does (or, in a dry run, would do). */
export interface RetentionItem {
  caseId: string;
  reference: string;
  closedAt: string;
  step: Exclude<RetentionStep, { action: 'none' }>;
  /** Set when the run did not finish this case: why (it is tried again at the next run). */
  failed?: string;
}

export interface RetentionReport {
  at: string;
  dryRun: boolean;
  /** Closed cases before this instant were read (the shortest retention period ago). */
  closedBefore: string;
  items: RetentionItem[];
}

/** What the next run does (dryRun) or what this run did. */
export async function runRetention(
  deps: AppDependencies,
  options: { dryRun: boolean },
): Promise<RetentionReport> {
  const now = deps.clock.now();
  const { retention } = deps.context.profile;
  const closedBefore = yearsBefore(now, shortestRetentionYears(retention));
  const candidates = await deps.repository.listClosedBefore(closedBefore);
  const items: RetentionItem[] = [];
  for (const state of candidates) {
    const step = retentionStep(state, retention, now);
    if (step.action === 'none') continue;
    const item: RetentionItem = {
      caseId: state.caseId,
      reference: state.reference,
      closedAt: state.closedAt ?? '',
      step,
    };
    items.push(item);
    if (options.dryRun || step.action === 'held') continue;
    try {
      if (step.action === 'anonymise') await anonymiseCase(deps, state.caseId, 'retention', RETENTION_ACTOR);
      else await deleteRecords(deps, state.caseId, step.kinds);
    } catch (error) {
      // A hold set meanwhile is what the condition is for; anything else is retried at the next run.
      if (error instanceof DomainError && error.code === 'LEGAL_HOLD') {
        item.step = { action: 'held', reason: 'a legal hold was set while the run was deciding' };
        continue;
      }
      item.failed = error instanceof Error ? error.message : String(error);
    }
  }
  return { at: now.toISOString(), dryRun: options.dryRun, closedBefore, items };
}

/** The dry run staff see (managers and admins: it lists cases by reference). */
export async function retentionDryRun(deps: AppDependencies, role: StaffRole): Promise<RetentionReport> {
  if (role !== 'manager' && role !== 'admin') {
    throw new DomainError(
      'FORBIDDEN',
      `What retention will do is for managers and admins; you are signed in as a ${role}`,
    );
  }
  return runRetention(deps, { dryRun: true });
}

/** Deletes the stored files and letters of these kinds (each delete is idempotent: a rerun repeats it). */
async function deleteFiles(
  deps: AppDependencies,
  caseId: string,
  events: readonly CaseEvent[],
  kinds: readonly DeletableRecordKind[],
): Promise<void> {
  const keys = recordKeys(events);
  if (kinds.includes('attachments')) {
    await Promise.all(keys.attachments.map((key) => deps.attachments.delete(key)));
  }
  if (kinds.includes('rawEmail') && keys.rawEmails.length > 0) {
    const store = deps.inboundEmail;
    if (!store) throw new Error('Raw emails are due for deletion but this function has no inbound store');
    // A held copy goes with its original (a case once held keeps one until now).
    await Promise.all(keys.rawEmails.flatMap((key) => [store.delete(key), store.delete(heldCopyKey(key))]));
  }
  if (kinds.includes('letters')) await deps.letters.deleteCase(caseId);
}

/**
 * The records of the case's emails kept beside its log: each received message's inbound record is scrubbed
 * (kept, so a second delivery of it is still a duplicate) and each sent message's id forgotten (it threaded
 * replies onto the case, and nothing more can be added to an anonymised case; a reply to its signed reply
 * address is still held for staff). Both idempotent.
 */
async function forgetMessages(deps: AppDependencies, events: readonly CaseEvent[]): Promise<void> {
  const { received, sent } = messageIds(events);
  await Promise.all(received.map((id) => deps.repository.scrubInboundEmail(messageKey(id))));
  await Promise.all(sent.map((id) => deps.repository.forgetLetterMessageId(id)));
}

/** Deletes kinds of record ahead of the case (recorded first, with no personal data). */
export async function deleteRecords(
  deps: AppDependencies,
  caseId: string,
  kinds: readonly DeletableRecordKind[],
): Promise<CaseState> {
  const loaded = await loadCase(deps, caseId);
  const { state } = await recordEvent(
    deps,
    caseId,
    (_current, at) => ({
      type: 'records-deleted',
      at,
      by: RETENTION_ACTOR,
      kinds: [...kinds],
      counts: recordCounts(loaded.events, kinds, 0),
    }),
    loaded.state,
    { project: false },
  );
  await deleteFiles(deps, caseId, loaded.events, kinds);
  await deps.repository.saveProjection(state, caseLookups(deps, state));
  return state;
}

/**
 * Removes the case's personal data: records `anonymised` (refused under a legal hold or while open), then
 * deletes its files, letters and search entries, scrubs its emails' inbound records and forgets its sent
 * message ids, replaces the personal values in every event
 * (`anonymiseEvent`) and saves the projection folded from them, which takes it off the closed-cases list. A
 * case recorded as anonymised whose projection was not yet saved (a run that stopped) is finished here.
 */
export async function anonymiseCase(
  deps: AppDependencies,
  caseId: string,
  trigger: 'retention' | 'erasure',
  by: Actor,
): Promise<CaseState> {
  let { events, state } = await loadCase(deps, caseId);
  if (!state.anonymised) {
    const lookups = caseLookups(deps, state);
    const lookupCount =
      lookups.contacts.length + lookups.names.length + (lookups.correspondents?.length ?? 0);
    const before = events;
    await recordEvent(
      deps,
      caseId,
      (_current, at) => ({
        type: 'anonymised',
        at,
        by,
        trigger,
        counts: recordCounts(before, ['attachments', 'letters', 'rawEmail'], lookupCount),
      }),
      state,
      { project: false },
    );
    ({ events, state } = await loadCase(deps, caseId));
  }
  // Files and the messages' own records first, while the events still name them; then the events lose the names.
  await deleteFiles(deps, caseId, events, ['attachments', 'letters', 'rawEmail']);
  await forgetMessages(deps, events);
  await deps.repository.removeLookups(caseId);
  const scrubbed = events.map(anonymiseEvent);
  await deps.repository.rewriteEvents(caseId, scrubbed);
  const anonymised = foldCase(caseId, scrubbed, deps.context);
  await deps.repository.saveProjection(anonymised, caseLookups(deps, anonymised));
  return anonymised;
}
