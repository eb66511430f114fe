import type { Deadline } from '../calendar/deadline.ts';
import { formatCivilDate } from '../notifications/words.ts';
import type { ProviderProfile, RecordKind, StagePolicy } from '../policy/profile.ts';
import { type CivilDate, endOfLondonDay, type Instant, isCivilDate, toLondon } from '../time/london.ts';
import { type LifecycleClocks, lifecycleClocks, type StageNumber } from './clocks.ts';
import { templateFor } from './correspondence.ts';
import type { EmailAddress, EmailOrigin, EmailVerdicts, RefusedAttachment } from './email.ts';
import {
  DomainError,
  EscalationWindowClosedError,
  ExtensionRefusedError,
  OutOfOrderError,
  SameHandlerError,
  Stage2WindowOpenError,
  ThirdStageError,
  ValidationError,
} from './errors.ts';
import {
  assertCompleteStageResponse,
  assertValidNonAcceptance,
  laterEventDate,
  type NonAcceptance,
  type PlannedAction,
  type StageResponse,
} from './letters.ts';

export const STAFF_ROLES = ['handler', 'reviewer', 'manager', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export type Actor =
  /** Staff are their Cognito `sub` (the id every rule compares); the email is recorded beside it for display. */
  | { kind: 'staff'; id: string; role: StaffRole; email?: string }
  | { kind: 'resident'; id: string }
  | { kind: 'system'; id: string };

export const CHANNELS = ['web', 'email', 'phone', 'letter', 'in-person', 'social-media'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CONTACT_METHODS = ['email', 'phone', 'post'] as const;
export type ContactMethod = (typeof CONTACT_METHODS)[number];

/** The complainant detail each way of contacting them needs: a case cannot start without it. */
export const CONTACT_DETAIL = {
  email: 'email',
  phone: 'phone',
  post: 'address',
} as const satisfies Record<ContactMethod, keyof Complainant>;
export type ContactDetail = (typeof CONTACT_DETAIL)[ContactMethod];

/**
 * The detail the preferred way of contacting them needs, when it is missing. Takes what a form sends too, so
 * a form asks for it beside its other answers; an unknown method needs nothing here (the schema refuses it).
 */
export function missingContactDetail(complainant: {
  preferredContact?: string;
  email?: string;
  phone?: string;
  address?: string;
}): ContactDetail | undefined {
  const method = complainant.preferredContact;
  if (!method || !Object.hasOwn(CONTACT_DETAIL, method)) return undefined;
  const detail = CONTACT_DETAIL[method as ContactMethod];
  return complainant[detail] ? undefined : detail;
}

const CONTACT_DETAIL_WORDS: Record<ContactDetail, string> = {
  email: 'An email address',
  phone: 'A phone number',
  address: 'A postal address',
};

export interface Complainant {
  name: string;
  email?: string;
  phone?: string;
  address?: string;
  preferredContact: ContactMethod;
  reasonableAdjustments?: string;
  vulnerability?: string;
  /** Someone complaining on the resident's behalf, with the resident's consent. */
  representative?: {
    name: string;
    relationship: string;
    consentRecorded: true;
    email?: string;
    phone?: string;
  };
}

export interface ComplaintDetails {
  whatHappened: string;
  /** When it happened and when the resident became aware (Code 2.3: the 12-month rule). */
  happenedOn?: CivilDate;
  becameAwareOn?: CivilDate;
  outcomeWanted: string;
  /** Photos or documents sent with the complaint: the bytes are in the attachment store under `key`. */
  attachments?: AttachmentRecord[];
}

/** One attached file, as recorded on the case (checked by type, extension and content before storing). */
export interface AttachmentRecord {
  /** The file's name as the resident's device gave it (shown, never used as a path). */
  name: string;
  contentType: string;
  size: number;
  key: string;
  /** Hex SHA-256 of the stored bytes: what was received is what is downloaded. */
  sha256: string;
}

export const STEPS = [
  'triage',
  'stage1-acknowledgement',
  'stage1-response',
  'escalation-window',
  'stage2-acknowledgement',
  'stage2-response',
  'outstanding-actions',
] as const;
export type Step = (typeof STEPS)[number];

interface EventBase {
  at: Instant;
  by: Actor;
}

export type CaseEvent = EventBase &
  (
    | {
        type: 'received';
        reference: string;
        channel: Channel;
        complainant: Complainant;
        complaint: ComplaintDetails;
        /** Set when the complaint arrived by email: the message it came from and what was checked. */
        email?: EmailOrigin;
      }
    | { type: 'triaged'; outcome: 'complaint'; notes?: string }
    | { type: 'triaged'; outcome: 'service-request'; notes: string }
    | ({ type: 'triaged'; outcome: 'not-accepted' } & NonAcceptance)
    | { type: 'acknowledged'; stage: StageNumber; definition: string; outcomesSought: string[] }
    | {
        type: 'extension-granted';
        stage: StageNumber;
        workingDays: number;
        reason: string;
        explanation: string;
      }
    | { type: 'related-issue-added'; description: string }
    | {
        type: 'response-issued';
        stage: StageNumber;
        letter: StageResponse;
        /** What the complaint teaches (Code 9.1): recorded by staff with the response, never sent to the resident. */
        learning?: Learning;
      }
    | {
        type: 'escalation-requested';
        reason?: string;
        /**
         * When the resident asked, if earlier than the event: staff confirming that an emailed reply asked
         * for stage 2 date the request (and its clock) from the reply's receipt.
         */
        requestedAt?: Instant;
        /** The emailed reply (its Message-ID) staff confirmed as the request. */
        fromEmail?: string;
        /**
         * The fingerprint of the profile the function that recorded it runs (`profileFingerprint`): the request
         * dates the stage 2 acknowledgement with no letter, so the date the resident was shown is the log folded
         * under that profile, and a profile change compares that date (ADR 0016). Absent on requests recorded
         * before it existed (taken as dated under the old profile).
         */
        profileFingerprint?: string;
      }
    | ({ type: 'action-added'; actionId: string } & PlannedAction)
    | { type: 'action-completed'; actionId: string; note: string }
    | { type: 'withdrawn'; reason?: string }
    | { type: 'ombudsman-referral-recorded'; reference?: string; notes?: string }
    /** The service area the complaint is about (Code 9.7: complaints by category), one of the profile's. */
    | { type: 'category-recorded'; category: string }
    /**
     * A stage 2 request refused, recorded beside the refusal the resident is given (Code 8.1(b): the types of
     * complaints refused): today only one made after the escalation window ended, refused to the resident on
     * their link, or decided by staff (an emailed or held reply, or a request relayed by phone or letter).
     */
    | {
        type: 'escalation-refused';
        reason: EscalationRefusalReason;
        windowEndedAt: Instant;
        /** When the resident asked (an email's receipt); the event's time when absent. */
        requestedAt?: Instant;
        /** The Message-ID of the email on the case that asked, when staff decided an emailed request. */
        fromEmail?: string;
      }
    /** What the resident said of how their complaint was handled, asked after a response (Amplius' list). */
    | { type: 'satisfaction-recorded'; answer: SatisfactionAnswer; how: string }
    /** A remedy offered in a response was carried out: compensation paid, or another remedy done (Code 7.4). */
    | { type: 'remedy-paid'; description: string; compensationPounds?: number }
    /** What the Ombudsman decided on a referral (Code 8.1(c)), one of OMBUDSMAN_OUTCOMES. */
    | { type: 'ombudsman-outcome-recorded'; outcome: OmbudsmanOutcome; reference?: string; notes?: string }
    | { type: 'note-added'; text: string }
    /** Staff prepared the Ombudsman evidence pack (Code 8.1(c); the Ombudsman's CHFOs are about slow evidence). */
    | { type: 'evidence-pack-prepared'; format: 'html' | 'zip' }
    /**
     * A manager or admin exported what is held about a person for a subject access request (UK GDPR Art. 15):
     * recorded on each case the export drew on, with how the person was found.
     */
    | {
        type: 'subject-access-exported';
        format: 'json' | 'html' | 'zip';
        matchedOn: 'email' | 'phone' | 'name';
        /** How the person the request is about stands on this case. */
        relation: 'complainant' | 'representative' | 'correspondent';
      }
    | { type: 'reminder-sent'; step: Step; dueAt: Instant; actionId?: string }
    | {
        type: 'deadline-breached';
        step: Step;
        dueAt: Instant;
        /** Set for an outstanding action's date, which is tracked per action. */
        actionId?: string;
        /** The date the resident is told they will now have the late acknowledgement or response by. */
        newDueDate?: CivilDate;
      }
    | {
        type: 'correspondence-sent';
        template: string;
        /** Which event it answers (template#seq): a letter is recorded once, though sent at least once (README). */
        key: string;
        channel: 'email' | 'post';
        recipient: string;
        messageId?: string;
        /**
         * The fingerprint of the profile the letter was written under (`profileFingerprint`): the due date it
         * gave the resident is the log folded under that profile. A profile change compares the date the resident
         * was given, so a step dated by a function already running the new profile (during a deploy) is not
         * recalculated. Absent on letters sent before it existed (taken as written under the old profile).
         */
        profileFingerprint?: string;
      }
    | { type: 'correspondence-failed'; template: string; key: string; reason: string }
    | ({ type: 'email-received' } & InboundCorrespondence)
    /** A member of staff downloaded a raw email of the case (it holds personal data, so access is logged). */
    | { type: 'raw-email-downloaded'; messageId: string }
    /** A manager or admin stops retention and erasure (litigation, an Ombudsman investigation, an insurer). */
    | { type: 'legal-hold-set'; reason: string }
    | { type: 'legal-hold-released'; reason: string }
    /** Retention deleted these kinds of record before the case itself is due (no personal data here). */
    | { type: 'records-deleted'; kinds: DeletableRecordKind[]; counts: RecordCounts }
    /**
     * Personal data removed from every event (retention or an erasure request): the events stay, so the figures
     * stay true. Recorded first; the deletions follow, so a hold set at the same moment wins or is refused.
     */
    | { type: 'anonymised'; trigger: 'retention' | 'erasure'; counts: RecordCounts }
    /** A request to erase the resident's data (UK GDPR art. 17) and what was decided, with why. */
    | {
        type: 'erasure-decided';
        requestedOn: CivilDate;
        decision: 'granted' | 'refused';
        reason: string;
        /** Set when the system refused a granted request: what prevents erasure now. */
        blockedBy?: ErasureBlock;
      }
    /**
     * A provider profile change (a bank holiday or closure day added, a timescale changed) moved the pending
     * step's due date: recorded so the date never moves silently. `kept` when the new profile would have brought
     * it earlier: a date already given to the resident never moves earlier.
     */
    | {
        type: 'deadlines-recalculated';
        step: Step;
        oldDueDate: CivilDate;
        newDueDate: CivilDate;
        direction: 'later' | 'kept';
        reason: string;
        /**
         * The fingerprint of the profile that caused it (`profileFingerprint`): a run stopped part-way and started
         * again knows which cases it already recorded. Absent on events recorded by hand before it existed.
         */
        profileFingerprint?: string;
      }
    /** A correction of the resident's details (UK GDPR art. 16): the log keeps both, the case shows this one. */
    | { type: 'rectified'; field: RectifiableField; value: string; reason: string }
    | {
        type: 'closed';
        reason: ClosureReason;
        /**
         * How and when the resident said they are satisfied: the only way to close a case while they can
         * still ask for stage 2.
         */
        residentSatisfied?: string;
      }
  );

/** The kinds of record retention deletes on their own, before the case is anonymised. */
export type DeletableRecordKind = Exclude<RecordKind, 'case'>;
export const DELETABLE_RECORD_KINDS: readonly DeletableRecordKind[] = ['attachments', 'letters', 'rawEmail'];

/** What a deletion removed (or was about to remove): numbers only, never what they held. */
export interface RecordCounts {
  attachments: number;
  letters: number;
  rawEmails: number;
  lookups: number;
}

/** What stops a case being erased now. */
export type ErasureBlock = 'legal-hold' | 'open-case';

/** The resident's details staff may correct, as the case records them. */
export const RECTIFIABLE_FIELDS = [
  'name',
  'email',
  'phone',
  'address',
  'reasonableAdjustments',
  'vulnerability',
] as const satisfies readonly (keyof Complainant)[];
export type RectifiableField = (typeof RECTIFIABLE_FIELDS)[number];

/** The TSM survey's five-point scale, for a resident asked about their complaint's handling. */
export const SATISFACTION_ANSWERS = [
  'very-satisfied',
  'fairly-satisfied',
  'neither',
  'fairly-dissatisfied',
  'very-dissatisfied',
] as const;
export type SatisfactionAnswer = (typeof SATISFACTION_ANSWERS)[number];

export const ESCALATION_REFUSAL_REASONS = ['out-of-time'] as const;
export type EscalationRefusalReason = (typeof ESCALATION_REFUSAL_REASONS)[number];

/** The Housing Ombudsman's findings on a complaint it investigated, and its other ways of closing one. */
export const OMBUDSMAN_OUTCOMES = [
  'severe-maladministration',
  'maladministration',
  'service-failure',
  'reasonable-redress',
  'no-maladministration',
  'outside-jurisdiction',
  'withdrawn-or-resolved',
] as const;
export type OmbudsmanOutcome = (typeof OMBUDSMAN_OUTCOMES)[number];

/** The complaint's theme and root cause, each one of the profile's `learning` lists. */
export interface Learning {
  theme: string;
  rootCause: string;
}

/** An email that threaded onto the case, recorded as from whoever actually sent it. */
export interface InboundCorrespondence {
  messageId: string;
  /** When it arrived (SMTP or SES receipt time); the event's own time is when it was recorded. */
  receivedAt: Instant;
  from: EmailAddress;
  subject: string;
  /** Its own words, quoted history trimmed. */
  text: string;
  rawKey: string;
  /** The evidence that put it on this case, or `staff` when a member of staff attached a held message. */
  threadedBy: 'reply-address' | 'message-id' | 'reference' | 'staff';
  /** Sent by the complainant or their representative (not, say, a neighbour copied in). */
  fromComplainant: boolean;
  attachments?: AttachmentRecord[];
  refusedAttachments?: RefusedAttachment[];
  verdicts: EmailVerdicts;
  flags?: string[];
}

export type CaseEventType = CaseEvent['type'];
export type ClosureReason =
  | 'service-request'
  | 'not-accepted'
  | 'resolved-at-stage-1'
  | 'escalation-window-ended'
  | 'final-response-issued'
  | 'withdrawn';

/** Every status in which a case is still open (all but closed). */
export const OPEN_STATUSES = [
  'awaiting-triage',
  'stage1-acknowledgement',
  'stage1-investigation',
  'stage1-responded',
  'stage2-acknowledgement',
  'stage2-investigation',
  'final-response-issued',
] as const;

export type CaseStatus =
  | 'awaiting-triage'
  | 'stage1-acknowledgement'
  | 'stage1-investigation'
  | 'stage1-responded'
  | 'stage2-acknowledgement'
  | 'stage2-investigation'
  | 'final-response-issued'
  | 'closed';

export interface StageRecord {
  acknowledgedAt?: Instant;
  definition?: string;
  outcomesSought: string[];
  acknowledgement?: Deadline;
  response?: Deadline;
  extensions: Array<{ workingDays: number; reason: string; at: Instant; newDueDate: CivilDate }>;
  respondedAt?: Instant;
  letter?: StageResponse;
  learning?: Learning;
  /** Staff who acted on this stage (acknowledged, extended or responded). */
  handlers: string[];
}

export interface OutstandingAction extends PlannedAction {
  actionId: string;
  addedAt: Instant;
  /**
   * The dates it was due by before a later letter moved it, oldest first: the reporting facts stay filed under
   * those months too, so a month's report never keeps the action at a date it no longer has.
   */
  earlierDueDates?: CivilDate[];
  completedAt?: Instant;
  completionNote?: string;
}

export interface CaseState {
  caseId: string;
  reference: string;
  providerId: string;
  /** Sequence number of the last event folded in. */
  seq: number;
  status: CaseStatus;
  stage: 0 | StageNumber;
  receivedAt: Instant;
  channel: Channel;
  complainant: Complainant;
  complaint: ComplaintDetails;
  relatedIssues: string[];
  triage?: {
    outcome: 'complaint' | 'service-request' | 'not-accepted';
    at: Instant;
    by: string;
    detail?: string;
  };
  stage1: StageRecord;
  stage2: StageRecord & { escalationRequestedAt?: Instant; escalationReason?: string };
  escalationWindow?: Deadline;
  actions: OutstandingAction[];
  /**
   * Deadlines missed, with the date the resident was then promised (the apology letter gives it). The original
   * `dueAt` stays what reporting counts against; `newDueDate` is absent on an action's breach, on breaches
   * recorded before the event carried it, and in a projection saved before the reducer kept it (the case views
   * fold the log, so they show it; see promisedDate in position.ts).
   */
  breaches: Array<{ step: Step; dueAt: Instant; at: Instant; actionId?: string; newDueDate?: CivilDate }>;
  remindersSent: Array<{ step: Step; dueAt: Instant; actionId?: string }>;
  ombudsmanReferrals: Array<{ at: Instant; reference?: string }>;
  correspondence: Array<{
    template: string;
    key: string;
    channel: 'email' | 'post' | 'failed';
    at: Instant;
    detail: string;
  }>;
  /**
   * The resident letters the events call for and not yet recorded as sent or failed (`template#seq` keys, in
   * order), so a workflow step knows from the projection alone whether it must read the log to send any.
   */
  lettersOwed: string[];
  /** Where it came from when it arrived by email. */
  email?: EmailOrigin;
  /** Emails threaded onto the case since, oldest first. */
  emails?: Array<Omit<InboundCorrespondence, 'text'>>;
  /**
   * A reply from the resident after the stage 1 response: it may be a request for stage 2 (the Code forbids
   * requiring reasons), so staff are offered to confirm it as one, dated from its receipt.
   */
  possibleEscalation?: { messageId: string; receivedAt: Instant; from: EmailAddress };
  /** Who the staff ids on this case are (sub -> email as last seen), for display only. */
  staff?: Record<string, string>;
  withdrawnAt?: Instant;
  closedAt?: Instant;
  closureReason?: ClosureReason;
  /** Recorded when staff closed the case early because the resident said they are satisfied. */
  residentSatisfied?: string;
  /** Set while a manager holds the case: retention and erasure leave it alone. */
  legalHold?: { reason: string; at: Instant; by: string };
  /** Kinds of record retention has deleted (all of them once anonymised). */
  recordsDeleted?: DeletableRecordKind[];
  /** Set once its personal data is removed: nothing more may be recorded on it. */
  anonymised?: { at: Instant; trigger: 'retention' | 'erasure' };
  /** The service area it is about, as last recorded (one of the profile's `learning.themes`). */
  category?: string;
  /** What the resident said of the handling when asked, oldest first. */
  satisfactionAnswers?: Array<{ at: Instant; answer: SatisfactionAnswer; how: string }>;
  /** Stage 2 requests refused (one per case: asking again is the same request). */
  escalationRefusals?: Array<{ at: Instant; reason: EscalationRefusalReason }>;
  /** Remedies carried out (compensation paid, or another remedy done), oldest first. */
  remediesPaid?: Array<{ at: Instant; description: string; compensationPounds?: number }>;
  /** The Ombudsman's outcomes recorded on referrals, oldest first. */
  ombudsmanOutcomes?: Array<{ at: Instant; outcome: OmbudsmanOutcome; reference?: string }>;
  updatedAt: Instant;
}

/** What the case is waiting for next, and by when. */
export interface PendingStep {
  step: Step;
  stage: 0 | StageNumber;
  deadline?: Deadline;
  reminderAt?: Instant;
}

/** Which events may follow in each status; events not listed here (notes, referrals...) are always allowed. */
const ALLOWED: Record<CaseStatus, readonly CaseEventType[]> = {
  'awaiting-triage': ['triaged', 'related-issue-added', 'withdrawn', 'reminder-sent', 'deadline-breached'],
  'stage1-acknowledgement': [
    'acknowledged',
    'related-issue-added',
    'withdrawn',
    'reminder-sent',
    'deadline-breached',
  ],
  'stage1-investigation': [
    'extension-granted',
    'related-issue-added',
    'response-issued',
    'action-added',
    'action-completed',
    'withdrawn',
    'reminder-sent',
    'deadline-breached',
  ],
  'stage1-responded': [
    'escalation-requested',
    'action-added',
    'action-completed',
    'withdrawn',
    'closed',
    'reminder-sent',
    // An outstanding action's date can pass while the resident may still ask for stage 2.
    'deadline-breached',
  ],
  'stage2-acknowledgement': [
    'acknowledged',
    'action-added',
    'action-completed',
    'withdrawn',
    'reminder-sent',
    'deadline-breached',
  ],
  'stage2-investigation': [
    'extension-granted',
    'response-issued',
    'action-added',
    'action-completed',
    'withdrawn',
    'reminder-sent',
    'deadline-breached',
  ],
  'final-response-issued': [
    'action-added',
    'action-completed',
    'closed',
    'reminder-sent',
    'deadline-breached',
  ],
  closed: [],
};
const ALWAYS_ALLOWED: readonly CaseEventType[] = [
  'note-added',
  'evidence-pack-prepared',
  'subject-access-exported',
  'ombudsman-referral-recorded',
  'category-recorded',
  'remedy-paid',
  'ombudsman-outcome-recorded',
  'escalation-refused',
  'satisfaction-recorded',
  'correspondence-sent',
  'correspondence-failed',
  'email-received',
  'raw-email-downloaded',
  'legal-hold-set',
  'legal-hold-released',
  'records-deleted',
  'anonymised',
  'erasure-decided',
  'rectified',
  'deadlines-recalculated',
];

/** Whether an event of this type may be recorded on a case in this status. */
export function allowsEvent(status: CaseStatus, type: CaseEventType): boolean {
  return ALWAYS_ALLOWED.includes(type) || ALLOWED[status].includes(type);
}

export interface CaseContext {
  profile: ProviderProfile;
  clocks: LifecycleClocks;
}

export function caseContext(profile: ProviderProfile): CaseContext {
  return { profile, clocks: lifecycleClocks(profile) };
}

function requireStaff(event: CaseEvent): string {
  if (event.by.kind !== 'staff') {
    throw new ValidationError(
      `"${event.type}" must be done by a member of staff, not by ${event.by.kind} ${event.by.id}`,
    );
  }
  return event.by.id;
}

/** Legal holds and data-protection decisions are for managers and admins. */
function requireManager(event: CaseEvent): string {
  const staffId = requireStaff(event);
  if (event.by.kind === 'staff' && (event.by.role === 'manager' || event.by.role === 'admin')) return staffId;
  throw new DomainError(
    'FORBIDDEN',
    `Only a manager or an admin may record "${event.type}"; ask a manager (you are a ${event.by.kind === 'staff' ? event.by.role : event.by.kind})`,
  );
}

/** What stops the case's personal data being removed now, if anything. */
export function erasureBlock(state: CaseState): ErasureBlock | undefined {
  if (state.legalHold) return 'legal-hold';
  if (state.status !== 'closed') return 'open-case';
  return undefined;
}

/** Why the case cannot be erased or anonymised, worded for staff. */
export function erasureBlockWords(state: CaseState, block: ErasureBlock): string {
  return block === 'legal-hold'
    ? `case ${state.reference} is under a legal hold (${state.legalHold?.reason}); a manager must release the hold first`
    : `case ${state.reference} is still open; it can be erased once it is closed`;
}

function refuseIfBlocked(state: CaseState, event: CaseEvent): void {
  const block = erasureBlock(state);
  if (!block) return;
  throw new DomainError(
    block === 'legal-hold' ? 'LEGAL_HOLD' : 'CASE_OPEN',
    `"${event.type}" refused: ${erasureBlockWords(state, block)}`,
    { block },
  );
}

function requireText(value: string | undefined, what: string): void {
  if (value === undefined || value.trim() === '') throw new ValidationError(`${what} is required`);
}

function stageKey(stage: StageNumber): 'stage1' | 'stage2' {
  return stage === 1 ? 'stage1' : 'stage2';
}

function addHandler(record: StageRecord, staffId: string): string[] {
  return record.handlers.includes(staffId) ? record.handlers : [...record.handlers, staffId];
}

/** Whoever handled stage 1 may not acknowledge, extend or respond at stage 2 (Code 6.13). */
export function handledStage1(state: Pick<CaseState, 'stage1'>, staffId: string): boolean {
  return state.stage1.handlers.includes(staffId);
}

/**
 * An extension asked for once the response is overdue. The Code has it agreed and explained before the
 * deadline (6.4 at stage 1, 6.15 at stage 2); after it, what is owed is the response, and an apology with a new
 * date, which the workflow sends when it records the missed deadline.
 */
export function lateExtension(stage: StageNumber, response: Deadline): ExtensionRefusedError {
  return new ExtensionRefusedError(
    `The stage ${stage} response was due by ${formatCivilDate(response.dueDate)}, so it is too late to extend: an extension must be agreed and explained to the resident before the deadline passes (Code ${stage === 1 ? '6.4' : '6.15'}). Send the response now instead; the missed deadline is recorded on the case and the resident is sent an apology with a new date.`,
    { dueAt: response.dueAt, dueDate: response.dueDate },
  );
}

/** Working days of extension granted at a stage, the policy's cap (null: none) and what is left under it. */
export function extensionAllowance(
  state: CaseState,
  stage: StageNumber,
  policy: Pick<StagePolicy, 'extension'> | undefined,
): { used: number; cap: number | null; remaining: number | null } {
  const used = state[stageKey(stage)].extensions.reduce((sum, extension) => sum + extension.workingDays, 0);
  const cap = policy?.extension.maxWorkingDays ?? null;
  return { used, cap, remaining: cap === null ? null : Math.max(0, cap - used) };
}

function checkStage2Handler(state: CaseState, event: CaseEvent, staffId: string): void {
  if (!handledStage1(state, staffId)) return;
  throw new SameHandlerError(event.by.kind === 'staff' && event.by.email ? event.by.email : staffId);
}

function rememberStaff(state: CaseState, event: CaseEvent): CaseState {
  const { by } = event;
  if (by.kind !== 'staff' || !by.email || state.staff?.[by.id] === by.email) return state;
  return { ...state, staff: { ...state.staff, [by.id]: by.email } };
}

function expectStage(event: { stage: StageNumber; type: string }, state: CaseState): void {
  if (event.stage !== state.stage) {
    throw new OutOfOrderError(`${event.type} at stage ${event.stage}`, state.status, ALLOWED[state.status]);
  }
}

/** The outstanding actions on the case not yet done. */
export function openActions(state: CaseState): OutstandingAction[] {
  return state.actions.filter(isOpenAction);
}

function emptyStage(): StageRecord {
  return { outcomesSought: [], extensions: [], handlers: [] };
}

function start(event: CaseEvent, caseId: string, ctx: CaseContext): CaseState {
  if (event.type !== 'received') {
    throw new OutOfOrderError(event.type, 'not yet received', ['received']);
  }
  requireText(event.complainant.name, "The complainant's name");
  requireText(event.complaint.whatHappened, 'What went wrong');
  const missing = missingContactDetail(event.complainant);
  if (missing) {
    throw new ValidationError(
      `${CONTACT_DETAIL_WORDS[missing]} is required when the preferred contact method is ${event.complainant.preferredContact}`,
      { field: `complainant.${missing}` },
    );
  }
  return {
    caseId,
    reference: event.reference,
    providerId: ctx.profile.id,
    seq: 1,
    status: 'awaiting-triage',
    stage: 0,
    receivedAt: event.at,
    channel: event.channel,
    complainant: event.complainant,
    complaint: event.complaint,
    ...(event.email ? { email: event.email } : {}),
    relatedIssues: [],
    stage1: { ...emptyStage(), acknowledgement: ctx.clocks.stage1Acknowledgement(event.at) },
    stage2: emptyStage(),
    actions: [],
    breaches: [],
    remindersSent: [],
    ombudsmanReferrals: [],
    correspondence: [],
    lettersOwed: [`${templateFor(event)}#1`],
    updatedAt: event.at,
  };
}

/** A value chosen from one of the profile's lists: anything else could not be grouped in the figures. */
function assertOnList(value: string, list: readonly string[], what: string): void {
  if (!list.includes(value)) {
    throw new ValidationError(`"${value}" is not one of the ${what}: choose one of ${list.join('; ')}`);
  }
}

/**
 * Staff decide a stage 2 request is out of time: only one made after this case's window to ask ended, before any
 * stage 2 request was accepted; an emailed one must be an email from the complainant on the case, dated by its
 * receipt.
 */
function checkStaffRefusal(
  state: CaseState,
  event: Extract<CaseEvent, { type: 'escalation-refused' }>,
): void {
  if (state.stage2.escalationRequestedAt) {
    throw new ValidationError(
      `Stage 2 was already requested on ${state.reference}: a later request is part of it, not a new one`,
    );
  }
  const window = state.escalationWindow;
  if (!window) {
    throw new ValidationError(
      `${state.reference} has no window to ask for stage 2 (the policy sets none), so no request is out of time: ask for stage 2 on the resident's behalf instead`,
    );
  }
  if (event.windowEndedAt !== window.dueAt) {
    throw new ValidationError(`The window to ask for stage 2 on ${state.reference} ends at ${window.dueAt}`);
  }
  if (event.fromEmail !== undefined) {
    const email = state.emails?.find((candidate) => candidate.messageId === event.fromEmail);
    if (!email?.fromComplainant) {
      throw new ValidationError(
        'That email is not one the complainant sent to this case: choose an email from the case, or none for a request made by phone, letter or in person',
      );
    }
    if (event.requestedAt !== email.receivedAt) {
      throw new ValidationError('An emailed request is dated by when the email arrived');
    }
  }
  const requestedAt = event.requestedAt ?? event.at;
  if (requestedAt > event.at) throw new ValidationError('A stage 2 request cannot be dated in the future');
  if (requestedAt <= window.dueAt) {
    throw new ValidationError(
      `The request was made at ${requestedAt}, inside the window to ask for stage 2 (it ended at ${window.dueAt}): it is not out of time, so confirm it as a stage 2 request instead`,
    );
  }
}

/** A theme and root cause must be on the profile's lists, or the figures could not group them. */
function assertKnownLearning(learning: Learning, profile: ProviderProfile): void {
  assertOnList(learning.theme, profile.learning.themes, 'themes');
  assertOnList(learning.rootCause, profile.learning.rootCauses, 'root causes');
}

function applyResponse(
  state: CaseState,
  event: Extract<CaseEvent, { type: 'response-issued' }>,
  ctx: CaseContext,
): CaseState {
  expectStage(event, state);
  const staffId = requireStaff(event);
  if (event.stage === 2) checkStage2Handler(state, event, staffId);
  assertCompleteStageResponse(event.letter, event.stage, ctx.profile, openActions(state));
  if (event.learning) assertKnownLearning(event.learning, ctx.profile);
  const key = stageKey(event.stage);
  const listed = event.letter.outstandingActions === 'none' ? [] : event.letter.outstandingActions;
  // Open actions carried over take the letter's wording and date, so the case page says what the letter says.
  const carried = new Map(listed.flatMap((action) => (action.actionId ? [[action.actionId, action]] : [])));
  const fresh = listed.filter((action) => !action.actionId);
  const actions: OutstandingAction[] = [
    ...state.actions.map((action) => {
      const restated = carried.get(action.actionId);
      if (!restated) return action;
      const moved = restated.dueDate !== action.dueDate;
      return {
        ...action,
        description: restated.description,
        owner: restated.owner,
        dueDate: restated.dueDate,
        ...(moved ? { earlierDueDates: [...(action.earlierDueDates ?? []), action.dueDate] } : {}),
      };
    }),
    ...fresh.map(({ description, owner, dueDate }, index) => ({
      description,
      owner,
      dueDate,
      actionId: `S${event.stage}-${index + 1}`,
      addedAt: event.at,
    })),
  ];
  const next: CaseState = {
    ...state,
    actions,
    [key]: {
      ...state[key],
      respondedAt: event.at,
      letter: event.letter,
      ...(event.learning ? { learning: event.learning } : {}),
      handlers: addHandler(state[key], staffId),
    },
  };
  if (event.stage === 1) {
    return {
      ...next,
      status: 'stage1-responded',
      escalationWindow: ctx.clocks.escalationWindowEnd(
        event.at,
        laterEventDate(state.complaint.happenedOn, state.complaint.becameAwareOn),
      ),
    };
  }
  return { ...next, status: 'final-response-issued' };
}

function applyEvent(state: CaseState, event: CaseEvent, ctx: CaseContext): CaseState {
  switch (event.type) {
    case 'received':
      throw new OutOfOrderError('received', state.status, ALLOWED[state.status]);
    case 'triaged': {
      const staffId = requireStaff(event);
      const triage = { outcome: event.outcome, at: event.at, by: staffId };
      if (event.outcome === 'complaint') {
        return {
          ...state,
          status: 'stage1-acknowledgement',
          stage: 1,
          triage: { ...triage, detail: event.notes },
        };
      }
      if (event.outcome === 'service-request') {
        requireText(event.notes, 'What will be done about the service request');
        return {
          ...state,
          status: 'closed',
          triage: { ...triage, detail: event.notes },
          closedAt: event.at,
          closureReason: 'service-request',
        };
      }
      assertValidNonAcceptance(event, {
        profile: ctx.profile,
        calendar: ctx.clocks.calendar,
        receivedOn: toLondon(state.receivedAt).date,
        decidedOn: toLondon(event.at).date,
        happenedOn: state.complaint.happenedOn,
        becameAwareOn: state.complaint.becameAwareOn,
      });
      return {
        ...state,
        status: 'closed',
        triage: { ...triage, detail: `${event.exclusionCode}: ${event.rationale}` },
        closedAt: event.at,
        closureReason: 'not-accepted',
      };
    }
    case 'acknowledged': {
      expectStage(event, state);
      const staffId = requireStaff(event);
      requireText(event.definition, 'The complaint definition (what the complaint is about)');
      if (event.outcomesSought.filter((outcome) => outcome.trim()).length === 0) {
        throw new ValidationError('At least one outcome the resident is seeking is required (Code 5.6)');
      }
      if (event.stage === 2) {
        checkStage2Handler(state, event, staffId);
        const response = ctx.clocks.stage2Response({
          escalationRequestedAt: state.stage2.escalationRequestedAt ?? event.at,
          acknowledgedAt: event.at,
        });
        return {
          ...state,
          status: 'stage2-investigation',
          stage2: {
            ...state.stage2,
            acknowledgedAt: event.at,
            definition: event.definition,
            outcomesSought: event.outcomesSought,
            response,
            handlers: addHandler(state.stage2, staffId),
          },
        };
      }
      const response = ctx.clocks.stage1Response({ receivedAt: state.receivedAt, acknowledgedAt: event.at });
      return {
        ...state,
        status: 'stage1-investigation',
        stage1: {
          ...state.stage1,
          acknowledgedAt: event.at,
          definition: event.definition,
          outcomesSought: event.outcomesSought,
          response,
          handlers: addHandler(state.stage1, staffId),
        },
      };
    }
    case 'extension-granted': {
      expectStage(event, state);
      const staffId = requireStaff(event);
      if (event.stage === 2) checkStage2Handler(state, event, staffId);
      const key = stageKey(event.stage);
      const record = state[key];
      const policy = ctx.clocks.stagePolicy(event.stage);
      if (!policy.extension.allowedReasons.includes(event.reason)) {
        throw new ExtensionRefusedError(
          `"${event.reason}" is not an extension reason this provider allows; choose one of: ${policy.extension.allowedReasons.join('; ')}`,
          { allowedReasons: policy.extension.allowedReasons },
        );
      }
      requireText(event.explanation, 'An explanation of the extension for the resident');
      if (!Number.isInteger(event.workingDays) || event.workingDays < 1) {
        throw new ExtensionRefusedError(`An extension must be a whole number of working days, at least 1`);
      }
      const { used, cap } = extensionAllowance(state, event.stage, policy);
      if (cap !== null && used + event.workingDays > cap) {
        throw new ExtensionRefusedError(
          `Stage ${event.stage} extensions are capped at ${cap} working days; ${used} already granted, so at most ${cap - used} more`,
          { cap, used, requested: event.workingDays },
        );
      }
      const current = record.response;
      if (!current) throw new OutOfOrderError(event.type, state.status, ALLOWED[state.status]);
      if (event.at > current.dueAt) throw lateExtension(event.stage, current);
      const response = ctx.clocks.extend(current, event.workingDays);
      return {
        ...state,
        [key]: {
          ...record,
          response,
          extensions: [
            ...record.extensions,
            {
              workingDays: event.workingDays,
              reason: event.reason,
              at: event.at,
              newDueDate: response.dueDate,
            },
          ],
          handlers: addHandler(record, staffId),
        },
      };
    }
    case 'related-issue-added':
      requireText(event.description, 'The additional issue');
      return { ...state, relatedIssues: [...state.relatedIssues, event.description] };
    case 'response-issued':
      return applyResponse(state, event, ctx);
    case 'escalation-requested': {
      const requestedAt = event.requestedAt ?? event.at;
      if (requestedAt > event.at)
        throw new ValidationError('A stage 2 request cannot be dated in the future');
      const window = state.escalationWindow;
      if (window && requestedAt > window.dueAt) throw new EscalationWindowClosedError(window.dueAt);
      const acknowledgement = ctx.clocks.stage2Acknowledgement(requestedAt);
      return {
        ...state,
        status: 'stage2-acknowledgement',
        stage: 2,
        possibleEscalation: undefined,
        stage2: {
          ...state.stage2,
          escalationRequestedAt: requestedAt,
          escalationReason: event.reason,
          acknowledgement,
        },
      };
    }
    case 'action-added': {
      requireStaff(event);
      requireText(event.description, 'What the action is');
      requireText(event.owner, 'Who owns the action');
      if (!isCivilDate(event.dueDate))
        throw new ValidationError('When the action is due must be a date YYYY-MM-DD');
      if (state.actions.some((action) => action.actionId === event.actionId)) {
        throw new ValidationError(`An action with id ${event.actionId} already exists`);
      }
      const { type: _type, at, by: _by, ...action } = event;
      return { ...state, actions: [...state.actions, { ...action, addedAt: at }] };
    }
    case 'action-completed': {
      requireStaff(event);
      const action = state.actions.find((candidate) => candidate.actionId === event.actionId);
      if (!action)
        throw new DomainError(
          'UNKNOWN_ACTION',
          `There is no outstanding action ${event.actionId} on this case`,
        );
      if (action.completedAt) {
        throw new DomainError(
          'UNKNOWN_ACTION',
          `Action ${event.actionId} was already completed at ${action.completedAt}`,
        );
      }
      return {
        ...state,
        actions: state.actions.map((candidate) =>
          candidate === action
            ? { ...candidate, completedAt: event.at, completionNote: event.note }
            : candidate,
        ),
      };
    }
    case 'withdrawn':
      return {
        ...state,
        status: 'closed',
        withdrawnAt: event.at,
        closedAt: event.at,
        closureReason: 'withdrawn',
      };
    case 'ombudsman-referral-recorded':
      return {
        ...state,
        ombudsmanReferrals: [...state.ombudsmanReferrals, { at: event.at, reference: event.reference }],
      };
    case 'category-recorded': {
      requireStaff(event);
      assertOnList(event.category, ctx.profile.learning.themes, 'categories');
      return { ...state, category: event.category };
    }
    case 'satisfaction-recorded': {
      requireStaff(event);
      if (!SATISFACTION_ANSWERS.includes(event.answer)) {
        throw new ValidationError(
          `"${event.answer}" is not an answer on the scale: choose one of ${SATISFACTION_ANSWERS.join(', ')}`,
        );
      }
      requireText(event.how, 'How and when the resident said it');
      if (!state.stage1.respondedAt) {
        throw new ValidationError('Satisfaction with the handling is asked once a response is issued');
      }
      const answer = { at: event.at, answer: event.answer, how: event.how };
      return { ...state, satisfactionAnswers: [...(state.satisfactionAnswers ?? []), answer] };
    }
    case 'escalation-refused': {
      if (!state.stage1.respondedAt) {
        throw new ValidationError('A stage 2 request can only follow a stage 1 response');
      }
      if (state.escalationRefusals?.length) {
        throw new ValidationError(`A refused stage 2 request is already recorded on ${state.reference}`);
      }
      if (event.by.kind === 'staff') checkStaffRefusal(state, event);
      return { ...state, escalationRefusals: [{ at: event.at, reason: event.reason }] };
    }
    case 'remedy-paid': {
      requireStaff(event);
      requireText(event.description, 'What was paid or done');
      const offered = [state.stage1.letter, state.stage2.letter].some(
        (letter) => letter && letter.remedy !== 'none',
      );
      if (!offered) {
        throw new ValidationError(
          'No response on this case offered a remedy: record a payment once a response offering it is issued',
        );
      }
      const pounds = event.compensationPounds;
      if (
        pounds !== undefined &&
        !(Number.isFinite(pounds) && pounds > 0 && Math.round(pounds * 100) === pounds * 100)
      ) {
        throw new ValidationError(
          'Compensation paid must be an amount in pounds above 0, for example 50 or 75.50',
        );
      }
      const paid = {
        at: event.at,
        description: event.description,
        ...(pounds ? { compensationPounds: pounds } : {}),
      };
      return { ...state, remediesPaid: [...(state.remediesPaid ?? []), paid] };
    }
    case 'ombudsman-outcome-recorded': {
      requireManager(event);
      if (!OMBUDSMAN_OUTCOMES.includes(event.outcome)) {
        throw new ValidationError(
          `"${event.outcome}" is not an Ombudsman outcome: choose one of ${OMBUDSMAN_OUTCOMES.join(', ')}`,
        );
      }
      if (state.ombudsmanReferrals.length === 0) {
        throw new ValidationError(
          'No Ombudsman referral is recorded on this case: record the referral before its outcome',
        );
      }
      const outcome = {
        at: event.at,
        outcome: event.outcome,
        ...(event.reference ? { reference: event.reference } : {}),
      };
      return { ...state, ombudsmanOutcomes: [...(state.ombudsmanOutcomes ?? []), outcome] };
    }
    case 'note-added':
      requireText(event.text, 'The note');
      return state;
    case 'evidence-pack-prepared':
    case 'subject-access-exported':
      requireStaff(event);
      return state;
    case 'raw-email-downloaded':
      requireStaff(event);
      return state;
    case 'reminder-sent':
      return {
        ...state,
        remindersSent: [
          ...state.remindersSent,
          { step: event.step, dueAt: event.dueAt, actionId: event.actionId },
        ],
      };
    case 'deadline-breached':
      return {
        ...state,
        breaches: [
          ...state.breaches,
          {
            step: event.step,
            dueAt: event.dueAt,
            at: event.at,
            ...(event.actionId ? { actionId: event.actionId } : {}),
            ...(event.newDueDate ? { newDueDate: event.newDueDate } : {}),
          },
        ],
      };
    case 'correspondence-sent':
      return {
        ...state,
        correspondence: [
          ...state.correspondence,
          {
            template: event.template,
            key: event.key,
            channel: event.channel,
            at: event.at,
            detail: event.recipient,
          },
        ],
      };
    case 'correspondence-failed':
      return {
        ...state,
        correspondence: [
          ...state.correspondence,
          { template: event.template, key: event.key, channel: 'failed', at: event.at, detail: event.reason },
        ],
      };
    case 'email-received': {
      const { type: _type, at: _at, by: _by, text: _text, ...summary } = event;
      const window = state.escalationWindow;
      const mayAskForStage2 =
        state.status === 'stage1-responded' &&
        event.fromComplainant &&
        (!window || event.receivedAt <= window.dueAt);
      return {
        ...state,
        emails: [...(state.emails ?? []), summary],
        ...(mayAskForStage2
          ? {
              possibleEscalation: {
                messageId: event.messageId,
                receivedAt: event.receivedAt,
                from: event.from,
              },
            }
          : {}),
      };
    }
    case 'deadlines-recalculated':
      return recalculated(state, event, ctx);
    case 'legal-hold-set': {
      const by = requireManager(event);
      requireText(event.reason, 'Why the case is held (the reason for the legal hold)');
      if (state.legalHold) {
        throw new ValidationError(
          `Case ${state.reference} is already under a legal hold (${state.legalHold.reason})`,
        );
      }
      return { ...state, legalHold: { reason: event.reason, at: event.at, by } };
    }
    case 'legal-hold-released':
      requireManager(event);
      requireText(event.reason, 'Why the legal hold is released');
      if (!state.legalHold) throw new ValidationError(`Case ${state.reference} is not under a legal hold`);
      return { ...state, legalHold: undefined };
    case 'records-deleted':
      refuseIfBlocked(state, event);
      return {
        ...state,
        recordsDeleted: DELETABLE_RECORD_KINDS.filter(
          (kind) => state.recordsDeleted?.includes(kind) || event.kinds.includes(kind),
        ),
      };
    case 'anonymised':
      refuseIfBlocked(state, event);
      return {
        ...state,
        recordsDeleted: [...DELETABLE_RECORD_KINDS],
        anonymised: { at: event.at, trigger: event.trigger },
      };
    case 'erasure-decided':
      requireManager(event);
      requireText(event.reason, 'The reason for the decision');
      if (!isCivilDate(event.requestedOn)) {
        throw new ValidationError('When the erasure was requested must be a date YYYY-MM-DD');
      }
      if (event.decision === 'granted') refuseIfBlocked(state, event);
      return state;
    case 'rectified':
      return applyRectification(state, event);
    case 'closed': {
      const open = openActions(state);
      if (open.length > 0) {
        throw new ValidationError(
          `The case cannot be closed while ${open.length} outstanding action(s) are open: ${open.map((a) => a.actionId).join(', ')}`,
        );
      }
      if (event.reason === 'final-response-issued' && state.status !== 'final-response-issued') {
        throw new OutOfOrderError('closed after the final response', state.status, ALLOWED[state.status]);
      }
      const window = state.escalationWindow;
      const satisfied = event.residentSatisfied?.trim() || undefined;
      // With no window the resident may ask for stage 2 at any time, so only their word closes the case.
      if (state.status === 'stage1-responded' && (!window || event.at < window.dueAt) && !satisfied) {
        throw new Stage2WindowOpenError(window?.dueDate, window?.dueAt);
      }
      return {
        ...state,
        status: 'closed',
        closedAt: event.at,
        closureReason: event.reason,
        ...(satisfied ? { residentSatisfied: satisfied } : {}),
      };
    }
  }
}

function applyRectification(state: CaseState, event: Extract<CaseEvent, { type: 'rectified' }>): CaseState {
  requireManager(event);
  requireText(event.reason, 'Why the detail is corrected');
  if (!RECTIFIABLE_FIELDS.includes(event.field)) {
    throw new ValidationError(
      `"${event.field}" cannot be corrected; choose one of ${RECTIFIABLE_FIELDS.join(', ')}`,
    );
  }
  const value = event.value.trim();
  const complainant: Complainant = { ...state.complainant };
  if (value) complainant[event.field] = value;
  else if (event.field === 'name') throw new ValidationError("The complainant's name cannot be removed");
  else delete complainant[event.field];
  const missing = missingContactDetail(complainant);
  if (missing) {
    throw new ValidationError(
      `${CONTACT_DETAIL_WORDS[missing]} is needed while the preferred contact method is ${complainant.preferredContact}`,
    );
  }
  return { ...state, complainant };
}

/**
 * Pins the pending step's due date to the recorded one: folded under the new profile the log gives the later date
 * anyway, but a `kept` date must outlast a profile that would bring it earlier.
 */
function recalculated(
  state: CaseState,
  event: Extract<CaseEvent, { type: 'deadlines-recalculated' }>,
  ctx: CaseContext,
): CaseState {
  if (event.by.kind !== 'system') {
    throw new ValidationError(
      `"${event.type}" is recorded by the system when the profile changes, not by ${event.by.kind}`,
    );
  }
  requireText(event.reason, 'Why the due dates were recalculated (the profile change)');
  const pending = pendingStep(state, ctx);
  if (!pending?.deadline || pending.step !== event.step) {
    throw new ValidationError(
      `Case ${state.reference} is not waiting on "${event.step}"${pending ? ` (it is waiting on "${pending.step}")` : ''}: only the pending step's due date can be recalculated`,
    );
  }
  if (
    event.newDueDate < event.oldDueDate ||
    (event.direction === 'kept') !== (event.newDueDate === event.oldDueDate)
  ) {
    throw new ValidationError(
      `A recalculated due date never moves earlier than the one given to the resident (${event.oldDueDate}): record the later date, or "kept" with the same date`,
    );
  }
  const due = { ...pending.deadline, dueDate: event.newDueDate, dueAt: endOfLondonDay(event.newDueDate) };
  switch (event.step) {
    case 'triage':
    case 'stage1-acknowledgement':
      return { ...state, stage1: { ...state.stage1, acknowledgement: due } };
    case 'stage1-response':
      return { ...state, stage1: { ...state.stage1, response: due } };
    case 'stage2-acknowledgement':
      return { ...state, stage2: { ...state.stage2, acknowledgement: due } };
    case 'stage2-response':
      return { ...state, stage2: { ...state.stage2, response: due } };
    case 'escalation-window':
      return { ...state, escalationWindow: due };
    default:
      throw new ValidationError(`"${event.step}" has no due date computed from the profile`);
  }
}

/** Folds one event into the case, enforcing the Code's rules; throws a DomainError if it is not allowed. */
export function applyCaseEvent(
  state: CaseState | undefined,
  event: CaseEvent,
  ctx: CaseContext,
  caseId = state?.caseId ?? '',
): CaseState {
  if (!state) return rememberStaff(start(event, caseId, ctx), event);
  if (state.anonymised) {
    throw new DomainError(
      'ANONYMISED',
      `Case ${state.reference} was anonymised on ${state.anonymised.at.slice(0, 10)}: nothing more can be recorded on it`,
    );
  }
  if (!ALWAYS_ALLOWED.includes(event.type) && !ALLOWED[state.status].includes(event.type)) {
    if (
      event.type === 'escalation-requested' &&
      (state.stage === 2 || state.closureReason === 'final-response-issued')
    ) {
      throw new ThirdStageError();
    }
    if (
      event.type === 'escalation-requested' &&
      state.closureReason === 'escalation-window-ended' &&
      state.escalationWindow
    ) {
      throw new EscalationWindowClosedError(state.escalationWindow.dueAt);
    }
    throw new OutOfOrderError(event.type, state.status, ALLOWED[state.status]);
  }
  if (event.at < state.updatedAt) {
    throw new ValidationError(
      `Events must be in time order: ${event.at} is before the last event (${state.updatedAt})`,
    );
  }
  const next = applyEvent(state, event, ctx);
  const seq = state.seq + 1;
  return rememberStaff(
    { ...next, seq, lettersOwed: owedAfter(state, event, seq), updatedAt: event.at },
    event,
  );
}

/** The letters owed once this event (number seq) is folded in: the same rule as `lettersOwed` on the log. */
function owedAfter(state: CaseState, event: CaseEvent, seq: number): string[] {
  const owed = state.lettersOwed ?? [];
  if (event.type === 'correspondence-sent' || event.type === 'correspondence-failed') {
    return owed.filter((key) => key !== event.key);
  }
  const template = templateFor(event);
  return template ? [...owed, `${template}#${seq}`] : owed;
}

export function foldCase(caseId: string, events: readonly CaseEvent[], ctx: CaseContext): CaseState {
  let state: CaseState | undefined;
  for (const event of events) state = applyCaseEvent(state, event, ctx, caseId);
  if (!state) throw new ValidationError(`Case ${caseId} has no events`);
  return state;
}

/** The step the case is waiting on, with its deadline; undefined when closed. */
export function pendingStep(state: CaseState, ctx: CaseContext): PendingStep | undefined {
  const withReminder = (step: Step, stage: 0 | StageNumber, due?: Deadline): PendingStep => ({
    step,
    stage,
    deadline: due,
    reminderAt: due ? ctx.clocks.reminder(due) : undefined,
  });
  switch (state.status) {
    case 'awaiting-triage':
      return withReminder('triage', 0, state.stage1.acknowledgement);
    case 'stage1-acknowledgement':
      return withReminder('stage1-acknowledgement', 1, state.stage1.acknowledgement);
    case 'stage1-investigation':
      return withReminder('stage1-response', 1, state.stage1.response);
    case 'stage1-responded':
      return { step: 'escalation-window', stage: 1, deadline: state.escalationWindow };
    case 'stage2-acknowledgement':
      return withReminder('stage2-acknowledgement', 2, state.stage2.acknowledgement);
    case 'stage2-investigation':
      return withReminder('stage2-response', 2, state.stage2.response);
    case 'final-response-issued':
      return { step: 'outstanding-actions', stage: 2 };
    case 'closed':
      return undefined;
  }
}

export function isOpenAction(action: OutstandingAction): boolean {
  return !action.completedAt;
}
