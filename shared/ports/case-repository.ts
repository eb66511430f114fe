import type { CaseEvent, CaseState, CaseStatus, StaffRole, Step } from '../domain/case.ts';
import type { HeldEmail } from '../domain/email.ts';
import type { CaseFacts } from '../domain/reporting/facts.ts';
import type { ProviderProfile } from '../policy/profile.ts';

/** A month's reporting state: how often its facts changed, and the tally cached for it. */
export interface ReportMonth {
  changes: number;
  tally?: { changes: number; key: string; json: string };
}

export const TASK_STATUSES = ['open', 'done', 'superseded', 'timed-out'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A callback the state machine is waiting on. The token never leaves the server (design decision 4). */
export interface TaskRecord {
  taskId: string;
  caseId: string;
  reference: string;
  step: Step;
  role: StaffRole | 'resident';
  token: string;
  dueAt?: string;
  status: TaskStatus;
  createdAt: string;
  closedAt?: string;
  closedBy?: string;
  /** When staff were told about it: its new-task email, or the digest that listed it. */
  announcedAt?: string;
  /**
   * Set on a done task whose callback Step Functions refused (after the adapter's retries): the action is
   * recorded but the execution still waits on this task, so the callback is sent again (see resendCallbacks).
   */
  callbackOwedSince?: string;
  /**
   * Who the case is assigned to (see assignmentOf), kept on the task so the staff queue reads no projection:
   * stored with the task and set again by every event that changes it (assignTask). `assignedSeq` is the seq of
   * the case state it was taken from; a task stored before this was kept has none, and the queue reads its case.
   */
  assignedSeq?: number;
  assignee?: string;
  assigneeEmail?: string;
}

/** A task's assignment as of one state of its case: what assignTask stores. */
export type TaskAssignment = Required<Pick<TaskRecord, 'assignedSeq'>> &
  Pick<TaskRecord, 'assignee' | 'assigneeEmail'>;

/** A staff alert or digest that went out, under its deterministic key, so a retried send is skipped. */
export interface SentMessage {
  key: string;
  messageId: string;
  at: string;
  /** The tasks a digest listed, so a retry marks those announced without sending it again. */
  taskIds?: readonly string[];
}

/** Who may send a resident letter now (`CaseRepository.claimLetter`). */
export type LetterClaim = 'claimed' | 'taken-over' | 'held';

/** A claim on a resident letter: made at `at`, held until `until`, by a workflow step or a run over many cases. */
export interface LetterClaimRequest {
  at: string;
  until: string;
  by: 'step' | 'run';
}

export interface IntakeRecord {
  caseId: string;
  /** Taken by whoever holds the claim, once it holds it; absent until then. */
  reference?: string;
  /**
   * The reference the claim's holder is taking (recorded before the number is bound to the case): a holder
   * that takes the claim over tries it first, so a number taken by a holder that stopped is not lost.
   */
  candidate?: string;
  requestHash: string;
  /** When the key was claimed (or a stalled claim taken over). */
  claimedAt?: string;
}

/** One inbound email, claimed by its Message-ID before it is processed, with what became of it. */
export interface InboundEmailRecord {
  messageId: string;
  /** Where the raw message is: a second delivery of the same Message-ID has another key, and is a duplicate. */
  rawKey: string;
  receivedAt: string;
  outcome?:
    | 'case-opened'
    | 'threaded'
    | 'held'
    | 'auto-reply'
    | 'bounce'
    | 'own-message'
    | 'no-sender'
    | 'virus';
  detail?: string;
  caseId?: string;
  /** What staff need to read and act on a held message (set while and after it is held). */
  held?: HeldEmail;
  /** The member of staff acting on a held message, once one has claimed it (so it is handled once). */
  handling?: HeldEmailHandling;
  /** Each download of a held message's raw email (it holds the sender's personal data in full). */
  accesses?: Array<{ by: string; byEmail?: string; at: string }>;
}

/** A member of staff's claim on a held message: attaching it to a case, or opening a new case from it. */
export interface HeldEmailHandling {
  /** The member of staff's id (the Cognito sub), and their email for display. */
  by: string;
  byEmail?: string;
  action: 'attach' | 'open';
  /** The case it is being attached to, and its reference (attach only). */
  caseId?: string;
  reference?: string;
  /** When it was claimed (or last claimed again by its holder): the lease runs from here. */
  at: string;
}

/** What makes two claims on a held message the same claim (a retry), whatever their times. */
export function handlingKey(handling: HeldEmailHandling): string {
  return `${handling.action}|${handling.by}|${handling.caseId ?? ''}`;
}

/**
 * The work a claim is for, whoever holds it: a stalled claim may be taken over only to finish the same work
 * (attaching to another case, or opening a case instead, could put the message in two places).
 */
export function handlingWork(handling: Pick<HeldEmailHandling, 'action' | 'caseId'>): string {
  return `${handling.action}|${handling.caseId ?? ''}`;
}

/** Keyed hashes a case can be found by (never the plain values): its resident's contacts and name. */
export interface CaseLookups {
  /** One per email address and phone number (`contactHash`), with whoever sent the email that opened it. */
  contacts: readonly string[];
  /** The whole name and each of its words (`nameHashes`). */
  names: readonly string[];
  /**
   * The addresses of everyone else who wrote to the case later (a neighbour copied in, a forwarder replying),
   * as `contactHash`es: they arrive after the case is opened, so they are written with any save, not the first.
   */
  correspondents?: readonly string[];
}

/** The provider profile whose due dates the open cases were last given (`applyProfileChange`). */
export interface AppliedProfile {
  /** `profileFingerprint` of the profile. */
  fingerprint: string;
  /** The profile itself: the next change is compared with it to work out which dates move. */
  profile: ProviderProfile;
  appliedAt: string;
  /**
   * A deploy's record pass ran for the profile with this fingerprint and its apply pass has not yet: until then
   * the daily run must not store that profile (the apply pass compares with the stored one, ADR 0016).
   */
  deployPending?: {
    fingerprint: string;
    since: string;
    /**
     * The profile itself: if the deploy rolls back, the steps functions running it dated meanwhile are compared
     * back to the stored profile. Absent on marks written before it was kept.
     */
    profile?: ProviderProfile;
  };
  /**
   * The profile this one replaced, kept when it was stored: a deploy rolled back after its apply pass, its
   * rollback's request served by the new code, compares the cases back to it (ADR 0016). Absent on items stored
   * before it was kept.
   */
  previous?: { fingerprint: string; profile: ProviderProfile };
}

/** What a save of the applied profile checks the stored one still is. */
export type AppliedProfileVersion = Pick<AppliedProfile, 'fingerprint' | 'deployPending'>;

export interface CaseRepository {
  findIntake(key: string): Promise<IntakeRecord | undefined>;
  /** Claims an intake idempotency key; returns the record already stored when the key was used before. */
  claimIntakeKey(key: string, record: IntakeRecord): Promise<IntakeRecord>;
  /**
   * Takes a readable, sayable reference such as CMP-2026-000123 (the next free number of the year) for a held
   * claim and attaches it. The write that takes a number binds it to the claim's case id, so a number taken
   * is never lost: the claim's next holder (a retry) finds it and uses it. Returns the claim's reference, or
   * undefined when the claim is no longer held by `hold` and has none yet.
   */
  takeIntakeReference(
    key: string,
    hold: { caseId: string; claimedAt: string },
    year: number,
  ): Promise<string | undefined>;
  /**
   * Lets a retry take over at once a claim still without a reference, if `hold` still holds it (its holder
   * failed part-way). The claim keeps its case id and candidate.
   */
  releaseIntakeClaim(key: string, hold: { caseId: string; claimedAt: string }): Promise<void>;
  /** Takes over a claim still without a reference, if it is unchanged since claimedAt; true if taken. */
  takeOverIntakeClaim(key: string, claimedAt: string | undefined, now: string): Promise<boolean>;
  /** Appends the event with sequence number seq; throws ConflictError when that number is taken. */
  appendEvent(caseId: string, seq: number, event: CaseEvent): Promise<void>;
  loadEvents(caseId: string): Promise<CaseEvent[]>;
  /**
   * Writes the projection unless a newer one is stored; with the first, the contact and name lookup items,
   * and with every save the correspondents' (so a save that stopped part-way is finished by the next one).
   * The reporting facts are written before the projection, so a stored projection's facts are stored too:
   * given `savedBase`, the stored projection this state was built from by one event, facts equal to its are
   * not written again.
   */
  saveProjection(state: CaseState, lookups: CaseLookups, savedBase?: CaseState): Promise<void>;
  getProjection(caseId: string): Promise<CaseState | undefined>;
  /**
   * Records the task the case's workflow now waits on (registerTask, once the task is stored), under the case's
   * own key, so a write that changes the case's assignee finds it with {@link openTaskOf} rather than through the
   * index of the case's tasks, which can lag a task stored a moment before.
   */
  markOpenTask(caseId: string, taskId: string): Promise<void>;
  /** The task last marked as the one the case's workflow waits on (a consistent read); undefined if none. */
  openTaskOf(caseId: string): Promise<string | undefined>;
  /** The projections of these cases in one batched read (repeated ids read once; unknown ids are left out). */
  getProjections(caseIds: readonly string[]): Promise<CaseState[]>;
  saveReference(reference: string, caseId: string): Promise<void>;
  findCaseIdByReference(reference: string): Promise<string | undefined>;
  /** Claims an inbound email's Message-ID; returns the record already stored when it was seen before. */
  claimInboundEmail(record: InboundEmailRecord): Promise<InboundEmailRecord>;
  /** Records what became of a claimed inbound email. */
  recordInboundOutcome(
    messageId: string,
    outcome: NonNullable<InboundEmailRecord['outcome']>,
    detail: string,
    caseId?: string,
  ): Promise<void>;
  /** Records a claimed inbound email as held for staff (listed by {@link listHeldEmails} until handled). */
  holdInboundEmail(held: HeldEmail, detail: string): Promise<void>;
  /** Held messages not yet handled, newest first. */
  listHeldEmails(limit?: number): Promise<InboundEmailRecord[]>;
  /** An inbound email by its key (`messageKey` of its Message-ID), held or not. */
  getInboundEmail(key: string): Promise<InboundEmailRecord | undefined>;
  /**
   * Claims a held message for one member of staff's action, atomically: true if claimed (or already claimed
   * by the same person for the same action and case, a retry; or claimed by someone else for the same work
   * whose claim was made before `staleBefore`, a holder that stopped part-way), false if someone else holds
   * it or it is no longer held. Recording its outcome afterwards takes it off the held list.
   */
  claimHeldEmail(key: string, handling: HeldEmailHandling, staleBefore: string): Promise<boolean>;
  /** Records that a member of staff downloaded a held message's raw email. */
  recordInboundAccess(key: string, access: { by: string; byEmail?: string; at: string }): Promise<void>;
  /** Keeps the id of a message sent about a case, so a reply that refers to it threads onto the case. */
  rememberLetterMessageId(messageId: string, caseId: string): Promise<void>;
  findCaseIdByLetterMessageId(messageId: string): Promise<string | undefined>;
  /**
   * Anonymisation: removes what an inbound email's record says about the message and its sender (its
   * Message-ID, raw key, outcome detail and the held message with its text), keeping the record under its
   * hashed key with its outcome, receipt time and case, so a late second delivery is still a duplicate. Does
   * nothing for a key with no record; doing it again changes nothing.
   */
  scrubInboundEmail(key: string): Promise<void>;
  /** Anonymisation: forgets a sent message's id, so nothing links it to the case any more (idempotent). */
  forgetLetterMessageId(messageId: string): Promise<void>;
  listByStatus(status: CaseStatus, limit?: number): Promise<CaseState[]>;
  listByContact(contactHash: string): Promise<CaseState[]>;
  /** Cases whose resident's name, or one word of it, has this hash (`nameHashes`). */
  listByName(nameHash: string, limit?: number): Promise<CaseState[]>;
  /**
   * Closed cases not yet anonymised that closed before this instant, oldest first: all retention reads (an
   * index of closed cases by closure time, never a scan).
   */
  listClosedBefore(before: string): Promise<CaseState[]>;
  /** Deletes the case's contact, name and correspondent lookup items (search no longer finds it by them). */
  removeLookups(caseId: string): Promise<number>;
  /** Writes lookup items for the case now, beside any it has (a corrected name or contact detail). */
  addLookups(state: CaseState, lookups: CaseLookups): Promise<void>;
  /**
   * Overwrites the case's stored events, the first as seq 1 (anonymisation only: otherwise the log is
   * append-only). Each must already exist.
   */
  rewriteEvents(caseId: string, events: readonly CaseEvent[]): Promise<void>;
  /** Cases received in a London calendar month (YYYY-MM): the unit reports are built from. */
  listReceivedInMonth(month: string): Promise<CaseState[]>;
  /**
   * The newest reporting facts of every case that dates anything (receipt, triage, acknowledgement, extension,
   * response, stage 2 request, withdrawal, closure, breach, action, referral) in one of these London months.
   */
  listReportFacts(months: readonly string[]): Promise<CaseFacts[]>;
  /**
   * Each month's change count (bumped after every write of reporting facts dated in it) and the report tally
   * cached for it, if any, with the change count it was built at.
   */
  reportMonths(months: readonly string[]): Promise<Map<string, ReportMonth>>;
  /**
   * Caches a month's tally (JSON) built from its facts read when its change count was `changes`. Not cached
   * (false) if the month changed since, or changed too recently for an index read to be sure to include it.
   */
  saveReportTally(month: string, changes: number, tally: { key: string; json: string }): Promise<boolean>;
  putTask(task: TaskRecord): Promise<void>;
  getTask(taskId: string): Promise<TaskRecord | undefined>;
  /** Moves an open task to a final status; throws TaskNotOpenError if it is no longer open. */
  closeTask(taskId: string, status: Exclude<TaskStatus, 'open'>, at: string, by: string): Promise<TaskRecord>;
  /** Puts a task that was claimed back in its queue (the action it was claimed for did not happen). */
  reopenTask(task: TaskRecord): Promise<void>;
  tasksForCase(caseId: string): Promise<TaskRecord[]>;
  /**
   * Sets who an open task's case is assigned to, unless the task holds an assignment from the same or a later
   * state of the case (a larger `assignedSeq`): writers finishing out of order never leave an older one.
   */
  assignTask(taskId: string, assignment: TaskAssignment): Promise<void>;
  /** Records that a task was announced (in a digest), so no digest lists it again. */
  markTaskAnnounced(taskId: string, at: string): Promise<void>;
  /** Open tasks for a role, earliest due first (the staff queue). */
  queue(role: TaskRecord['role'], limit?: number): Promise<TaskRecord[]>;
  /**
   * Marks a done task as still owing its callback (Step Functions refused it). `whileOpen`: an open task too,
   * one a recorded event has ended but that could not be closed (it is closed when the callback is resent).
   */
  markCallbackOwed(taskId: string, since: string, options?: { whileOpen?: boolean }): Promise<void>;
  /** Clears the mark once the callback went through (or its wait had already ended). */
  settleCallback(taskId: string): Promise<void>;
  /** Tasks still owing their callback (done, or open and marked `whileOpen`): one case's, or every case's. */
  owedCallbacks(caseId?: string): Promise<TaskRecord[]>;
  /** The staff alert or digest already sent under this key, if any. */
  findSentMessage(key: string): Promise<SentMessage | undefined>;
  recordSentMessage(message: SentMessage): Promise<void>;
  /**
   * Claims the sending of one resident letter (its key on the case, `<template>#<seq>`), a conditional write only
   * one run wins: `claimed` (none held it) or `taken-over` (the claim there expired, its `until` not after this
   * one's `at`, or both are workflow steps': one execution's steps run one at a time, so a step finding a step's
   * claim finds its own earlier attempt, stopped); `held` while another's claim holds.
   */
  claimLetter(caseId: string, key: string, claim: LetterClaimRequest): Promise<LetterClaim>;
  /** Gives a claim back (its send failed, so the letter is still owed and any run may send it); none if another's. */
  releaseLetter(caseId: string, key: string, claim: LetterClaimRequest): Promise<void>;
  /** The profile last applied to open cases' due dates; undefined before the first was stored. */
  getAppliedProfile(): Promise<AppliedProfile | undefined>;
  /**
   * Stores the applied profile, only over the one `previous` was read as (its fingerprint and its deploy mark; none
   * stored when undefined): ConflictError when another run stored a different one, or marked it, meanwhile.
   */
  saveAppliedProfile(applied: AppliedProfile, previous: AppliedProfileVersion | undefined): Promise<void>;
}
