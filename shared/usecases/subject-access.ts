import type {
  Actor,
  AttachmentRecord,
  CaseEvent,
  CaseState,
  Complainant,
  ComplaintDetails,
} from '../domain/case.ts';
import { ValidationError } from '../domain/errors.ts';
import { contactHash, nameHash, nameWords } from '../domain/secrets.ts';
import { requireManager } from './annual-report.ts';
import { loadCase, recordEvent } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import { lettersSent, type PackFile, type PackLetter } from './evidence-pack.ts';
import { contactKind, MAX_SEARCH_LENGTH } from './search.ts';

/** Letters carry the private case link, a credential: the export says it was there rather than give it. */
export const SUBJECT_ACCESS_CASE_LINK = '[the private case page link: not reproduced in this export]';

type Staff = Extract<Actor, { kind: 'staff' }>;
export type SubjectAccessFormat = 'json' | 'html' | 'zip';
export type SubjectRelation = 'complainant' | 'representative' | 'correspondent';

/** Why a part of the records needs a person's review before the export is sent (it holds others' data). */
export type RedactionKind =
  | 'correspondence-from-others'
  | 'staff-note'
  | 'other-person-details'
  | 'names-in-text';

export interface RedactionFlag {
  caseId: string;
  reference: string;
  /** Where in the case: `event <seq>`, `complainant.representative`, `file <name>`. */
  where: string;
  kind: RedactionKind;
  why: string;
}

/** One event of the case's log as held, without storage keys (which are ours, not data about the person). */
export interface SubjectAccessEvent {
  seq: number;
  event: Record<string, unknown>;
  /** Set when this event holds other people's personal data: review it before sending. */
  review?: RedactionKind[];
}

export interface SubjectAccessCase {
  caseId: string;
  reference: string;
  relation: SubjectRelation;
  status: CaseState['status'];
  receivedAt: string;
  channel: CaseState['channel'];
  /** The complainant and the complaint as held; absent on a case where the person only wrote in. */
  complainant?: Complainant;
  complaint?: Omit<ComplaintDetails, 'attachments'>;
  events: SubjectAccessEvent[];
  /** Letters sent on the case (to the complainant or their representative); none for a correspondent. */
  letters: PackLetter[];
  files: Array<PackFile & { review?: RedactionKind[] }>;
  missingFiles: string[];
}

/** The export and what it was built from (the case as folded, its log), for the readable page. */
export interface PreparedSubjectAccess {
  data: SubjectAccessExport;
  sources: Map<string, { state: CaseState; events: readonly CaseEvent[] }>;
}

export interface SubjectAccessExport {
  /** The person as the request named them, and how their cases were found (exact lookups, never a scan). */
  subject: { query: string; matchedOn: 'email' | 'phone' | 'name' };
  preparedAt: string;
  preparedBy: string;
  format: SubjectAccessFormat;
  cases: SubjectAccessCase[];
  redactionReview: RedactionFlag[];
}

/** A case found for the person, before anything is exported (the page lists these to confirm). */
export interface SubjectAccessMatch {
  state: CaseState;
  relation: SubjectRelation;
}

/**
 * The cases held about a person, found by their email address, phone number or whole name. A name must be
 * whole (two words or more) and match the complainant's name exactly: one word, or some of the words, would
 * sweep in other residents, and an export must hold nothing of theirs.
 */
export async function findSubjectCases(
  deps: Pick<AppDependencies, 'repository' | 'secrets'>,
  text: string,
): Promise<{ matchedOn: 'email' | 'phone' | 'name'; matches: SubjectAccessMatch[] }> {
  const query = text.trim();
  if (!query) {
    throw new ValidationError('Enter the email address, phone number or whole name of the person asking');
  }
  if (query.length > MAX_SEARCH_LENGTH) {
    throw new ValidationError(`Enter ${MAX_SEARCH_LENGTH} characters or fewer`);
  }
  const key = deps.secrets.contactHashKey;
  const contact = contactKind(query);
  if (contact) {
    const subject = contactHash(key, query);
    const hashes = (...values: Array<string | undefined>) =>
      values.filter((value): value is string => Boolean(value)).map((value) => contactHash(key, value));
    const cases = await deps.repository.listByContact(subject);
    const matches = cases.map((state): SubjectAccessMatch => {
      const { complainant } = state;
      const own = hashes(
        complainant.email,
        complainant.phone,
        state.email?.forwardedBy ? undefined : state.email?.from.address,
      );
      const representing = hashes(
        complainant.representative?.email,
        complainant.representative?.phone,
        state.email?.forwardedBy?.address,
      );
      if (own.includes(subject)) return { state, relation: 'complainant' };
      if (representing.includes(subject)) return { state, relation: 'representative' };
      return { state, relation: 'correspondent' };
    });
    // A value since corrected still finds the case (its lookup stays, as the log keeps it) but is no longer the
    // complainant's now: by the log it was, so the case is theirs in full, not one they only wrote to.
    for (const match of matches) {
      if (match.relation !== 'correspondent') continue;
      const held = complainantHistory(await deps.repository.loadEvents(match.state.caseId));
      if (hashes(...held.contacts).includes(subject)) match.relation = 'complainant';
    }
    return { matchedOn: contact, matches: byOldest(matches) };
  }
  const words = nameWords(query);
  if (words.length < 2) {
    throw new ValidationError(
      'Enter the person’s whole name (first name and surname), their email address or their phone number: one name alone would find other residents too',
    );
  }
  const cases = await deps.repository.listByName(nameHash(key, words), 10_000);
  const whole = words.join(' ');
  const matches: SubjectAccessMatch[] = [];
  for (const state of cases) {
    // The name now, or (read from the log only when it differs) a name the complainant had before a correction.
    const named =
      nameWords(state.complainant.name).join(' ') === whole ||
      complainantHistory(await deps.repository.loadEvents(state.caseId)).names.some(
        (name) => nameWords(name).join(' ') === whole,
      );
    if (named) matches.push({ state, relation: 'complainant' });
  }
  return { matchedOn: 'name', matches: byOldest(matches) };
}

/**
 * Every email address, phone number and name the case's complainant has had: as received, and each value a
 * rectification set since (the log keeps the original and the correction both).
 */
export function complainantHistory(events: readonly CaseEvent[]): { contacts: string[]; names: string[] } {
  const contacts: string[] = [];
  const names: string[] = [];
  for (const event of events) {
    if (event.type === 'received') {
      const { email, phone, name } = event.complainant;
      for (const value of [email, phone]) if (value) contacts.push(value);
      names.push(name);
    } else if (event.type === 'rectified' && event.value.trim()) {
      if (event.field === 'email' || event.field === 'phone') contacts.push(event.value);
      if (event.field === 'name') names.push(event.value);
    }
  }
  return { contacts, names };
}

function byOldest(matches: SubjectAccessMatch[]): SubjectAccessMatch[] {
  return [...matches].sort(
    (a, b) =>
      a.state.receivedAt.localeCompare(b.state.receivedAt) ||
      a.state.reference.localeCompare(b.state.reference),
  );
}

// Two or more capitalised words in a row ("Bob Jones", "Mrs Patel"): someone named in free text. A flag for
// a person to review, so a false alarm costs a glance and a miss is what the review is for.
const NAME_RUN = /\b\p{Lu}[\p{Ll}'’-]+(?:\s+\p{Lu}[\p{Ll}'’-]+)+/gu;
const NOT_NAMES = new Set(['i', 'the', 'my', 'our', 'we', 'dear', 'hello', 'hi', 'thanks', 'thank', 'yours']);

/** Names in free text that are not the person's own (nor their own name's words). */
export function otherNames(text: string | undefined, own: readonly string[]): string[] {
  if (!text) return [];
  const found = new Set<string>();
  for (const match of text.matchAll(NAME_RUN)) {
    const words = nameWords(match[0]).filter((word) => !NOT_NAMES.has(word));
    if (words.length === 0 || words.every((word) => own.includes(word))) continue;
    found.add(match[0]);
  }
  return [...found];
}

/** The event without the storage keys of its raw email and files. */
function heldEvent(event: CaseEvent): Record<string, unknown> {
  const withoutKeys = (files: readonly AttachmentRecord[] | undefined) =>
    files?.map(({ key: _key, ...file }) => file);
  const copy: Record<string, unknown> = { ...event };
  delete copy.rawKey;
  if (event.type === 'received') {
    copy.complaint = { ...event.complaint, attachments: withoutKeys(event.complaint.attachments) };
    if (event.email) {
      const { rawKey: _raw, ...email } = event.email;
      copy.email = email;
    }
  }
  if (event.type === 'email-received') copy.attachments = withoutKeys(event.attachments);
  return copy;
}

/** What in one event holds other people's data, for a person whose relation to the case is `relation`. */
type Finding = Pick<RedactionFlag, 'kind' | 'why'>;

function reviewOf(event: CaseEvent, relation: SubjectRelation, own: readonly string[]): Finding[] {
  const flags: Finding[] = [];
  const named = (text: string | undefined, what: string) => {
    const names = otherNames(text, own);
    if (names.length > 0) {
      flags.push({ kind: 'names-in-text', why: `${what} names ${names.join(', ')}: other people's data?` });
    }
  };
  switch (event.type) {
    case 'received':
      if (relation === 'complainant' && event.complainant.representative) {
        flags.push({
          kind: 'other-person-details',
          why: `The representative's details (${event.complainant.representative.name})`,
        });
      }
      if (relation === 'representative') {
        flags.push({
          kind: 'other-person-details',
          why: `The complaint is about ${event.complainant.name}, whom the person represents: their details and complaint are theirs`,
        });
      }
      named(event.complaint.whatHappened, 'What happened');
      named(event.complaint.outcomeWanted, 'The outcome wanted');
      break;
    case 'email-received':
      if (!event.fromComplainant) {
        flags.push({
          kind: 'correspondence-from-others',
          why: `An email from ${event.from.address}, not the complainant: their words and address`,
        });
      }
      named(event.text, 'The email');
      break;
    case 'note-added':
      flags.push({ kind: 'staff-note', why: 'A staff note: it may name or describe other people' });
      named(event.text, 'The note');
      break;
    case 'triaged':
      if (event.outcome !== 'not-accepted' && event.notes) {
        flags.push({ kind: 'staff-note', why: 'Triage notes by staff: they may name other people' });
        named(event.notes, 'The triage notes');
      }
      break;
    case 'action-completed':
      flags.push({ kind: 'staff-note', why: 'A staff note on an action: it may name other people' });
      named(event.note, 'The note');
      break;
    case 'ombudsman-referral-recorded':
      if (event.notes) {
        flags.push({ kind: 'staff-note', why: 'Notes by staff on the referral' });
        named(event.notes, 'The notes');
      }
      break;
  }
  return flags;
}

/** Whether an email event came from the person (by address), for a case they only wrote to. */
function fromSubject(event: CaseEvent, subjectHash: string, key: string): boolean {
  return event.type === 'email-received' && contactHash(key, event.from.address) === subjectHash;
}

/**
 * Prepares a subject access export (UK GDPR Art. 15): everything held about a person across all their cases.
 *
 * Primary course:
 * 1. Only a manager or an admin may (the export holds the person's data in full).
 * 2. Find the person's cases by exact lookups (email, phone or whole name); `caseIds`, when given, narrows
 *    them to those staff confirmed are this person's (any other id is refused).
 * 3. Record the export on each case (who, when, in which form), then read each case's whole log: the
 *    complainant's or representative's case in full, with letters and files; a case the person only wrote
 *    to, their own emails and files alone.
 * 4. Flag for redaction review what holds other people's data (emails from others, staff notes, a
 *    representative's details, other people named in free text); nothing is left out silently.
 */
export async function prepareSubjectAccess(
  deps: AppDependencies,
  request: { query: string; caseIds?: readonly string[]; format: SubjectAccessFormat },
  actor: Staff,
): Promise<PreparedSubjectAccess> {
  requireManager(actor, 'Subject access exports');
  const { matchedOn, matches } = await findSubjectCases(deps, request.query);
  let chosen = matches;
  if (request.caseIds) {
    const found = new Set(matches.map((match) => match.state.caseId));
    const unknown = request.caseIds.filter((caseId) => !found.has(caseId));
    if (unknown.length > 0) {
      throw new ValidationError(
        `Case ${unknown.join(', ')} is not one found for “${request.query.trim()}”: choose among the cases listed`,
      );
    }
    chosen = matches.filter((match) => request.caseIds?.includes(match.state.caseId));
  }
  if (chosen.length === 0) {
    throw new ValidationError(
      request.caseIds
        ? 'Choose at least one case to export'
        : `No case holds “${request.query.trim()}”: check the spelling, or try their email address or phone number`,
    );
  }
  const key = deps.secrets.contactHashKey;
  const subjectHash = matchedOn === 'name' ? undefined : contactHash(key, request.query);
  const cases: SubjectAccessCase[] = [];
  const redactionReview: RedactionFlag[] = [];
  const sources: PreparedSubjectAccess['sources'] = new Map();
  for (const { state: found, relation } of chosen) {
    await recordEvent(deps, found.caseId, (_state, at) => ({
      type: 'subject-access-exported',
      at,
      by: actor,
      format: request.format,
      matchedOn,
      relation,
    }));
    const { events, state } = await loadCase(deps, found.caseId);
    sources.set(state.caseId, { state, events });
    // Their own name is not someone else's, nor one they had before a correction.
    const own =
      relation === 'representative'
        ? nameWords(state.complainant.representative?.name ?? '')
        : [state.complainant.name, ...complainantHistory(events).names].flatMap((name) => nameWords(name));
    const where = { caseId: state.caseId, reference: state.reference };
    const held: SubjectAccessEvent[] = [];
    events.forEach((event, index) => {
      const seq = index + 1;
      if (relation === 'correspondent' && !(subjectHash && fromSubject(event, subjectHash, key))) return;
      const flags = relation === 'correspondent' ? [] : reviewOf(event, relation, own);
      for (const flag of flags)
        redactionReview.push({ ...flag, ...where, where: `event ${seq} (${event.type})` });
      held.push({
        seq,
        event: heldEvent(event),
        ...(flags.length > 0 ? { review: [...new Set(flags.map((flag) => flag.kind))] } : {}),
      });
    });
    const listed: Array<AttachmentRecord & { from: string; others: boolean }> = [];
    if (relation !== 'correspondent') {
      for (const file of state.complaint.attachments ?? []) {
        listed.push({ ...file, from: 'sent with the complaint', others: relation === 'representative' });
      }
    }
    for (const email of state.emails ?? []) {
      const theirs = subjectHash !== undefined && contactHash(key, email.from.address) === subjectHash;
      if (relation === 'correspondent' && !theirs) continue;
      for (const file of email.attachments ?? []) {
        listed.push({
          ...file,
          from: `email from ${email.from.address} of ${email.receivedAt}`,
          others: !email.fromComplainant && !theirs,
        });
      }
    }
    const files: SubjectAccessCase['files'] = [];
    const missingFiles: string[] = [];
    for (const { key: fileKey, others, ...file } of listed) {
      const review = others ? (['correspondence-from-others'] as RedactionKind[]) : undefined;
      if (others) {
        redactionReview.push({
          ...where,
          where: `file ${file.name}`,
          kind: 'correspondence-from-others',
          why: `A file ${file.from}: it is someone else's`,
        });
      }
      if (request.format !== 'zip') {
        files.push({ ...file, ...(review ? { review } : {}) });
        continue;
      }
      const stored = await deps.attachments.get(fileKey);
      if (stored) files.push({ ...file, bytes: stored.bytes, ...(review ? { review } : {}) });
      else missingFiles.push(file.name);
    }
    const { attachments: _files, ...complaint } = state.complaint;
    cases.push({
      ...where,
      relation,
      status: state.status,
      receivedAt: state.receivedAt,
      channel: state.channel,
      ...(relation === 'correspondent' ? {} : { complainant: state.complainant, complaint }),
      events: held,
      letters:
        relation === 'correspondent' ? [] : lettersSent(deps, state.caseId, events, SUBJECT_ACCESS_CASE_LINK),
      files,
      missingFiles,
    });
  }
  return {
    data: {
      subject: { query: request.query.trim(), matchedOn },
      preparedAt: deps.clock.now().toISOString(),
      preparedBy: actor.email ?? actor.id,
      format: request.format,
      cases,
      redactionReview,
    },
    sources,
  };
}

/** The export as machine-readable data: everything held, files listed without their bytes. */
export function subjectAccessData(data: SubjectAccessExport): SubjectAccessExport {
  return {
    ...data,
    cases: data.cases.map((held) => ({
      ...held,
      files: held.files.map(({ bytes: _bytes, ...file }) => file),
    })),
  };
}
