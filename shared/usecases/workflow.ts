import type { CaseState, StaffRole, Step } from '../domain/case.ts';
import { LetterHeldError, TaskNotOpenError } from '../domain/errors.ts';
import { actionFollowUps, type CasePosition, casePosition, deadlineAlerts } from '../domain/position.ts';
import { assignmentOf, sameAssignment } from '../domain/work-queue.ts';
import type { TaskRecord } from '../ports/case-repository.ts';
import {
  caseLookups,
  loadCase,
  loadState,
  markOpenTask,
  recordEvent,
  saveFolded,
  taskAssignment,
} from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import { alertStaff, deliverOwedLetters, sendTaskDigests } from './notify.ts';
import { applyProfileChange, type ProfileChangeReport } from './profile-change.ts';

const SYSTEM = { kind: 'system', id: 'workflow' } as const;

export function positionOf(deps: AppDependencies, state: CaseState): CasePosition {
  return casePosition(state, deps.context, deps.clock.now());
}

/**
 * The execution's first task: checks the case exists, rebuilds its projection from the log, sends any letters
 * owed (the receipt, or whatever a stopped execution left unsent) and says where it is.
 */
export async function recordReceipt(deps: AppDependencies, caseId: string): Promise<CasePosition> {
  const { state } = await loadCase(deps, caseId);
  // A plain save: at an execution's start no task is open yet to take the assignee (the case page puts right
  // one an earlier execution left).
  await deps.repository.saveProjection(state, caseLookups(deps, state));
  return positionOf(deps, await settleLetters(deps, caseId, state));
}

/**
 * Sends the letters the case is owed and says where it is. The projection says whether any are owed, so a step
 * with none reads one item; the log is read only to write letters.
 */
export async function sendLettersAndLocate(deps: AppDependencies, caseId: string): Promise<CasePosition> {
  return positionOf(deps, await settleLetters(deps, caseId));
}

/**
 * Sends every letter owed and returns the case with none owed. Each step does this before it returns, so the
 * letters an action calls for go with the machine's next step rather than in a state of their own. An event
 * that lands while letters are going out (a resident withdrawing, say) is either in the state read after them,
 * so its letter goes now, or after it, so the machine waits on a step that is over, finds so at once and
 * comes back.
 */
async function settleLetters(deps: AppDependencies, caseId: string, known?: CaseState): Promise<CaseState> {
  let state = known ?? (await loadState(deps, caseId));
  let rebuilt = false;
  while (state.lettersOwed.length > 0) {
    const delivered = await deliverOwedLetters(deps, caseId, state);
    if (delivered.held > 0 && delivered.sent === 0) {
      // Another run claimed them (a profile change's pass or the daily run, sending them now): the step is tried
      // again (the ASL's LetterHeldError retrier, longer than any run's claim) and finds them recorded, or the
      // claim of a run that stopped expired and it sends them.
      throw new LetterHeldError(
        `Case ${caseId}: ${delivered.held} letter(s) owed are claimed by another run; this step is tried again`,
        { caseId, held: delivered.held },
      );
    }
    if (delivered.sent > 0 && delivered.state) {
      // The last letter's record is the newest write to the case (an event that raced it made that record
      // re-fold the log), so it is the state to go on from: no second read.
      state = delivered.state;
      rebuilt = false;
      continue;
    }
    // The log owes nothing but the projection says it does: a write stopped after its event and before the
    // projection. Rebuild the projection from the log, or every later read would ask for the letters again.
    if (rebuilt)
      throw new Error(`Case ${caseId}: the rebuilt projection still owes letters the log does not`);
    ({ state } = await loadCase(deps, caseId));
    await saveFolded(deps, state);
    rebuilt = true;
  }
  return state;
}

export async function currentPosition(deps: AppDependencies, caseId: string): Promise<CasePosition> {
  return positionOf(deps, await loadState(deps, caseId));
}

/** Closes every open task of a case (a newer one replaces it, or its wait timed out). */
async function closeOpenTasks(
  deps: AppDependencies,
  caseId: string,
  status: 'superseded' | 'timed-out',
  filter: (step: Step) => boolean = () => true,
) {
  const tasks = await deps.repository.tasksForCase(caseId);
  for (const task of tasks.filter((t) => t.status === 'open' && filter(t.step))) {
    await deps.repository
      .closeTask(task.taskId, status, deps.clock.now().toISOString(), 'workflow')
      .catch((error) => {
        if (!(error instanceof TaskNotOpenError)) throw error;
      });
  }
  return tasks;
}

/**
 * A callback task: stores the token under a random task id (the token itself never leaves the server) and
 * tells the role's queue. If the case has already moved on, the callback is completed at once.
 */
export async function registerTask(
  deps: AppDependencies,
  input: { caseId: string; step: Step; token: string },
): Promise<{ taskId?: string; completedAtOnce: boolean }> {
  const state = await settleLetters(deps, input.caseId);
  const position = positionOf(deps, state);
  if (position.step !== input.step) {
    await deps.engine.sendTaskSuccess(input.token, position);
    return { completedAtOnce: true };
  }
  const earlier = await closeOpenTasks(deps, input.caseId, 'superseded');
  const role = position.role ?? 'handler';
  const previous = earlier.filter((task) => task.step === input.step && task.dueAt === position.dueAt);
  const digest = role !== 'resident' && deps.context.profile.notifications.newTasks[role] === 'digest';
  // A task re-registered for the same step and deadline was announced with its predecessor (or will be, in
  // the next digest, if that one had not been yet).
  let announcedAt = previous.map((task) => task.announcedAt ?? (digest ? undefined : task.createdAt))[0];
  if (role !== 'resident' && !digest && previous.length === 0) {
    // Alert before storing: if the alert fails, the retry finds no task for this deadline and alerts again.
    await alertStaff(deps, state, 'new-task', input.step, [role], position.dueAt);
    announcedAt = deps.clock.now().toISOString();
  }
  const taskId = deps.newId();
  await deps.repository.putTask({
    taskId,
    caseId: input.caseId,
    reference: state.reference,
    step: input.step,
    role,
    token: input.token,
    dueAt: position.dueAt,
    status: 'open',
    createdAt: deps.clock.now().toISOString(),
    ...(announcedAt ? { announcedAt } : {}),
    ...taskAssignment(state),
  });
  // Someone (a resident escalating, say) may have moved the case on while the task was being stored, and
  // found no task to complete: look again, or the machine would wait on a step that is over. The look marks the
  // task on the case, so an event saved after it gives the task its assignee; one saved before is in `latest`.
  const latest = await markOpenTask(deps, input.caseId, taskId);
  if (!sameAssignment(assignmentOf(latest), assignmentOf(state))) {
    await deps.repository.assignTask(taskId, taskAssignment(latest));
  }
  const now = positionOf(deps, latest);
  if (now.step !== input.step) {
    await deps.repository
      .closeTask(taskId, 'done', deps.clock.now().toISOString(), 'workflow')
      .catch((error) => {
        if (!(error instanceof TaskNotOpenError)) throw error;
      });
    await deps.engine.sendTaskSuccess(input.token, now).catch((error) => {
      if (!(error instanceof TaskNotOpenError)) throw error;
    });
    return { taskId, completedAtOnce: true };
  }
  return { taskId, completedAtOnce: false };
}

/**
 * Runs when a callback's timeout fires: records the reminder or the breach that is due (once each), alerts
 * the right people, and returns where the case now is so the machine waits again. Alerts go out before the
 * event is recorded, so a failed send is retried rather than lost (an alert may, rarely, arrive twice).
 */
export async function checkDeadline(
  deps: AppDependencies,
  input: { caseId: string; step: Step },
): Promise<CasePosition & { recorded?: 'reminder' | 'breach' }> {
  // Outstanding actions are followed up at every check, whatever else the case is waiting for.
  const state = await followUpActions(deps, await loadState(deps, input.caseId));
  const position = positionOf(deps, state);
  await closeOpenTasks(deps, input.caseId, 'timed-out', (step) => step === input.step);
  // The window for stage 2 ended, or the last outstanding action was done: close here rather than in a state
  // of its own, so a case that ends at a check costs no further transitions than its end.
  if (position.step === 'ready-to-close') return closeCase(deps, input.caseId, state);
  if (position.step !== input.step || !position.dueAt || input.step === 'escalation-window') {
    return positionOf(deps, await settleLetters(deps, input.caseId, state));
  }
  const now = deps.clock.now().getTime();
  const roles: StaffRole[] = position.role && position.role !== 'resident' ? [position.role] : [];
  const dueAt = position.dueAt;
  const { breached, reminded } = deadlineAlerts(state, dueAt);
  if (Date.parse(dueAt) < now && !breached) {
    await alertStaff(deps, state, 'breach', input.step, [...roles, 'manager'], dueAt);
    // The resident is owed an apology and a new date (the letter follows from this event).
    const newDueDate = deps.context.clocks.afterMissedDeadline(dueAt).dueDate;
    const { state: next } = await recordEvent(
      deps,
      input.caseId,
      (_current, at) => ({
        type: 'deadline-breached',
        at,
        by: SYSTEM,
        step: input.step,
        dueAt,
        newDueDate,
      }),
      state,
    );
    deps.telemetry?.count('DeadlineBreached', { name: 'Step', value: input.step });
    // The apology and new date go now, from this step.
    return { ...positionOf(deps, await settleLetters(deps, input.caseId, next)), recorded: 'breach' };
  }
  if (position.reminderAt && Date.parse(position.reminderAt) <= now && !reminded && !breached) {
    await alertStaff(deps, state, 'reminder', input.step, roles, dueAt);
    const { state: next } = await recordEvent(
      deps,
      input.caseId,
      (_current, at) => ({ type: 'reminder-sent', at, by: SYSTEM, step: input.step, dueAt }),
      state,
    );
    return { ...positionOf(deps, await settleLetters(deps, input.caseId, next)), recorded: 'reminder' };
  }
  if (breached && position.nextCheck === 'still-overdue') {
    await alertStaff(deps, state, 'still-overdue', input.step, [...roles, 'manager'], dueAt);
  }
  return positionOf(deps, await settleLetters(deps, input.caseId, state));
}

/**
 * Outstanding actions are chased like deadlines: the handler is reminded before an action's date, and once
 * the date has passed the handler and the managers are told it was missed. Each alert is sent before it is
 * recorded (as for step deadlines) and recorded once per action and date.
 */
async function followUpActions(deps: AppDependencies, state: CaseState): Promise<CaseState> {
  const now = deps.clock.now();
  let current = state;
  for (const followUp of actionFollowUps(state, deps.context, now)) {
    if (Date.parse(followUp.at) > now.getTime()) continue;
    const { action, alert, dueAt } = followUp;
    const roles: StaffRole[] = alert === 'breach' ? ['handler', 'manager'] : ['handler'];
    const step = `outstanding action ${action.actionId}: ${action.description}`;
    await alertStaff(deps, current, alert, step, roles, dueAt, `action ${action.actionId}`);
    ({ state: current } = await recordEvent(
      deps,
      state.caseId,
      (_current, at) => {
        const base = {
          at,
          by: SYSTEM,
          step: 'outstanding-actions',
          dueAt,
          actionId: action.actionId,
        } as const;
        return alert === 'breach'
          ? { type: 'deadline-breached', ...base }
          : { type: 'reminder-sent', ...base };
      },
      current,
    ));
  }
  return current;
}

/**
 * Closes a case whose work is done (the final response with no open actions, or the stage 2 window ended) and
 * sends the letters a closed case is owed (its closure letter, or one an action that closed it called for).
 */
export async function closeCase(
  deps: AppDependencies,
  caseId: string,
  known?: CaseState,
): Promise<CasePosition> {
  const state = known ?? (await loadState(deps, caseId));
  if (positionOf(deps, state).step !== 'ready-to-close') {
    return positionOf(deps, await settleLetters(deps, caseId, state));
  }
  const reason =
    state.status === 'final-response-issued' ? 'final-response-issued' : 'escalation-window-ended';
  const { state: closed } = await recordEvent(
    deps,
    caseId,
    (_current, at) => ({ type: 'closed', at, by: SYSTEM, reason }),
    state,
  );
  return positionOf(deps, await settleLetters(deps, caseId, closed));
}

/**
 * Completes every open callback of a case with its new position, after an event moved it on. With
 * `openedUntil` (the event's time), only the tasks already open when it was recorded: a task the workflow
 * registered since answers the event, it is not answered by it.
 */
export async function completeOpenTasks(
  deps: AppDependencies,
  caseId: string,
  by: string,
  options: { openedUntil?: string } = {},
): Promise<void> {
  const tasks = await deps.repository.tasksForCase(caseId);
  const position = await currentPosition(deps, caseId);
  const { openedUntil } = options;
  const answered = (t: TaskRecord) =>
    t.status === 'open' && (openedUntil === undefined || t.createdAt <= openedUntil);
  for (const task of tasks.filter(answered)) {
    try {
      await deps.repository.closeTask(task.taskId, 'done', deps.clock.now().toISOString(), by);
    } catch (error) {
      // The wait already ended (timed out or replaced): the machine re-reads the case at its next step.
      if (!(error instanceof TaskNotOpenError)) throw error;
      continue;
    }
    await completeCallback(deps, task, position);
  }
}

/**
 * Ends the tasks a recorded event answers (a resident's escalation or withdrawal) without ever failing the
 * request that recorded it: the case has moved on, so the resident is told it is done. If closing them fails
 * (DynamoDB busy), each task still open is marked as owing its callback, and the next look at or action on
 * the case, or the daily run, closes it and sends it (resendOwedCallbacks), as for a refused staff callback.
 * If the mark cannot be written either, the step's deadline check moves the execution on when its wait times
 * out. Either way a warning is logged and `CallbackOwed` counted, which alarms.
 */
export async function endAnsweredTasks(deps: AppDependencies, caseId: string, by: string): Promise<void> {
  try {
    await completeOpenTasks(deps, caseId, by);
  } catch (error) {
    try {
      const since = deps.clock.now().toISOString();
      for (const task of await deps.repository.tasksForCase(caseId)) {
        if (task.status === 'open')
          await deps.repository.markCallbackOwed(task.taskId, since, { whileOpen: true });
      }
    } catch (markError) {
      deps.telemetry?.warn(
        'Tasks not closed and not marked owed: the step moves on at its deadline check',
        { caseId, refusedBy: error instanceof Error ? error.name : 'unknown' },
        markError,
      );
      deps.telemetry?.count('CallbackOwed', { name: 'Outcome', value: 'unmarked' });
      return;
    }
    deps.telemetry?.warn('Tasks not closed: marked owed, to be closed and sent again', { caseId }, error);
    deps.telemetry?.count('CallbackOwed', { name: 'Outcome', value: 'owed' });
  }
}

/** What became of a done task's callback: sent, owed (marked for a resend), or neither (the mark failed too). */
export type CallbackOutcome = 'sent' | 'owed' | 'unmarked';

/**
 * Completes a done task's callback. If Step Functions still refuses it after the adapter's retries, the task
 * is marked as owing it: the action that closed the task stands, and the next look at or action on the case,
 * or the daily job, sends it again (resendOwedCallbacks), so the execution moves on then rather than at the
 * step's timeout. If even the mark cannot be written, the action still stands (it is recorded, and answering
 * an error would only invite a retry that meets a done task): the step's deadline check, when its wait times
 * out, moves the execution on. Either way a warning is logged and `CallbackOwed` counted, which alarms.
 */
export async function completeCallback(
  deps: AppDependencies,
  task: TaskRecord,
  position: CasePosition,
): Promise<CallbackOutcome> {
  try {
    await deps.engine.sendTaskSuccess(task.token, position);
    return 'sent';
  } catch (error) {
    // The wait already ended (timed out or replaced): the machine re-reads the case at its next step.
    if (error instanceof TaskNotOpenError) return 'sent';
    const ids = { caseId: task.caseId, taskId: task.taskId, step: task.step };
    try {
      await deps.repository.markCallbackOwed(task.taskId, deps.clock.now().toISOString());
    } catch (markError) {
      deps.telemetry?.warn(
        'Callback refused and not marked owed: the step moves on at its deadline check',
        { ...ids, refusedBy: error instanceof Error ? error.name : 'unknown' },
        markError,
      );
      deps.telemetry?.count('CallbackOwed', { name: 'Outcome', value: 'unmarked' });
      return 'unmarked';
    }
    deps.telemetry?.warn('Callback refused: marked owed, to be sent again', ids, error);
    deps.telemetry?.count('CallbackOwed', { name: 'Outcome', value: 'owed' });
    return 'owed';
  }
}

/**
 * Sends the callbacks a case (or, without a case id, every case) still owes, each with the case's position
 * now. A token whose wait has ended answers TaskNotOpenError: that callback is no longer owed either. One
 * still refused stays owed for the next attempt; this never fails the page or action that called it.
 */
export async function resendOwedCallbacks(
  deps: AppDependencies,
  caseId?: string,
): Promise<{ resent: number; stillOwed: number }> {
  let resent = 0;
  let stillOwed = 0;
  for (const task of await deps.repository.owedCallbacks(caseId)) {
    try {
      // Marked while open (a resident's action recorded, its tasks not closed): closed now, then answered.
      if (task.status === 'open') {
        await deps.repository.closeTask(task.taskId, 'done', deps.clock.now().toISOString(), 'workflow');
      }
      await deps.engine.sendTaskSuccess(task.token, await currentPosition(deps, task.caseId));
      resent++;
    } catch (error) {
      if (!(error instanceof TaskNotOpenError)) {
        stillOwed++;
        continue;
      }
    }
    await deps.repository.settleCallback(task.taskId);
  }
  return { resent, stillOwed };
}

/**
 * The daily scheduled run. First every callback still owed, on any case: a refused SendTaskSuccess on a case
 * nobody has opened since would otherwise wait for its step's timeout, days away. Then, if the provider profile
 * changed since it was last applied (a deploy with a new profile), the open cases' moved dates are recorded and
 * the residents told (`applyProfileChange`). Then the digest of new tasks. A callback still refused stays owed
 * (and is logged) for the next look at the case or the next run; a profile change that fails part-way does not
 * hold back the digest, and fails the run afterwards so it is retried (and finished by the next run at worst).
 */
export async function dailyRun(deps: AppDependencies): Promise<{
  callbacks: { resent: number; stillOwed: number };
  profile?: ProfileChangeReport;
  digests: Record<string, number>;
}> {
  const callbacks = await resendOwedCallbacks(deps);
  if (callbacks.stillOwed > 0) {
    deps.telemetry?.warn('Callbacks still owed after the daily resend', { ...callbacks });
  }
  let profile: ProfileChangeReport | undefined;
  let profileFailure: unknown;
  try {
    profile = await applyProfileChange(deps);
  } catch (error) {
    profileFailure = error;
  }
  const digests = await sendTaskDigests(deps);
  if (profileFailure) throw profileFailure;
  return { callbacks, ...(profile && profile.outcome !== 'unchanged' ? { profile } : {}), digests };
}
