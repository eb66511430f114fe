import { type Actor, applyCaseEvent, type CaseEvent, type CaseState } from '../domain/case.ts';
import { DomainError, NotFoundError } from '../domain/errors.ts';
import { heldCopyKey, recordKeys } from '../domain/records.ts';
import type { AttachmentStore, StoredAttachment } from '../ports/attachments.ts';
import { loadCase, recordEvent } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';

/** Every raw email of a case, in the order received: the one that opened it, then the replies. */
export function rawEmailsOf(state: CaseState): Array<{ messageId: string; rawKey: string }> {
  return [...(state.email ? [state.email] : []), ...(state.emails ?? [])].map(({ messageId, rawKey }) => ({
    messageId,
    rawKey,
  }));
}

/**
 * One raw email of a case (by its place in {@link rawEmailsOf}) for a member of staff. The access is
 * recorded on the case before the bytes are returned: it holds the sender's personal data in full.
 */
export async function downloadRawEmail(
  deps: AppDependencies,
  caseId: string,
  index: number,
  by: Extract<Actor, { kind: 'staff' }>,
): Promise<{ bytes: Uint8Array; fileName: string }> {
  const { state } = await loadCase(deps, caseId);
  const email = rawEmailsOf(state)[index];
  if (!email) throw new NotFoundError('There is no such email on this case');
  const stored = await readRawEmail(deps, email.rawKey);
  if (!stored) throw new NotFoundError('The email is no longer in the inbound store');
  await recordEvent(
    deps,
    caseId,
    (_state, at) => ({ type: 'raw-email-downloaded', at, by, messageId: email.messageId }),
    state,
    { projectionMayLag: true },
  );
  return { bytes: stored.bytes, fileName: `${state.reference}-email-${index + 1}.eml` };
}

/**
 * A raw email as received: the original, or the copy a legal hold kept once the inbound bucket's expiry has
 * taken the original. Without s3:ListBucket a missing original reads as AccessDenied, so a failed read is
 * thrown only when there is no copy either.
 */
export async function readRawEmail(
  deps: AppDependencies,
  rawKey: string,
): Promise<StoredAttachment | undefined> {
  const store = deps.inboundEmail;
  let failure: unknown;
  for (const key of [rawKey, heldCopyKey(rawKey)]) {
    try {
      const stored = await store?.get(key);
      if (stored) return stored;
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure) throw failure;
  return undefined;
}

/**
 * Copies raw emails out of the inbound bucket's expiry (a held case's: the hold must outlive it). Each copy is
 * a put of the same bytes, so doing it again changes nothing; an original already gone has nothing to copy.
 * Returns the keys of the copies written (so a hold that is then refused can take back its own).
 */
export async function keepRawEmails(deps: AppDependencies, rawKeys: readonly string[]): Promise<string[]> {
  if (rawKeys.length === 0) return [];
  const store = deps.inboundEmail;
  if (!store)
    throw new Error('Raw emails must be kept for a legal hold but this function has no inbound store');
  const written = await Promise.all(
    rawKeys.map(async (key) => {
      const stored = await store.get(key);
      if (!stored) return undefined;
      await store.put(heldCopyKey(key), stored.bytes, stored.contentType);
      return heldCopyKey(key);
    }),
  );
  return written.filter((key) => key !== undefined);
}

/**
 * Before a legal hold is recorded, its case's raw emails are kept (copied first, so a hold never stands with
 * them still expiring; a failed copy leaves no hold, and the manager tries again). The hold is checked as
 * recording it would check it, so a hold the case refuses copies nothing. Returns the copies written, for
 * {@link discardHeldCopies} should recording the hold then fail.
 */
export async function keepRawEmailsForHold(
  deps: AppDependencies,
  caseId: string,
  hold: Extract<CaseEvent, { type: 'legal-hold-set' }>,
): Promise<string[]> {
  const { events, state } = await loadCase(deps, caseId);
  applyCaseEvent(state, hold, deps.context, caseId);
  return keepRawEmails(deps, recordKeys(events).rawEmails);
}

/**
 * A hold that was not recorded after its copies were written takes them back: no expiry covers `held/` and
 * the retention job never lists an anonymised case again, so a copy written while an erasure or the retention
 * job anonymised the case (between our read and our write) would keep the resident's email for good. That
 * case must lose them. After any other failure they go only if the case holds no hold (another manager's,
 * recorded meanwhile, needs the same copies), and as best effort: the original is kept either way.
 */
export async function discardHeldCopies(
  deps: AppDependencies,
  caseId: string,
  copies: readonly string[],
  failure: unknown,
): Promise<void> {
  const store = deps.inboundEmail;
  if (!store || copies.length === 0) return;
  const anonymised = failure instanceof DomainError && failure.code === 'ANONYMISED';
  if (anonymised) {
    await deleteCopies(store, copies);
    return;
  }
  try {
    const { state } = await loadCase(deps, caseId);
    if (!state.legalHold) await deleteCopies(store, copies);
  } catch {
    // Best effort: the failure the manager is told about is the hold's, and the copy duplicates the original.
  }
}

/**
 * A reply recorded on a held case keeps its raw email too ({@link keepRawEmails}), after the reply is in the
 * case's log. Between the copy's read and its write the hold can be released and the case anonymised (an
 * erasure, the retention job): anonymisation deletes the copies there are when it runs and never reads the case
 * again, so a copy written after it would keep the sender's email for good. So the case is read again once the
 * copy is written: anonymised by then, the copy is deleted. An anonymisation recorded after that read deletes
 * it itself (its log names the reply, and its deletions come after its record, so after our write).
 */
export async function keepRawEmailsForReply(
  deps: AppDependencies,
  caseId: string,
  rawKey: string,
): Promise<void> {
  const copies = await keepRawEmails(deps, [rawKey]);
  if (copies.length === 0 || !deps.inboundEmail) return;
  const { state } = await loadCase(deps, caseId);
  if (state.anonymised) await deleteCopies(deps.inboundEmail, copies);
}

const deleteCopies = (store: AttachmentStore, copies: readonly string[]) =>
  Promise.all(copies.map((key) => store.delete(key)));
