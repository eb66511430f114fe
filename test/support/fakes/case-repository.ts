import type { CaseEvent, CaseState, CaseStatus } from '#shared/domain/case.ts';
import { type HeldEmail, messageKey } from '#shared/domain/email.ts';
import { ConflictError, TaskNotOpenError } from '#shared/domain/errors.ts';
import { REMOVED } from '#shared/domain/records.ts';
import { type CaseFacts, caseFacts, factMonths } from '#shared/domain/reporting/facts.ts';
import {
  type AppliedProfile,
  type AppliedProfileVersion,
  type CaseLookups,
  type CaseRepository,
  type HeldEmailHandling,
  handlingKey,
  handlingWork,
  type InboundEmailRecord,
  type IntakeRecord,
  type LetterClaim,
  type LetterClaimRequest,
  type ReportMonth,
  type SentMessage,
  type TaskAssignment,
  type TaskRecord,
  type TaskStatus,
} from '#shared/ports/case-repository.ts';
import { toLondon } from '#shared/time/london.ts';

/**
 * The case repository in memory, for use-case tests. It implements the port's contract (the same suite runs
 * against it and the DynamoDB adapter: test/support/case-repository-contract.ts), not the adapter's
 * requests. Values are copied in and out, as a database would.
 */
export class InMemoryCaseRepository implements CaseRepository {
  readonly events = new Map<string, CaseEvent[]>();
  readonly projections = new Map<string, CaseState>();
  /** The task each case's workflow waits on (markOpenTask). */
  private readonly openTasks = new Map<string, string>();
  readonly tasks = new Map<string, TaskRecord>();
  private readonly intakes = new Map<string, IntakeRecord>();
  /** The highest reference number taken, per year. */
  private readonly highest = new Map<number, number>();
  private readonly references = new Map<string, string>();
  private readonly lookups = new Map<string, Set<string>>();
  private readonly sentMessages = new Map<string, SentMessage>();
  private readonly letterClaims = new Map<string, LetterClaimRequest>();
  private readonly inbound = new Map<string, InboundEmailRecord>();
  private readonly letterMessages = new Map<string, string>();
  private readonly reportMonthsStored = new Map<string, ReportMonth>();
  private appliedProfile: AppliedProfile | undefined;

  async findIntake(key: string): Promise<IntakeRecord | undefined> {
    return copy(this.intakes.get(key));
  }

  async claimIntakeKey(key: string, record: IntakeRecord): Promise<IntakeRecord> {
    const existing = this.intakes.get(key);
    if (existing) return copy(existing);
    this.intakes.set(key, copy(record));
    return copy(record);
  }

  async takeIntakeReference(
    key: string,
    hold: { caseId: string; claimedAt: string },
    year: number,
  ): Promise<string | undefined> {
    const claim = this.intakes.get(key);
    if (!claim) throw new ConflictError(`Intake key ${key} has no claim to attach a reference to`);
    if (claim.reference) return claim.reference;
    // A number its earlier holder took (its candidate) comes first; then the next free one of the year.
    let candidate = claim.candidate;
    let after = this.highest.get(year) ?? 0;
    while (!claim.reference) {
      if (!candidate) {
        if (claim.claimedAt !== hold.claimedAt) return undefined;
        candidate = `CMP-${year}-${String(after + 1).padStart(6, '0')}`;
        claim.candidate = candidate;
      }
      const owner = this.references.get(candidate);
      if (owner === undefined || owner === hold.caseId) {
        this.references.set(candidate, hold.caseId);
        const [, takenYear, number] = candidate.split('-');
        this.highest.set(
          Number(takenYear),
          Math.max(this.highest.get(Number(takenYear)) ?? 0, Number(number)),
        );
        claim.reference = candidate;
      } else {
        after = Math.max(after, Number(candidate.split('-')[2]));
        candidate = undefined;
      }
    }
    return claim.reference;
  }

  async releaseIntakeClaim(key: string, hold: { caseId: string; claimedAt: string }): Promise<void> {
    const claim = this.intakes.get(key);
    // The claim stays (its case id and candidate with it); only the hold goes, so a retry takes it over at once.
    if (claim && claim.caseId === hold.caseId && claim.claimedAt === hold.claimedAt && !claim.reference) {
      delete claim.claimedAt;
    }
  }

  async takeOverIntakeClaim(key: string, claimedAt: string | undefined, now: string): Promise<boolean> {
    const claim = this.intakes.get(key);
    if (!claim || claim.reference || claim.claimedAt !== claimedAt) return false;
    claim.claimedAt = now;
    return true;
  }

  async appendEvent(caseId: string, seq: number, event: CaseEvent): Promise<void> {
    const events = this.events.get(caseId) ?? [];
    if (events[seq - 1]) {
      throw new ConflictError(
        `Someone else updated case ${caseId} at the same moment (event ${seq} is taken); reload it and try again`,
        { caseId, seq },
      );
    }
    events[seq - 1] = copy(event);
    this.events.set(caseId, events);
  }

  async loadEvents(caseId: string): Promise<CaseEvent[]> {
    return (this.events.get(caseId) ?? []).filter(Boolean).map(copy);
  }

  async saveProjection(state: CaseState, lookups: CaseLookups): Promise<void> {
    const stored = this.projections.get(state.caseId);
    if (!stored || stored.seq < state.seq) this.projections.set(state.caseId, copy(state));
    for (const month of factMonths(caseFacts(state))) {
      const entry = this.reportMonthsStored.get(month) ?? { changes: 0 };
      this.reportMonthsStored.set(month, { ...entry, changes: entry.changes + 1 });
    }
    this.putLookups(state.caseId, {
      contacts: state.seq === 1 ? lookups.contacts : [],
      names: state.seq === 1 ? lookups.names : [],
      correspondents: lookups.correspondents,
    });
  }

  async markOpenTask(caseId: string, taskId: string): Promise<void> {
    this.openTasks.set(caseId, taskId);
  }

  async openTaskOf(caseId: string): Promise<string | undefined> {
    return this.openTasks.get(caseId);
  }

  async addLookups(state: CaseState, lookups: CaseLookups): Promise<void> {
    this.putLookups(state.caseId, lookups);
  }

  private putLookups(caseId: string, lookups: CaseLookups): void {
    for (const key of [
      ...lookups.contacts.map((hash) => `CONTACT#${hash}`),
      ...lookups.names.map((hash) => `NAME#${hash}`),
      ...(lookups.correspondents ?? []).map((hash) => `CONTACT#${hash}`),
    ]) {
      this.lookups.set(key, (this.lookups.get(key) ?? new Set()).add(caseId));
    }
  }

  async removeLookups(caseId: string): Promise<number> {
    let removed = 0;
    for (const cases of this.lookups.values()) if (cases.delete(caseId)) removed++;
    return removed;
  }

  async rewriteEvents(caseId: string, events: readonly CaseEvent[]): Promise<void> {
    const stored = this.events.get(caseId) ?? [];
    if (events.length > stored.length) throw new Error(`case ${caseId} has only ${stored.length} events`);
    events.forEach((event, index) => {
      stored[index] = copy(event);
    });
  }

  async listClosedBefore(before: string): Promise<CaseState[]> {
    return [...this.projections.values()]
      .filter((state) => state.status === 'closed' && !state.anonymised && (state.closedAt ?? '') < before)
      .map(copy)
      .sort((a, b) => (a.closedAt ?? '').localeCompare(b.closedAt ?? ''));
  }

  async getProjection(caseId: string): Promise<CaseState | undefined> {
    return copy(this.projections.get(caseId));
  }

  async getProjections(caseIds: readonly string[]): Promise<CaseState[]> {
    return this.statesOf(new Set(caseIds));
  }

  async saveReference(reference: string, caseId: string): Promise<void> {
    this.references.set(reference, caseId);
  }

  async findCaseIdByReference(reference: string): Promise<string | undefined> {
    return this.references.get(reference);
  }

  async listByStatus(status: CaseStatus, limit = 500): Promise<CaseState[]> {
    return this.byReceived([...this.projections.values()].filter((s) => s.status === status)).slice(0, limit);
  }

  async listByContact(contactHash: string): Promise<CaseState[]> {
    return this.byReceived(this.statesOf(this.lookups.get(`CONTACT#${contactHash}`)));
  }

  async listByName(nameHash: string, limit = 100): Promise<CaseState[]> {
    // The limit keeps the newest (the adapter reads its index backwards); they are listed oldest first.
    const newest = this.byReceived(this.statesOf(this.lookups.get(`NAME#${nameHash}`))).reverse();
    return this.byReceived(newest.slice(0, limit));
  }

  async listReceivedInMonth(month: string): Promise<CaseState[]> {
    return this.byReceived(
      [...this.projections.values()].filter((s) => toLondon(s.receivedAt).date.startsWith(`${month}-`)),
    );
  }

  async listReportFacts(months: readonly string[]): Promise<CaseFacts[]> {
    const wanted = new Set(months);
    return [...this.projections.values()]
      .map(caseFacts)
      .filter((facts) => factMonths(facts).some((month) => wanted.has(month)));
  }

  async reportMonths(months: readonly string[]): Promise<Map<string, ReportMonth>> {
    const found = new Map<string, ReportMonth>();
    for (const month of months) {
      const entry = this.reportMonthsStored.get(month);
      if (entry) found.set(month, copy(entry));
    }
    return found;
  }

  async saveReportTally(
    month: string,
    changes: number,
    tally: { key: string; json: string },
  ): Promise<boolean> {
    const entry = this.reportMonthsStored.get(month) ?? { changes: 0 };
    if (entry.changes !== changes) return false;
    this.reportMonthsStored.set(month, { changes, tally: { changes, ...tally } });
    return true;
  }

  async putTask(task: TaskRecord): Promise<void> {
    if (this.tasks.has(task.taskId)) throw new ConflictError(`Task ${task.taskId} is already registered`);
    this.tasks.set(task.taskId, copy(task));
  }

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    return copy(this.tasks.get(taskId));
  }

  async closeTask(
    taskId: string,
    status: Exclude<TaskStatus, 'open'>,
    at: string,
    by: string,
  ): Promise<TaskRecord> {
    const task = this.tasks.get(taskId);
    if (task?.status !== 'open') {
      throw new TaskNotOpenError(
        task
          ? `Task ${taskId} is no longer open: it was ${task.status} at ${task.closedAt ?? 'an earlier time'}`
          : `There is no task ${taskId}`,
        { taskId, status: task?.status },
      );
    }
    Object.assign(task, { status, closedAt: at, closedBy: by });
    return copy(task);
  }

  async reopenTask(task: TaskRecord): Promise<void> {
    if (this.tasks.get(task.taskId)?.status !== 'done') return;
    const { closedAt: _closedAt, closedBy: _closedBy, ...open } = task;
    this.tasks.set(task.taskId, copy({ ...open, status: 'open' }));
  }

  async tasksForCase(caseId: string): Promise<TaskRecord[]> {
    return [...this.tasks.values()]
      .filter((task) => task.caseId === caseId)
      .sort((a, b) => `${a.createdAt}#${a.taskId}`.localeCompare(`${b.createdAt}#${b.taskId}`))
      .map(copy);
  }

  async assignTask(taskId: string, assignment: TaskAssignment): Promise<void> {
    const task = this.tasks.get(taskId);
    if (
      task?.status !== 'open' ||
      (task.assignedSeq !== undefined && task.assignedSeq >= assignment.assignedSeq)
    )
      return;
    const { assignee: _assignee, assigneeEmail: _assigneeEmail, ...rest } = task;
    this.tasks.set(taskId, copy({ ...rest, ...assignment }));
  }

  async markTaskAnnounced(taskId: string, at: string): Promise<void> {
    const task = this.tasks.get(taskId);
    if (!task) throw new ConflictError(`There is no task ${taskId} to mark announced`);
    task.announcedAt = at;
  }

  async queue(role: TaskRecord['role'], limit = 200): Promise<TaskRecord[]> {
    const dueKey = (task: TaskRecord) => `${task.dueAt ?? '9999'}#${task.taskId}`;
    return [...this.tasks.values()]
      .filter((task) => task.role === role && task.status === 'open')
      .sort((a, b) => dueKey(a).localeCompare(dueKey(b)))
      .slice(0, limit)
      .map(copy);
  }

  async markCallbackOwed(
    taskId: string,
    since: string,
    options: { whileOpen?: boolean } = {},
  ): Promise<void> {
    const task = this.tasks.get(taskId);
    if (task?.status === 'done' || (options.whileOpen && task?.status === 'open'))
      task.callbackOwedSince = since;
  }

  async settleCallback(taskId: string): Promise<void> {
    const task = this.tasks.get(taskId);
    if (task) delete task.callbackOwedSince;
  }

  async owedCallbacks(caseId?: string): Promise<TaskRecord[]> {
    return [...this.tasks.values()]
      .filter(
        (task) => task.callbackOwedSince !== undefined && (caseId === undefined || task.caseId === caseId),
      )
      .map(copy);
  }

  async claimInboundEmail(record: InboundEmailRecord): Promise<InboundEmailRecord> {
    const existing = this.inbound.get(record.messageId);
    if (existing) return copy(existing);
    this.inbound.set(record.messageId, copy(record));
    return copy(record);
  }

  async recordInboundOutcome(
    messageId: string,
    outcome: NonNullable<InboundEmailRecord['outcome']>,
    detail: string,
    caseId?: string,
  ): Promise<void> {
    const record = this.inbound.get(messageId);
    if (record) this.inbound.set(messageId, { ...record, outcome, detail, ...(caseId ? { caseId } : {}) });
  }

  async holdInboundEmail(held: HeldEmail, detail: string): Promise<void> {
    const record = this.inbound.get(held.messageId);
    if (record) this.inbound.set(held.messageId, { ...record, outcome: 'held', detail, held: copy(held) });
  }

  async listHeldEmails(limit = 50): Promise<InboundEmailRecord[]> {
    return (
      [...this.inbound.values()]
        // An anonymised record has lost its held message, and with it its place on the list.
        .filter((record) => record.outcome === 'held' && record.held)
        .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
        .slice(0, limit)
        .map(copy)
    );
  }

  async getInboundEmail(key: string): Promise<InboundEmailRecord | undefined> {
    return copy([...this.inbound].find(([messageId]) => messageKey(messageId) === key)?.[1]);
  }

  async claimHeldEmail(key: string, handling: HeldEmailHandling, staleBefore: string): Promise<boolean> {
    const record = [...this.inbound.values()].find((candidate) => messageKey(candidate.messageId) === key);
    if (record?.outcome !== 'held') return false;
    const held = record.handling;
    const stalled = held && handlingWork(held) === handlingWork(handling) && held.at < staleBefore;
    if (held && handlingKey(held) !== handlingKey(handling) && !stalled) return false;
    this.inbound.set(record.messageId, { ...record, handling: copy(handling) });
    return true;
  }

  async recordInboundAccess(
    key: string,
    access: { by: string; byEmail?: string; at: string },
  ): Promise<void> {
    const record = [...this.inbound.values()].find((candidate) => messageKey(candidate.messageId) === key);
    if (!record) throw new Error(`no inbound email ${key}`);
    this.inbound.set(record.messageId, { ...record, accesses: [...(record.accesses ?? []), copy(access)] });
  }

  async rememberLetterMessageId(messageId: string, caseId: string): Promise<void> {
    this.letterMessages.set(messageId, caseId);
  }

  async scrubInboundEmail(key: string): Promise<void> {
    // Stored under the Message-ID the claim named (a later claim of it must still find the record).
    const found = [...this.inbound].find(([messageId]) => messageKey(messageId) === key);
    if (!found) return;
    const [claimedAs, { held: _held, ...kept }] = found;
    this.inbound.set(claimedAs, { ...kept, messageId: REMOVED, rawKey: REMOVED, detail: REMOVED });
  }

  async forgetLetterMessageId(messageId: string): Promise<void> {
    this.letterMessages.delete(messageId);
  }

  async findCaseIdByLetterMessageId(messageId: string): Promise<string | undefined> {
    return this.letterMessages.get(messageId);
  }

  async findSentMessage(key: string): Promise<SentMessage | undefined> {
    return copy(this.sentMessages.get(key));
  }

  async recordSentMessage(message: SentMessage): Promise<void> {
    this.sentMessages.set(message.key, copy(message));
  }

  async claimLetter(caseId: string, key: string, claim: LetterClaimRequest): Promise<LetterClaim> {
    const id = `${caseId}#${key}`;
    const before = this.letterClaims.get(id);
    if (before && before.until > claim.at && !(before.by === 'step' && claim.by === 'step')) return 'held';
    this.letterClaims.set(id, { ...claim });
    return before ? 'taken-over' : 'claimed';
  }

  async releaseLetter(caseId: string, key: string, claim: LetterClaimRequest): Promise<void> {
    const id = `${caseId}#${key}`;
    const held = this.letterClaims.get(id);
    if (held?.at === claim.at && held.by === claim.by) this.letterClaims.delete(id);
  }

  async getAppliedProfile(): Promise<AppliedProfile | undefined> {
    return copy(this.appliedProfile);
  }

  async saveAppliedProfile(
    applied: AppliedProfile,
    previous: AppliedProfileVersion | undefined,
  ): Promise<void> {
    const stored = this.appliedProfile;
    if (
      stored?.fingerprint !== previous?.fingerprint ||
      stored?.deployPending?.since !== previous?.deployPending?.since
    ) {
      throw new ConflictError('Another run stored the applied provider profile meanwhile; read it again');
    }
    this.appliedProfile = copy(applied);
  }

  private statesOf(caseIds: Iterable<string> = []): CaseState[] {
    return [...caseIds].flatMap((id) => {
      const state = this.projections.get(id);
      return state ? [copy(state)] : [];
    });
  }

  private byReceived(states: CaseState[]): CaseState[] {
    const order = (s: CaseState) => `${s.receivedAt}#${s.caseId}`;
    return states.map(copy).sort((a, b) => order(a).localeCompare(order(b)));
  }
}

function copy<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}
