import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ProviderProfile } from '../policy/profile.ts';
import type { Instant } from '../time/london.ts';
import type { AttachmentRecord, CaseState, StaffRole } from './case.ts';

/**
 * Inbound email as the domain sees it: parsed by an adapter (never here), so every rule below is about
 * addresses, headers and text. Threading follows evidence, never subject text alone (design decision 14).
 */

export interface EmailAddress {
  address: string;
  name?: string;
}

export interface InboundAttachment {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface InboundEmail {
  /** The Message-ID without angle brackets (a hash of the raw message when it has none). */
  messageId: string;
  /** When it arrived (the SMTP or SES receipt time): the complaint's receipt instant, never its Date header. */
  receivedAt: Instant;
  from?: EmailAddress;
  to: EmailAddress[];
  cc: EmailAddress[];
  subject: string;
  /** The body as plain text (an HTML-only body converted, scripts and styles dropped). */
  text: string;
  /** In-Reply-To then References, newest first, without angle brackets. */
  referencedIds: string[];
  /** Every header in the order it appears (names lower-case): the receiving server's own come first. */
  headers: ReadonlyArray<{ name: string; value: string }>;
  /** The top-level MIME type, such as multipart/report for a delivery status notification. */
  mimeType: string;
  attachments: InboundAttachment[];
}

export const VERDICT_NAMES = ['spf', 'dkim', 'dmarc', 'spam', 'virus'] as const;
export type VerdictName = (typeof VERDICT_NAMES)[number];
/** Each check's result as the receiving server reported it, lower-case ("pass", "fail", "gray"...). */
export type EmailVerdicts = Record<VerdictName, string>;

/** A file that came with an email but was not stored, and why (the resident is told). */
export interface RefusedAttachment {
  name: string;
  problem: string;
}

/** Where a complaint that arrived by email came from, recorded with it on the case. */
export interface EmailOrigin {
  messageId: string;
  /** The raw message's key in the inbound store: staff can download exactly what arrived. */
  rawKey: string;
  from: EmailAddress;
  subject: string;
  verdicts: EmailVerdicts;
  /** What staff should check before trusting the message (a failing verdict, a forwarded complaint). */
  flags: string[];
  refusedAttachments: RefusedAttachment[];
  /** Set when someone forwarded the resident's email to us: the resident is the complainant, not them. */
  forwardedBy?: EmailAddress;
}

/**
 * A message intake would not thread nor make a case of on its own (it names a case it has no right to, or it
 * cannot be threaded safely): kept for staff, who attach it to a case or open a new case from it.
 */
export interface HeldEmail {
  messageId: string;
  receivedAt: Instant;
  rawKey: string;
  from: EmailAddress;
  subject: string;
  /** The whole body as plain text (cut at the form's limit); trimmed of quoted history only if attached. */
  text: string;
  /** Why it was held, in words for staff. */
  reasons: string[];
  verdicts: EmailVerdicts;
  flags: string[];
  attachments: AttachmentRecord[];
  refusedAttachments: RefusedAttachment[];
}

/** Who reads and decides held email: the complaint handlers and managers (reviewers work on stage 2 only). */
export const HELD_EMAIL_ROLES: readonly StaffRole[] = ['handler', 'manager', 'admin'];

const header = (email: Pick<InboundEmail, 'headers'>, name: string) =>
  email.headers.find((candidate) => candidate.name === name)?.value.trim();

/**
 * SES prepends its own Authentication-Results and X-SES-*-Verdict headers, so the first of each is the
 * receiving server's; any further copy came with the message and proves nothing.
 */
export function readVerdicts(email: Pick<InboundEmail, 'headers'>): EmailVerdicts {
  const results = header(email, 'authentication-results') ?? '';
  const method = (name: string) =>
    new RegExp(`(?:^|[;\\s])${name}=([a-z_]+)`, 'i').exec(results)?.[1]?.toLowerCase() ?? 'none';
  const ses = (name: string) => header(email, `x-ses-${name}-verdict`)?.toLowerCase() ?? 'none';
  return {
    spf: method('spf'),
    dkim: method('dkim'),
    dmarc: method('dmarc'),
    spam: ses('spam'),
    virus: ses('virus'),
  };
}

const FAILING = new Set(['fail', 'softfail', 'permerror']);

/** The checks the message failed, for staff to see before trusting who it says it is from. */
export function failedVerdicts(verdicts: EmailVerdicts): VerdictName[] {
  return VERDICT_NAMES.filter((name) => FAILING.has(verdicts[name]));
}

export type IgnoredReason = 'auto-reply' | 'bounce' | 'own-message';

export interface Ignored {
  reason: IgnoredReason;
  detail: string;
}

const AUTO_PRECEDENCE = new Set(['bulk', 'junk', 'auto_reply', 'list']);
const MAILER_DAEMON = /^(mailer-daemon|postmaster)@/i;

/**
 * Messages recorded but never answered nor made into cases: auto-replies (RFC 3834 and the common
 * vendor headers), delivery status notifications and bounces, and our own letters and alerts coming back.
 */
export function ignoredBecause(email: InboundEmail, ownAddresses: readonly string[]): Ignored | undefined {
  const autoSubmitted = header(email, 'auto-submitted')?.toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') {
    return { reason: 'auto-reply', detail: `Auto-Submitted: ${autoSubmitted}` };
  }
  for (const name of ['x-autoreply', 'x-autorespond']) {
    if (header(email, name) !== undefined) return { reason: 'auto-reply', detail: `${name} header` };
  }
  const precedence = header(email, 'precedence')?.toLowerCase();
  if (precedence && AUTO_PRECEDENCE.has(precedence)) {
    return { reason: 'auto-reply', detail: `Precedence: ${precedence}` };
  }
  if (email.mimeType === 'multipart/report') {
    return { reason: 'bounce', detail: 'a delivery status report (multipart/report)' };
  }
  const from = email.from?.address ?? '';
  if (MAILER_DAEMON.test(from)) return { reason: 'bounce', detail: `sent by ${from}` };
  const own = ownAddresses.map((address) => address.toLowerCase());
  if (own.includes(from.toLowerCase()) || header(email, 'x-correspondence-key') || header(email, 'x-alert')) {
    return { reason: 'own-message', detail: 'one of our own letters or alerts came back' };
  }
  return undefined;
}

/** The reference format cases are given (CMP-2026-000123). */
const REFERENCE = /\bCMP-(\d{4})-(\d{6})\b/gi;

export function referencesIn(subject: string): string[] {
  return [...subject.matchAll(REFERENCE)].map(([, year, number]) => `CMP-${year}-${number}`);
}

function splitAddress(address: string): { local: string; domain: string } | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { local: address.slice(0, at).toLowerCase(), domain: address.slice(at + 1).toLowerCase() };
}

const replySignature = (key: string, reference: string) =>
  createHmac('sha256', key).update(`reply-address:${reference.toUpperCase()}`).digest('hex').slice(0, 12);

/**
 * The case's own reply address: the complaints inbox plus-addressed with the reference and a signature, so
 * a reply threads onto the case whoever sends it, and nobody can make one up for another case.
 */
export function replyAddressFor(inbox: string, key: string, reference: string): string {
  const parts = splitAddress(inbox);
  if (!parts) throw new RangeError(`${inbox} is not an email address`);
  return `${parts.local}+${reference.toLowerCase()}.${replySignature(key, reference)}@${parts.domain}`;
}

/** The reference and signature an address at the inbox's domain claims, shaped as our reply address. */
function replyAddressParts(
  address: string,
  inbox: string,
): { reference: string; signature: string } | undefined {
  const parts = splitAddress(address);
  const ours = splitAddress(inbox);
  if (!parts || !ours || parts.domain !== ours.domain) return undefined;
  const match = new RegExp(
    `^${ours.local.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\+(cmp-\\d{4}-\\d{6})\\.([0-9a-z]*)$`,
  ).exec(parts.local);
  if (!match?.[1] || match[2] === undefined) return undefined;
  return { reference: match[1].toUpperCase(), signature: match[2] };
}

/** The reference a recipient address names, if it is one of our signed reply addresses. */
export function referenceFromReplyAddress(address: string, inbox: string, key: string): string | undefined {
  const claimed = replyAddressParts(address, inbox);
  if (!claimed) return undefined;
  const expected = Buffer.from(replySignature(key, claimed.reference));
  const given = Buffer.from(claimed.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? claimed.reference : undefined;
}

/**
 * The reference an address names in the shape of a case's reply address but without its valid signature
 * (altered or made up): such a message cannot be threaded safely, so it is held for staff.
 */
export function forgedReplyReference(address: string, inbox: string, key: string): string | undefined {
  const claimed = replyAddressParts(address, inbox);
  if (!claimed || referenceFromReplyAddress(address, inbox, key)) return undefined;
  return claimed.reference;
}

/** The address residents email complaints to: the profile's reply-to address, else its sender address. */
export function complaintsInbox(profile: ProviderProfile): string {
  return profile.letters.replyTo ?? profile.letters.senderEmail;
}

/** Whether an address is at the inbox's domain (any recipient there reaches the complaints inbox locally). */
export function isInboxDomain(address: string, inbox: string): boolean {
  const parts = splitAddress(address);
  return Boolean(parts && parts.domain === splitAddress(inbox)?.domain);
}

/**
 * The ids a reply refers to, each also by its local part: SES gives a sent message's id as the local part of
 * the Message-ID it writes (<id@region.amazonses.com>), and that id is what we keep for each letter.
 */
export function candidateSentIds(email: Pick<InboundEmail, 'referencedIds'>): string[] {
  const ids = email.referencedIds.flatMap((id) => {
    const at = id.lastIndexOf('@');
    return at > 0 ? [id, id.slice(0, at)] : [id];
  });
  return [...new Set(ids)].slice(0, 20);
}

/** The people a case knows by email: its complainant and their representative. */
export function isKnownContact(state: CaseState, address: string): boolean {
  const known = [state.complainant.email, state.complainant.representative?.email];
  return known.some((candidate) => candidate && candidate.toLowerCase() === address.toLowerCase());
}

/** Where quoted history starts: the reply's own words end at the first of these lines. */
const QUOTE_STARTS = [
  /^On .{1,300}wrote:\s*$/,
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^_{10,}\s*$/,
  /^From:\s.+$/,
  /^>/,
];

/** The reply's own text, without the quoted history most mail programs append below it. */
export function trimQuotedHistory(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const cut = lines.findIndex(
    (line, index) => index > 0 && QUOTE_STARTS.some((start) => start.test(line.trim())),
  );
  const own = (cut === -1 ? lines : lines.slice(0, cut)).join('\n').trim();
  return own || text.trim();
}

const FORWARD_MARKER = /^[-\s]*(?:-{5,}\s*Forwarded message\s*-{5,}|Begin forwarded message:)\s*$/im;
const FORWARDED_FROM = /^\s*From:\s*(?:"?([^"<\n]*?)"?\s*)?<?([^\s<>@]+@[^\s<>]+?)>?\s*$/im;

/**
 * A forwarded email's original sender: someone (often a colleague) forwarded the resident's message to us,
 * so the resident is the complainant and the forwarder is recorded beside them.
 */
export function forwardedSender(email: Pick<InboundEmail, 'subject' | 'text'>): EmailAddress | undefined {
  const marker = FORWARD_MARKER.exec(email.text);
  if (!marker && !/^\s*(fwd?|fw):/i.test(email.subject)) return undefined;
  const after = marker ? email.text.slice(marker.index + marker[0].length) : email.text;
  const from = FORWARDED_FROM.exec(after);
  if (!from?.[2]) return undefined;
  const name = from[1]?.trim();
  return { address: from[2].toLowerCase(), ...(name ? { name } : {}) };
}

/** A stable id for a message without a Message-ID header (or one too long to be a key). */
export function messageKey(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex');
}

/** The name a complainant is recorded under: the From display name, or the address's local part. */
export function displayNameOf(address: EmailAddress): string {
  const name = address.name?.replace(/[\p{Cc}\p{Cf}]/gu, '').trim();
  return name || address.address.split('@')[0] || address.address;
}
