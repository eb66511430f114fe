import { applyCaseEvent, type CaseEvent, type CaseState, foldCase } from '../domain/case.ts';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import { casePosition, type PositionStep } from '../domain/position.ts';
import { contactHash, nameHashes } from '../domain/secrets.ts';
import { assignmentOf, sameAssignment } from '../domain/work-queue.ts';
import { profileFingerprint } from '../policy/profile.ts';
import type { CaseLookups, TaskAssignment, TaskRecord } from '../ports/case-repository.ts';
import type { AppDependencies } from './dependencies.ts';

export interface LoadedCase {
  events: CaseEvent[];
  state: CaseState;
}

export async function loadCase(deps: AppDependencies, caseId: string): Promise<LoadedCase> {
  const events = await deps.repository.loadEvents(caseId);
  if (events.length === 0) throw new NotFoundError(`There is no case ${caseId}`);
  const state = foldCase(caseId, events, deps.context);
  return { events, state };
}

/**
 * States known to be stored as their case's projection (read from it, or saved by this process), with their
 * reporting facts (the store writes facts before the projection). An event recorded on one of these saves only
 * what it changed: facts the event leaves as they were are not written again. Kept by identity, so a state
 * folded from the log, which may be ahead of the stored facts after a write that stopped part-way, never is.
 */
const savedStates = new WeakSet<CaseState>();

/**
 * The case as a workflow step or a write needs it: its projection, one consistent GetItem. The projection is the
 * reducer's own output, saved by every write; only when there is none yet, or it predates a field the reducer
 * now keeps, is the log read and folded (and the projection saved, so the next read is one GetItem again).
 */
export async function loadState(deps: AppDependencies, caseId: string): Promise<CaseState> {
  const projection = await deps.repository.getProjection(caseId);
  if (projection && Array.isArray(projection.lettersOwed)) {
    savedStates.add(projection);
    return projection;
  }
  const { state } = await loadCase(deps, caseId);
  await saveFolded(deps, state);
  return state;
}

/**
 * Saves a state folded from the log as its case's projection, and gives the task the workflow waits on the
 * state's assignee: the log may hold an event whose writer stopped before doing so (a rebuild is how such a
 * write is finished).
 */
export async function saveFolded(deps: AppDependencies, state: CaseState): Promise<void> {
  await saveAndAssign(deps, state, undefined, true);
}

/** Where a case's workflow waits without a callback task (a Wait state, or the end). */
const TASKLESS_STEPS: ReadonlySet<PositionStep> = new Set([
  'outstanding-actions',
  'ready-to-close',
  'closed',
]);

/**
 * The projection, then (when `assign`) the case's assignee on the task its workflow waits on. registerTask marks
 * its task (a write) before it reads the case again; this saves the case (a write) before it reads the mark. Each
 * is a single-item write or consistent read, so whichever side comes second sees the other's write: an
 * assignment made while a task is being registered reaches that task. Listing the case's tasks instead goes
 * through an index that can lag a task stored a moment before, and miss it.
 */
async function saveAndAssign(
  deps: AppDependencies,
  state: CaseState,
  savedBase: CaseState | undefined,
  assign: boolean,
  claimedTask?: string,
): Promise<void> {
  await deps.repository.saveProjection(state, caseLookups(deps, state), savedBase);
  savedStates.add(state);
  if (!assign) return;
  // The mark outlives its task: the workflow overwrites it at the next wait, nothing clears it. A case that now
  // waits on no task (its outstanding actions, or closed) can only find an ended task there, so reading it would
  // cost a GetItem and a refused update. A task being registered meanwhile is for a step this write ended:
  // registerTask's re-read closes it, or it is closed as answered; its assignee no longer matters.
  if (TASKLESS_STEPS.has(casePosition(state, deps.context, deps.clock.now()).step)) return;
  const openTaskId = await deps.repository.openTaskOf(state.caseId);
  // A task this write's actor claimed (closed) to act on may still be the one marked, but it has left the queue.
  if (openTaskId && openTaskId !== claimedTask) {
    await deps.repository.assignTask(openTaskId, taskAssignment(state));
  }
}

/**
 * Marks the task the case's workflow now waits on (registerTask, once the task is stored), then reads the case
 * again: an event saved before the read is in the state returned, one saved after it finds the mark (see
 * saveAndAssign).
 */
export async function markOpenTask(
  deps: AppDependencies,
  caseId: string,
  taskId: string,
): Promise<CaseState> {
  await deps.repository.markOpenTask(caseId, taskId);
  return loadState(deps, caseId);
}

/**
 * Gives a case's open tasks its assignee where their copy differs, from the case as just read from its log: a
 * write that stopped (or whose task update failed) after saving its projection left the copy behind, and the
 * case page is where staff look next. Costs nothing when the copies are right.
 */
export async function repairTaskAssignees(
  deps: AppDependencies,
  state: CaseState,
  tasks: readonly TaskRecord[],
): Promise<void> {
  const assignment = taskAssignment(state);
  await Promise.all(
    tasks
      .filter(
        (task) =>
          task.status === 'open' &&
          (task.assignedSeq ?? 0) < state.seq &&
          !sameAssignment(task, assignmentOf(state)),
      )
      .map((task) => deps.repository.assignTask(task.taskId, assignment)),
  );
}

/**
 * What the case can be found by, as keyed hashes: the resident's email, phone and name, the sender (and any
 * forwarder) of the email that opened it, and the address of everyone whose emailed reply was recorded on it.
 */
export function caseLookups(deps: AppDependencies, state: CaseState): CaseLookups {
  // Its details are gone: nothing may find it by them (retention removes the items it had).
  if (state.anonymised) return { contacts: [], names: [] };
  const { email, phone, name } = state.complainant;
  const hash = (contact: string) => contactHash(deps.secrets.contactHashKey, contact);
  const present = (contact: string | undefined): contact is string => Boolean(contact);
  const contacts = new Set(
    [email, phone, state.email?.from.address, state.email?.forwardedBy?.address].filter(present).map(hash),
  );
  const correspondents = new Set(
    (state.emails ?? [])
      .map((reply) => reply.from.address)
      .filter(present)
      .map(hash)
      .filter((contact) => !contacts.has(contact)),
  );
  return {
    contacts: [...contacts],
    names: nameHashes(deps.secrets.contactHashKey, name),
    ...(correspondents.size ? { correspondents: [...correspondents] } : {}),
  };
}

/** Enough attempts for a burst of staff and residents writing to one case at once (20 at a time in tests). */
const MAX_ATTEMPTS = 10;

/** A short random pause before trying again, growing with each attempt, so racing writers spread out. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Appends one event built from the current state. The event is validated by the domain reducer first, then
 * written with a condition on its sequence number; if another writer got there first, the state is reloaded
 * and the event rebuilt (and revalidated) against it. The first attempt builds on the projection (or on
 * `known`, a state the caller has just read); a lost race re-folds the log, so a projection left behind by a
 * writer that stopped between its two writes is caught up here rather than followed. The event's time is
 * taken on each attempt, after the read, so it is never earlier than an event a concurrent writer has just
 * appended (it is clamped to the last event's time where another server's clock ran slightly ahead). Still
 * losing after every attempt is a ConflictError (409, "try again"), never the caller's invalid input.
 * `projectionMayLag`: the event alone is the record, so a refused projection write after it is not a failure.
 */
export async function recordEvent(
  deps: AppDependencies,
  caseId: string,
  build: (state: CaseState, at: string) => CaseEvent,
  known?: CaseState,
  /**
   * `projectionMayLag`: see below. `project: false` leaves the projection as it was: the caller saves it once
   * its own work is done (retention keeps a case on its list until its records are deleted, so a run that stops
   * part-way is finished next time). `claimedTask`: the task the actor closed to act on (actOnTask), which
   * needs no assignee.
   */
  options: { projectionMayLag?: boolean; project?: boolean; claimedTask?: string } = {},
): Promise<{ state: CaseState }> {
  for (let attempt = 1; ; attempt++) {
    const state =
      attempt === 1 ? (known ?? (await loadState(deps, caseId))) : (await loadCase(deps, caseId)).state;
    const now = nowIso(deps);
    let event: CaseEvent;
    let next: CaseState;
    try {
      // biome-ignore lint/complexity/useMathMinMax: ISO instants are strings, which Math.max cannot compare
      event = stampProfile(deps, build(state, now < state.updatedAt ? state.updatedAt : now));
      next = applyCaseEvent(state, event, deps.context);
    } catch (error) {
      // Refused against a saved state: the log has the last word, so a projection behind it cannot refuse.
      if (attempt === 1) continue;
      throw error;
    }
    try {
      await deps.repository.appendEvent(caseId, next.seq, event);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      await backoff(attempt);
      continue;
    }
    try {
      if (options.project !== false) {
        // A lost race re-folded the log, whose newer events may have changed the assignee without their writer
        // getting this far: the task is set either way.
        const assign = attempt > 1 || !sameAssignment(assignmentOf(state), assignmentOf(next));
        await saveAndAssign(
          deps,
          next,
          savedStates.has(state) ? state : undefined,
          assign,
          options.claimedTask,
        );
      }
    } catch (error) {
      // An access record (a download, an evidence pack) is the event itself: once it is in the log the access
      // is recorded, and failing now would make the retry record it twice. The projection, which such an event
      // barely changes, is caught up by the case's next write (its first attempt loses the race and re-folds).
      if (!options.projectionMayLag) throw error;
    }
    return { state: next };
  }
}

/**
 * A stage 2 request dates a step with no letter of its own: it records the profile it was dated under, here so
 * that every way of recording one (the resident's page, a task, a confirmed email reply) does.
 */
function stampProfile(deps: AppDependencies, event: CaseEvent): CaseEvent {
  return event.type === 'escalation-requested'
    ? { ...event, profileFingerprint: profileFingerprint(deps.context.profile) }
    : event;
}

/** The assignment an open task of this case should hold (see TaskRecord.assignedSeq). */
export function taskAssignment(state: CaseState): TaskAssignment {
  return { ...assignmentOf(state), assignedSeq: state.seq };
}

export function nowIso(deps: AppDependencies): string {
  return deps.clock.now().toISOString();
}
