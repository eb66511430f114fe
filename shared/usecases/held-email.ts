import type { Actor } from '../domain/case.ts';
import { HELD_EMAIL_ROLES, type HeldEmail, messageKey } from '../domain/email.ts';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../domain/errors.ts';
import type { HeldEmailHandling, InboundEmailRecord } from '../ports/case-repository.ts';
import { nowIso } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import { type Checked, openCase, recordReply } from './email-intake.ts';
import { readRawEmail } from './raw-email.ts';
import { normaliseReference } from './search.ts';

type Staff = Extract<Actor, { kind: 'staff' }>;

export interface HeldEmailRecord extends InboundEmailRecord {
  held: HeldEmail;
}

function requireRole(by: Staff): void {
  if (!HELD_EMAIL_ROLES.includes(by.role)) {
    throw new DomainError(
      'FORBIDDEN',
      `Held email is for complaint handlers and managers; a ${by.role} cannot read or act on it`,
    );
  }
}

/** The messages waiting for staff, newest first. */
export async function listHeldEmails(deps: AppDependencies, by: Staff): Promise<HeldEmailRecord[]> {
  requireRole(by);
  return (await deps.repository.listHeldEmails()).filter((record): record is HeldEmailRecord =>
    Boolean(record.held),
  );
}

/** A message that was held, by its key (`messageKey` of its Message-ID), with what became of it since. */
export async function heldEmail(deps: AppDependencies, key: string, by: Staff): Promise<HeldEmailRecord> {
  requireRole(by);
  const record = await deps.repository.getInboundEmail(key);
  if (!record?.held) throw new NotFoundError('There is no held email like that: check the link');
  return record as HeldEmailRecord;
}

/** The raw message as it arrived, for staff to download (always as an attachment, never shown); recorded. */
export async function downloadHeldEmail(
  deps: AppDependencies,
  key: string,
  by: Staff,
): Promise<{ bytes: Uint8Array; fileName: string }> {
  const { held } = await heldEmail(deps, key, by);
  const stored = await readRawEmail(deps, held.rawKey);
  if (!stored) throw new NotFoundError('The email is no longer in the inbound store');
  // Recorded before the bytes are returned, as a case's raw email downloads are.
  await deps.repository.recordInboundAccess(key, {
    by: by.id,
    ...(by.email ? { byEmail: by.email } : {}),
    at: nowIso(deps),
  });
  return { bytes: stored.bytes, fileName: `held-email-${key.slice(0, 12)}.eml` };
}

const ACTION_WORDS: Record<HeldEmailHandling['action'], string> = {
  attach: 'attaching it to a case',
  open: 'opening a new case from it',
};

/**
 * How long a claim keeps others off. A holder that stopped part-way (a closed tab, a failed request never
 * retried) would otherwise leave the message held for good, finishable only by them; after the lease anyone
 * may finish the same work. Well past the page function's 30-second timeout, so a request still running is
 * never overtaken (and each step after the claim is idempotent if one were).
 */
export const HELD_CLAIM_LEASE_MS = 2 * 60_000;

/**
 * Claims the held message for this action, once: two members of staff acting on it at the same moment get
 * one success and one clear refusal (409). The same person repeating the same action (a retry after a
 * failure part-way) goes on, and each step after the claim can be repeated without doing it twice; after
 * the lease, another member of staff may take the claim over to finish the same work.
 */
async function claim(deps: AppDependencies, record: HeldEmailRecord, handling: HeldEmailHandling) {
  const key = messageKey(record.messageId);
  const now = deps.clock.now().getTime();
  const staleBefore = new Date(now - HELD_CLAIM_LEASE_MS).toISOString();
  if (await deps.repository.claimHeldEmail(key, handling, staleBefore)) return;
  const current = await deps.repository.getInboundEmail(key);
  if (current?.outcome !== 'held') {
    throw new ConflictError(
      `This email has already been dealt with: ${current?.detail ?? 'it is no longer held'}`,
    );
  }
  const other = current.handling;
  if (!other) throw new ConflictError('Someone else is acting on this email: reload the page and try again');
  const who = other.byEmail ?? other.by;
  if (Date.parse(other.at) < Date.parse(staleBefore)) {
    throw new ConflictError(
      other.action === 'attach'
        ? `${who} started attaching it to ${other.reference ?? 'a case'} and did not finish: to finish, add it to ${other.reference ?? 'that same case'}`
        : `${who} started opening a new case from it and did not finish: to finish, open it as a new case`,
    );
  }
  throw new ConflictError(
    `${who} is already ${ACTION_WORDS[other.action]}: reload the page to see what became of it. If they stopped part-way, anyone can finish it ${HELD_CLAIM_LEASE_MS / 60_000} minutes after they started`,
  );
}

/** What intake checked, with why it was held kept among the flags staff see on the case. */
const checkedOf = (held: HeldEmail): Checked => ({
  stored: held.attachments,
  refused: held.refusedAttachments,
  flags: [...held.flags, ...held.reasons],
  verdicts: held.verdicts,
});

const handlingBy = (by: Staff, at: string) => ({ by: by.id, ...(by.email ? { byEmail: by.email } : {}), at });

/**
 * Attaches a held message to the case staff chose: recorded as correspondence from its actual sender (who does
 * not become the complainant), by that member of staff; the message leaves the held list.
 */
export async function attachHeldEmail(
  deps: AppDependencies,
  key: string,
  referenceText: string,
  by: Staff,
): Promise<{ caseId: string; reference: string }> {
  const record = await heldEmail(deps, key, by);
  const reference = normaliseReference(referenceText);
  if (!reference) {
    throw new ValidationError('Enter the reference of the case to attach it to, like CMP-2026-000123');
  }
  const caseId = await deps.repository.findCaseIdByReference(reference);
  if (!caseId) throw new NotFoundError(`There is no case ${reference}: check the reference`);
  await claim(deps, record, { ...handlingBy(by, nowIso(deps)), action: 'attach', caseId, reference });
  const { held } = record;
  await recordReply(deps, held, held.rawKey, { caseId, threadedBy: 'staff' }, checkedOf(held), by);
  await deps.repository.recordInboundOutcome(
    held.messageId,
    'threaded',
    `Attached to ${reference} by ${by.email ?? by.id}`,
    caseId,
  );
  return { caseId, reference };
}

/** Opens a new case from a held message: channel email, received when the message arrived. */
export async function openHeldEmail(
  deps: AppDependencies,
  key: string,
  by: Staff,
): Promise<{ caseId: string; reference: string }> {
  const record = await heldEmail(deps, key, by);
  await claim(deps, record, { ...handlingBy(by, nowIso(deps)), action: 'open' });
  const { held } = record;
  const opened = await openCase(deps, held, held.rawKey, checkedOf(held), by);
  await deps.repository.recordInboundOutcome(
    held.messageId,
    'case-opened',
    `Opened as ${opened.reference} by ${by.email ?? by.id}`,
    opened.caseId,
  );
  return { caseId: opened.caseId, reference: opened.reference };
}
