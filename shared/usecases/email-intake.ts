import { type AcceptedFile, ATTACHMENT_LIMITS, checkFile, MB } from '../domain/attachment-rules.ts';
import type { Actor, AttachmentRecord, CaseState, InboundCorrespondence } from '../domain/case.ts';
import {
  candidateSentIds,
  complaintsInbox,
  displayNameOf,
  type EmailOrigin,
  failedVerdicts,
  forgedReplyReference,
  forwardedSender,
  type HeldEmail,
  type InboundEmail,
  ignoredBecause,
  isKnownContact,
  messageKey,
  type RefusedAttachment,
  readVerdicts,
  referenceFromReplyAddress,
  referencesIn,
  trimQuotedHistory,
  type VerdictName,
} from '../domain/email.ts';
import type { InboundEmailRecord } from '../ports/case-repository.ts';
import { storeAttachments } from './attachments.ts';
import { loadCase, recordEvent } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import { submitComplaint } from './intake.ts';
import { alertAssignee } from './notify.ts';
import { keepRawEmailsForReply } from './raw-email.ts';

export type EmailOutcome =
  | { outcome: 'duplicate'; detail: string }
  | {
      outcome: Exclude<NonNullable<InboundEmailRecord['outcome']>, 'case-opened' | 'threaded'>;
      detail: string;
    }
  | { outcome: 'case-opened'; caseId: string; reference: string; detail: string }
  | { outcome: 'threaded'; caseId: string; reference: string; detail: string };

const BY: Actor = { kind: 'system', id: 'email-intake' };
/** The form's limit on what happened; a longer email is cut, and the whole of it stays downloadable. */
export const MAX_TEXT = 10_000;
const NO_OUTCOME = 'Not stated in the email: ask the resident when acknowledging the complaint';

const VERDICT_WORDS: Record<VerdictName, string> = {
  spf: 'SPF (the sending server is not one the domain allows)',
  dkim: 'DKIM (the signature does not match: it may have been altered or forged)',
  dmarc: 'DMARC (the domain says mail like this should not be trusted)',
  spam: 'the spam check',
  virus: 'the virus check',
};

export interface Thread {
  caseId: string;
  threadedBy: InboundCorrespondence['threadedBy'];
}

/**
 * One email that arrived at the complaints inbox, already stored raw under rawKey. It is processed once per
 * Message-ID: ignored (and recorded) when it is an auto-reply, a bounce, our own message or infected;
 * threaded onto a case by evidence; or made into a new complaint received when the message arrived.
 */
export async function receiveEmail(
  deps: AppDependencies,
  email: InboundEmail,
  rawKey: string,
): Promise<EmailOutcome> {
  const store = deps.inboundEmail;
  if (!store) throw new Error('Email intake needs the inbound email store (inboundEmail)');
  const verdicts = readVerdicts(email);
  const claim = await deps.repository.claimInboundEmail({
    messageId: email.messageId,
    rawKey,
    receivedAt: email.receivedAt,
  });
  if (claim.rawKey !== rawKey || claim.outcome) {
    return {
      outcome: 'duplicate',
      detail: `Message ${email.messageId} was already received at ${claim.receivedAt} (${claim.outcome ?? 'being processed'})`,
    };
  }
  const finish = async <T extends EmailOutcome>(result: T): Promise<T> => {
    if (result.outcome !== 'duplicate') {
      const caseId = 'caseId' in result ? result.caseId : undefined;
      await deps.repository.recordInboundOutcome(email.messageId, result.outcome, result.detail, caseId);
    }
    return result;
  };
  if (verdicts.virus === 'fail') {
    // Nothing from an infected message is kept: not its text, not its files, not the raw message.
    await store.delete(rawKey);
    return finish({ outcome: 'virus', detail: 'The virus check failed: the message was deleted unread' });
  }
  const { letters } = deps.context.profile;
  const ignored = ignoredBecause(email, [letters.senderEmail, complaintsInbox(deps.context.profile)]);
  if (ignored) return finish({ outcome: ignored.reason, detail: ignored.detail });
  const { from } = email;
  if (!from) return finish({ outcome: 'no-sender', detail: 'The message has no From address' });

  const { thread, unsafe } = await openThread(deps, await findThread(deps, email, from.address));
  const flags = failedVerdicts(verdicts).map((name) => `It failed ${VERDICT_WORDS[name]}`);
  const { stored, refused } = await keepAttachments(deps, email);
  if (thread) {
    const checked = { stored, refused, flags, verdicts };
    const { state } = await recordReply(deps, { ...email, from }, rawKey, thread, checked);
    return finish({
      outcome: 'threaded',
      caseId: state.caseId,
      reference: state.reference,
      detail: `Threaded by ${thread.threadedBy}`,
    });
  }
  if (unsafe.length) {
    // Neither attached (it has no right to that case) nor a new case (it may well be about that case):
    // staff read it and decide. Holding it is its outcome, so it is not recorded again by finish.
    const held: HeldEmail = {
      messageId: email.messageId,
      receivedAt: email.receivedAt,
      rawKey,
      from,
      subject: email.subject.trim() || '(no subject)',
      text: email.text.trim().slice(0, MAX_TEXT),
      reasons: unsafe,
      verdicts,
      flags,
      attachments: stored,
      refusedAttachments: refused,
    };
    const detail = `Held for staff: ${unsafe.join('; ')}`;
    await deps.repository.holdInboundEmail(held, detail);
    return { outcome: 'held', detail };
  }
  return finish(await openCase(deps, { ...email, from }, rawKey, { stored, refused, flags, verdicts }, BY));
}

/**
 * A reply to a case whose records were anonymised cannot be added to it (nothing more is recorded on such a
 * case), and dropping it would lose what the resident wrote: it is held for staff to read and, if it raises
 * something new, open as a new case.
 */
async function openThread(
  deps: AppDependencies,
  found: { thread?: Thread; unsafe: string[] },
): Promise<{ thread?: Thread; unsafe: string[] }> {
  if (!found.thread) return found;
  const state = await deps.repository.getProjection(found.thread.caseId);
  if (!state?.anonymised) return found;
  return {
    unsafe: [
      `It replies to ${state.reference}, whose records were anonymised on ${state.anonymised.at.slice(0, 10)} (nothing more can be added to it): open it as a new case if it raises something new`,
    ],
  };
}

/**
 * Threading by evidence, strongest first: our signed per-case reply address, then a Message-ID we sent,
 * then a reference in the subject from a contact of that case. Never subject text alone.
 */
async function findThread(
  deps: AppDependencies,
  email: InboundEmail,
  sender: string,
): Promise<{ thread?: Thread; unsafe: string[] }> {
  const { repository } = deps;
  const inbox = complaintsInbox(deps.context.profile);
  const recipients = [
    ...email.to,
    ...email.cc,
    ...email.headers
      .filter((header) => header.name === 'delivered-to' || header.name === 'x-original-to')
      .map((header) => ({ address: header.value.trim() })),
  ];
  const unsafe: string[] = [];
  const key = deps.secrets.linkSigningKey;
  for (const recipient of recipients) {
    const reference = referenceFromReplyAddress(recipient.address, inbox, key);
    const caseId = reference && (await repository.findCaseIdByReference(reference));
    if (caseId) return { thread: { caseId, threadedBy: 'reply-address' }, unsafe: [] };
    const forged = forgedReplyReference(recipient.address, inbox, key);
    if (forged) {
      unsafe.push(
        `It was sent to a reply address for ${forged} whose signature is wrong (altered or made up)`,
      );
    }
  }
  for (const id of candidateSentIds(email)) {
    const caseId = await repository.findCaseIdByLetterMessageId(id);
    if (caseId) return { thread: { caseId, threadedBy: 'message-id' }, unsafe: [] };
  }
  for (const reference of referencesIn(email.subject)) {
    const caseId = await repository.findCaseIdByReference(reference);
    const state = caseId && (await repository.getProjection(caseId));
    if (!state) continue;
    if (isKnownContact(state, sender)) {
      return { thread: { caseId: state.caseId, threadedBy: 'reference' }, unsafe: [] };
    }
    unsafe.push(`It quotes reference ${reference}, but the sender is not a contact of that case`);
  }
  return { unsafe };
}

export interface Checked {
  stored: AttachmentRecord[];
  refused: RefusedAttachment[];
  flags: string[];
  verdicts: ReturnType<typeof readVerdicts>;
}

/** The web form's rules, file by file: what passes is stored, what does not is noted with the reason. */
async function keepAttachments(
  deps: AppDependencies,
  email: InboundEmail,
): Promise<Pick<Checked, 'stored' | 'refused'>> {
  const accepted: AcceptedFile[] = [];
  const refused: RefusedAttachment[] = [];
  let total = 0;
  for (const attachment of email.attachments) {
    const check = checkFile(attachment.filename, attachment.bytes);
    if (!check.ok) {
      refused.push({ name: attachment.filename || 'an unnamed file', problem: check.problem });
    } else if (accepted.length >= ATTACHMENT_LIMITS.maxFiles) {
      refused.push({
        name: check.file.name,
        problem: `${check.file.name} was not kept: we keep up to ${ATTACHMENT_LIMITS.maxFiles} files from one email`,
      });
    } else if (total + check.file.bytes.length > ATTACHMENT_LIMITS.maxTotalBytes) {
      refused.push({
        name: check.file.name,
        problem: `${check.file.name} was not kept: the files from one email must together be smaller than ${ATTACHMENT_LIMITS.maxTotalBytes / MB}MB`,
      });
    } else {
      total += check.file.bytes.length;
      accepted.push(check.file);
    }
  }
  const stored = await storeAttachments(deps.attachments, `email/${messageKey(email.messageId)}`, accepted);
  return { stored, refused };
}

/** An email as it arrived, or one held for staff: what a reply is recorded from and a new case made from. */
type Opening = Pick<InboundEmail, 'messageId' | 'receivedAt' | 'subject' | 'text'> & {
  from: NonNullable<InboundEmail['from']>;
};

/**
 * The email on the case's timeline as correspondence from whoever sent it (never changing the complainant),
 * and the handler alerted. `by` is intake, or the member of staff who attached a held message.
 */
export async function recordReply(
  deps: AppDependencies,
  email: Opening,
  rawKey: string,
  thread: Thread,
  checked: Checked,
  by: Actor = BY,
): Promise<{ state: CaseState }> {
  const sender = email.from.address;
  const { events } = await loadCase(deps, thread.caseId);
  // A retry after the event was written (and before the outcome was) must not record the reply twice.
  const already = events.some(
    (event) => event.type === 'email-received' && event.messageId === email.messageId,
  );
  const { state } = already
    ? await loadCase(deps, thread.caseId)
    : await recordEvent(deps, thread.caseId, (current, at) => ({
        type: 'email-received',
        at,
        by,
        messageId: email.messageId,
        receivedAt: email.receivedAt,
        from: email.from,
        subject: email.subject,
        text: trimQuotedHistory(email.text).slice(0, MAX_TEXT),
        rawKey,
        threadedBy: thread.threadedBy,
        fromComplainant: isKnownContact(current, sender),
        ...(checked.stored.length ? { attachments: checked.stored } : {}),
        ...(checked.refused.length ? { refusedAttachments: checked.refused } : {}),
        verdicts: checked.verdicts,
        ...(checked.flags.length ? { flags: checked.flags } : {}),
      }));
  // A case under a legal hold keeps its raw emails past the inbound bucket's expiry, this one too.
  if (state.legalHold) await keepRawEmailsForReply(deps, thread.caseId, rawKey);
  const who = isKnownContact(state, sender) ? 'the complainant' : 'someone who is not the complainant';
  const stage2 =
    state.possibleEscalation?.messageId === email.messageId
      ? ' It came after the stage 1 response, so it may be a request for stage 2: confirm it on the case page (the stage 2 clock then starts from when the email arrived).'
      : '';
  // A member of staff who adds a held message has read it; the console sends no mail (least privilege).
  if (by.kind !== 'staff') {
    await alertAssignee(deps, state, email.messageId, `It is from ${sender} (${who}).${stage2}`);
  }
  return { state };
}

/**
 * A new complaint from the email: received when the message arrived, from its sender (or, when forwarded, the
 * resident who wrote it). Keyed by the message, so opening it twice opens one case.
 */
export async function openCase(
  deps: AppDependencies,
  email: Opening,
  rawKey: string,
  checked: Checked,
  by: Actor,
): Promise<Extract<EmailOutcome, { outcome: 'case-opened' }>> {
  const { from } = email;
  const original = forwardedSender(email);
  const forwarded = original && original.address !== from.address.toLowerCase() ? original : undefined;
  const complainant = forwarded ?? from;
  const flags = forwarded
    ? [
        ...checked.flags,
        `Forwarded by ${from.address}: check that ${complainant.address} is the resident and that they want to complain`,
      ]
    : checked.flags;
  const subject = email.subject.trim() || '(no subject)';
  const origin: EmailOrigin = {
    messageId: email.messageId,
    rawKey,
    from,
    subject,
    verdicts: checked.verdicts,
    flags,
    refusedAttachments: checked.refused,
    ...(forwarded ? { forwardedBy: from } : {}),
  };
  const result = await submitComplaint(
    deps,
    {
      channel: 'email',
      receivedAt: email.receivedAt,
      complainant: {
        name: displayNameOf(complainant).slice(0, 200),
        email: complainant.address,
        preferredContact: 'email',
      },
      complaint: {
        whatHappened: `${subject}\n\n${email.text.trim()}`.trim().slice(0, MAX_TEXT),
        outcomeWanted: NO_OUTCOME,
      },
    },
    `email:${messageKey(email.messageId)}`,
    by,
    checked.stored,
    origin,
  );
  return {
    outcome: 'case-opened',
    caseId: result.caseId,
    reference: result.reference,
    detail: forwarded ? `Forwarded by ${from.address}` : 'New complaint',
  };
}
