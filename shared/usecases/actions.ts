import * as z from 'zod/mini';
import {
  type Actor,
  type CaseEvent,
  type CaseState,
  handledStage1,
  OMBUDSMAN_OUTCOMES,
  SATISFACTION_ANSWERS,
  type StaffRole,
} from '../domain/case.ts';
import {
  DomainError,
  EscalationWindowClosedError,
  TaskNotOpenError,
  ValidationError,
} from '../domain/errors.ts';
import { DECISIONS } from '../domain/letters.ts';
import type { CasePosition } from '../domain/position.ts';
import { lazy } from '../lazy.ts';
import type { TaskRecord } from '../ports/case-repository.ts';
import { isCivilDate } from '../time/london.ts';
import '../zod-messages.ts';
import { nowIso, recordEvent } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import { discardHeldCopies, keepRawEmailsForHold } from './raw-email.ts';
import { staffReason } from './reason.ts';
import {
  completeCallback,
  completeOpenTasks,
  currentPosition,
  positionOf,
  resendOwedCallbacks,
} from './workflow.ts';

/** Text that must be given, trimmed, up to `max` characters (the resident's actions use it too). */
export const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const upTo = (max: number) => z.optional(z.string().check(z.maxLength(max)));
const civilDate = () => z.string().check(z.refine(isCivilDate, 'must be a date YYYY-MM-DD'));
const plannedAction = () => ({ description: text(2000), owner: text(200), dueDate: civilDate() });

/** The most one extension request may ask for where the policy sets no cap. */
export const MAX_EXTENSION_WORKING_DAYS = 60;

/** What staff may do on a task, built on first use (issue 12: the pages that only read a case never parse one). */
export const TaskAction = lazy(() => {
  /** In a letter: a new action, or an open one carried over by its id (every open one must be listed). */
  const LetterAction = z.strictObject({ ...plannedAction(), actionId: z.optional(text(50)) });
  const Triage = z.discriminatedUnion('outcome', [
    z.object({
      action: z.literal('triage'),
      outcome: z.literal('complaint'),
      notes: upTo(5000),
    }),
    z.object({ action: z.literal('triage'), outcome: z.literal('service-request'), notes: text(5000) }),
    z.object({
      action: z.literal('triage'),
      outcome: z.literal('not-accepted'),
      exclusionCode: text(100),
      rationale: text(5000),
      ombudsmanRoute: text(5000),
      legalProceedings: z.optional(
        z.strictObject({
          court: z.optional(text(200)),
          claimNumber: z.optional(text(100)),
          filedOn: z.optional(civilDate()),
        }),
      ),
      outOfTimeReason: z.optional(text(5000)),
    }),
  ]);
  return z.discriminatedUnion('action', [
    Triage,
    z.object({
      action: z.literal('acknowledge'),
      definition: text(5000),
      outcomesSought: z.array(text(1000)).check(z.minLength(1), z.maxLength(20)),
    }),
    z.object({
      action: z.literal('extend'),
      workingDays: z.int().check(z.gte(1), z.lte(MAX_EXTENSION_WORKING_DAYS)),
      reason: text(500),
      explanation: text(5000),
    }),
    z.object({
      action: z.literal('respond'),
      complaintDefinition: text(5000),
      decision: z.enum(DECISIONS),
      reasons: text(20_000),
      remedy: z.union([
        z.literal('none'),
        z.strictObject({
          description: text(5000),
          compensationPounds: z.optional(z.number().check(z.gte(0), z.lte(1_000_000))),
        }),
      ]),
      noRemedyReason: z.optional(text(5000)),
      outstandingActions: z.union([
        z.literal('none'),
        z.array(LetterAction).check(z.minLength(1), z.maxLength(50)),
      ]),
      escalationRoute: text(5000),
      /** Learning (Code 9.1), from the profile's lists; not part of the letter. The console asks for both. */
      theme: z.optional(text(200)),
      rootCause: z.optional(text(200)),
    }),
    z.object({ action: z.literal('withdraw'), reason: upTo(5000) }),
    z.object({
      action: z.literal('escalate'),
      reason: upTo(5000),
      /** The Message-ID of the emailed reply staff confirm as the request (its receipt dates the request). */
      fromEmail: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
    }),
    // Where the profile sets no window to ask for stage 2, the case stays open until staff close it; inside a
    // window only a resident who has said they are satisfied lets staff close it.
    z.object({
      action: z.literal('close'),
      confirm: z.literal(true),
      residentSatisfied: z.optional(text(5000)),
    }),
  ]);
});
export type TaskAction = z.infer<ReturnType<typeof TaskAction>>;

/** What each kind of task accepts. Withdrawal is possible at every waiting step. */
export const ACTIONS_FOR_STEP: Record<TaskRecord['step'], readonly TaskAction['action'][]> = {
  triage: ['triage', 'withdraw'],
  'stage1-acknowledgement': ['acknowledge', 'withdraw'],
  'stage1-response': ['extend', 'respond', 'withdraw'],
  'escalation-window': ['escalate', 'withdraw', 'close'],
  'stage2-acknowledgement': ['acknowledge', 'withdraw'],
  'stage2-response': ['extend', 'respond', 'withdraw'],
  'outstanding-actions': [],
};

/** Actions that make the member of staff a stage 2 handler: barred to whoever handled stage 1 (Code 6.13). */
const STAGE2_HANDLING: readonly TaskAction['action'][] = ['acknowledge', 'extend', 'respond'];

/** The actions a member of staff is offered on a task: the step's, less those Code 6.13 bars them from. */
export function offeredActions(
  step: TaskRecord['step'],
  state: Pick<CaseState, 'stage1'>,
  staffId: string,
): readonly TaskAction['action'][] {
  const barred = step.startsWith('stage2-') && handledStage1(state, staffId);
  return ACTIONS_FOR_STEP[step].filter((action) => !(barred && STAGE2_HANDLING.includes(action)));
}

/**
 * The event a task action records. The stage is the case's own when sending; a preview passes the task's
 * stage (the letter it shows is for the task being acted on).
 */
export function eventFor(
  action: TaskAction,
  state: CaseState,
  by: Actor,
  at: string,
  stage: 1 | 2 = state.stage === 0 ? 1 : state.stage,
): CaseEvent {
  switch (action.action) {
    case 'triage': {
      const { action: _a, ...rest } = action;
      return { type: 'triaged', at, by, ...rest } as CaseEvent;
    }
    case 'acknowledge':
      return {
        type: 'acknowledged',
        at,
        by,
        stage,
        definition: action.definition,
        outcomesSought: action.outcomesSought,
      };
    case 'extend':
      return {
        type: 'extension-granted',
        at,
        by,
        stage,
        workingDays: action.workingDays,
        reason: action.reason,
        explanation: action.explanation,
      };
    case 'respond': {
      const { action: _a, theme, rootCause, ...letter } = action;
      return {
        type: 'response-issued',
        at,
        by,
        stage,
        letter: { stage, ...letter },
        ...(theme || rootCause ? { learning: { theme: theme ?? '', rootCause: rootCause ?? '' } } : {}),
      };
    }
    case 'withdraw':
      return { type: 'withdrawn', at, by, reason: action.reason };
    case 'escalate': {
      if (!action.fromEmail) return { type: 'escalation-requested', at, by, reason: action.reason };
      const offered = state.possibleEscalation;
      if (offered?.messageId !== action.fromEmail) {
        throw new ValidationError(
          'That email is not one this case offers as a stage 2 request; reload the case and confirm the reply it shows',
        );
      }
      return {
        type: 'escalation-requested',
        at,
        by,
        reason: action.reason,
        requestedAt: offered.receivedAt,
        fromEmail: offered.messageId,
      };
    }
    case 'close':
      return {
        type: 'closed',
        at,
        by,
        reason: 'resolved-at-stage-1',
        ...(action.residentSatisfied ? { residentSatisfied: action.residentSatisfied } : {}),
      };
  }
}

/** Whether a member of staff may act on a task of this role (the console offers the same). */
export function mayAct(actorRole: StaffRole, taskRole: TaskRecord['role']): boolean {
  if (actorRole === 'manager' || actorRole === 'admin') return true;
  // Staff may ask for stage 2 on a resident's behalf (for example by phone).
  if (taskRole === 'resident') return true;
  return actorRole === taskRole || (taskRole === 'handler' && actorRole === 'reviewer');
}

async function explainClosedTask(deps: AppDependencies, task: TaskRecord): Promise<never> {
  const position = await currentPosition(deps, task.caseId);
  const open = (await deps.repository.tasksForCase(task.caseId)).find((t) => t.status === 'open');
  const now = position.step === 'closed' ? 'the case is closed' : `the case is now at "${position.step}"`;
  const next = open ? `; act on task ${open.taskId} instead` : '';
  throw new TaskNotOpenError(
    `Task ${task.taskId} (${task.step}) was already ${task.status}${task.closedAt ? ` at ${task.closedAt}` : ''}${task.closedBy ? ` by ${task.closedBy}` : ''}: ${now}${next}.`,
    { taskId: task.taskId, status: task.status, position, openTaskId: open?.taskId },
  );
}

/**
 * A member of staff acts on a task: the domain rules are applied and the event appended first (the log
 * is the record), then the task is closed and the workflow's callback completed with the new position.
 */
export async function actOnTask(
  deps: AppDependencies,
  taskId: string,
  actor: Extract<Actor, { kind: 'staff' }>,
  rawAction: unknown,
): Promise<{ state: CaseState; position: CasePosition; workflow?: string }> {
  const action = TaskAction().parse(rawAction);
  const task = await deps.repository.getTask(taskId);
  if (!task) throw new DomainError('NOT_FOUND', `There is no task ${taskId}`);
  await resendOwedCallbacks(deps, task.caseId);
  if (task.status !== 'open') return explainClosedTask(deps, task);
  if (!mayAct(actor.role, task.role)) {
    throw new DomainError(
      'FORBIDDEN',
      `A ${actor.role} cannot act on a ${task.role} task; ask a ${task.role} or a manager`,
    );
  }
  if (!ACTIONS_FOR_STEP[task.step].includes(action.action)) {
    throw new ValidationError(
      `"${action.action}" is not possible on a ${task.step} task; possible: ${ACTIONS_FOR_STEP[task.step].join(', ')}`,
    );
  }
  checkCompensationLimit(deps, action, actor);
  // Claim the task first, so a double submission (two clicks, two tabs) acts once; the loser is told.
  try {
    await deps.repository.closeTask(taskId, 'done', deps.clock.now().toISOString(), actor.id);
  } catch (error) {
    if (!(error instanceof TaskNotOpenError)) throw error;
    return explainClosedTask(deps, (await deps.repository.getTask(taskId)) ?? task);
  }
  let state: CaseState;
  try {
    ({ state } = await recordEvent(
      deps,
      task.caseId,
      (current, at) => eventFor(action, current, actor, at),
      undefined,
      { claimedTask: taskId },
    ));
  } catch (error) {
    // A request relayed by staff after the window ended is refused, and the refusal is recorded for the
    // reports as the resident's own is (Code 8.1(b)).
    if (error instanceof EscalationWindowClosedError) {
      await recordEscalationRefusal(deps, task.caseId, actor, error);
    }
    // Refused (or failed): nothing was recorded, so the task is open again for a corrected attempt.
    await deps.repository.reopenTask(task);
    // Unless the case moved on meanwhile (a resident withdrew, say): whoever moved it found this task claimed
    // and left it, so the workflow would wait on a step that is over. Complete it now, after reopening it, so
    // one of the two always sees the other's write.
    if ((await currentPosition(deps, task.caseId)).step !== task.step) {
      await completeOpenTasks(deps, task.caseId, 'workflow');
    }
    throw error;
  }
  deps.telemetry?.count('TaskActions', { name: 'Action', value: action.action });
  const position = positionOf(deps, state);
  // The action is recorded: whatever Step Functions answers, the member of staff is told it is done.
  const callback = await completeCallback(deps, task, position);
  return { state, position, ...(callback === 'sent' ? {} : { workflow: CATCHING_UP[callback] }) };
}

/** Said beside a recorded action whose callback did not go: the case is not stuck, and when it moves on. */
const CATCHING_UP = {
  owed: 'Recorded. The workflow has not moved on to the next step yet: it will when the case is next opened or acted on, or at the next daily run.',
  unmarked:
    "Recorded. The workflow has not moved on to the next step yet: it will at this step's next deadline check.",
} as const;

/** The profile's limit on what a handler may offer without a manager (managers and admins may exceed it). */
function checkCompensationLimit(
  deps: AppDependencies,
  action: TaskAction,
  actor: Extract<Actor, { kind: 'staff' }>,
) {
  const limit = deps.context.profile.compensation.handlerLimitPounds;
  if (action.action !== 'respond' || action.remedy === 'none' || limit === undefined) return;
  const offered = action.remedy.compensationPounds ?? 0;
  if (offered > limit && (actor.role === 'handler' || actor.role === 'reviewer')) {
    throw new DomainError(
      'FORBIDDEN',
      `Compensation of £${offered} is above the £${limit} a ${actor.role} may offer under the compensation policy: ask a manager to send this response`,
    );
  }
}

/** What staff record on a case outside the workflow's steps, built on first use. */
export const CaseAction = lazy(() =>
  z.discriminatedUnion('action', [
    z.object({ action: z.literal('note'), text: text(20_000) }),
    z.object({ action: z.literal('related-issue'), description: text(10_000) }),
    z.object({ action: z.literal('add-action'), ...plannedAction() }),
    z.object({ action: z.literal('complete-action'), actionId: text(50), note: text(5000) }),
    z.object({
      action: z.literal('ombudsman-referral'),
      reference: upTo(100),
      notes: upTo(5000),
    }),
    z.object({
      action: z.literal('legal-hold'),
      reason: staffReason(
        'the reason for the legal hold',
        'why the case must be kept, such as a court claim',
      ),
    }),
    z.object({
      action: z.literal('release-legal-hold'),
      reason: staffReason('the reason for releasing the legal hold', 'why the case need no longer be kept'),
    }),
    // Checked against the profile's list by the case rules, which name the choices.
    z.object({ action: z.literal('category'), category: text(200) }),
    z.object({
      action: z.literal('remedy-paid'),
      description: text(5000),
      compensationPounds: z.optional(z.number().check(z.positive(), z.lte(1_000_000))),
    }),
    z.object({
      action: z.literal('ombudsman-outcome'),
      outcome: z.enum(OMBUDSMAN_OUTCOMES, {
        error: () => `outcome must be one of ${OMBUDSMAN_OUTCOMES.join(', ')}`,
      }),
      reference: upTo(100),
      notes: upTo(5000),
    }),
    z.object({
      action: z.literal('satisfaction'),
      answer: z.enum(SATISFACTION_ANSWERS, {
        error: () => `answer must be one of ${SATISFACTION_ANSWERS.join(', ')}`,
      }),
      how: text(2000),
    }),
    /**
     * Staff decide a stage 2 request made after the window ended is out of time: the complainant's email on the
     * case that asked (its Message-ID, from the case's emails), or none for one made by phone, letter or in person
     * (dated when it is recorded).
     */
    z.object({
      action: z.literal('refuse-escalation'),
      fromEmail: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
    }),
  ]),
);
export type CaseAction = z.infer<ReturnType<typeof CaseAction>>;

/** Staff record something on a case that does not complete a workflow step. */
export async function recordCaseAction(
  deps: AppDependencies,
  caseId: string,
  actor: Extract<Actor, { kind: 'staff' }>,
  rawAction: unknown,
): Promise<CaseState> {
  const action = CaseAction().parse(rawAction);
  await resendOwedCallbacks(deps, caseId);
  let copies: string[] = [];
  if (action.action === 'legal-hold') {
    const hold = { type: 'legal-hold-set', at: nowIso(deps), by: actor, reason: action.reason } as const;
    copies = await keepRawEmailsForHold(deps, caseId, hold);
  }
  try {
    return await recordAction(deps, caseId, actor, action);
  } catch (error) {
    await discardHeldCopies(deps, caseId, copies, error);
    throw error;
  }
}

async function recordAction(
  deps: AppDependencies,
  caseId: string,
  actor: Extract<Actor, { kind: 'staff' }>,
  action: CaseAction,
): Promise<CaseState> {
  const { state } = await recordEvent(deps, caseId, (current, at): CaseEvent => {
    switch (action.action) {
      case 'note':
        return { type: 'note-added', at, by: actor, text: action.text };
      case 'related-issue':
        return { type: 'related-issue-added', at, by: actor, description: action.description };
      case 'add-action':
        return {
          type: 'action-added',
          at,
          by: actor,
          actionId: `A${current.actions.length + 1}`,
          description: action.description,
          owner: action.owner,
          dueDate: action.dueDate,
        };
      case 'complete-action':
        return { type: 'action-completed', at, by: actor, actionId: action.actionId, note: action.note };
      case 'ombudsman-referral':
        return {
          type: 'ombudsman-referral-recorded',
          at,
          by: actor,
          reference: action.reference,
          notes: action.notes,
        };
      case 'legal-hold':
        return { type: 'legal-hold-set', at, by: actor, reason: action.reason };
      case 'release-legal-hold':
        return { type: 'legal-hold-released', at, by: actor, reason: action.reason };
      case 'category':
        return { type: 'category-recorded', at, by: actor, category: action.category };
      case 'remedy-paid':
        return {
          type: 'remedy-paid',
          at,
          by: actor,
          description: action.description,
          ...(action.compensationPounds ? { compensationPounds: action.compensationPounds } : {}),
        };
      case 'satisfaction':
        return { type: 'satisfaction-recorded', at, by: actor, answer: action.answer, how: action.how };
      case 'refuse-escalation': {
        // Dated by the email that asked, if it is on the case (the case rules refuse any other email).
        const email = current.emails?.find((candidate) => candidate.messageId === action.fromEmail);
        return {
          type: 'escalation-refused',
          at,
          by: actor,
          reason: 'out-of-time',
          windowEndedAt: current.escalationWindow?.dueAt ?? '',
          ...(action.fromEmail ? { fromEmail: action.fromEmail, requestedAt: email?.receivedAt ?? at } : {}),
        };
      }
      case 'ombudsman-outcome':
        return {
          type: 'ombudsman-outcome-recorded',
          at,
          by: actor,
          outcome: action.outcome,
          ...(action.reference ? { reference: action.reference } : {}),
          ...(action.notes ? { notes: action.notes } : {}),
        };
    }
  });
  return state;
}

/**
 * Records a stage 2 request refused as out of time (the resident is answered with the refusal either way), once
 * per case: asking again is the same request, and a second refusal is refused by the case rules.
 */
export async function recordEscalationRefusal(
  deps: AppDependencies,
  caseId: string,
  by: Actor,
  refusal: EscalationWindowClosedError,
): Promise<void> {
  try {
    await recordEvent(deps, caseId, (_current, at) => ({
      type: 'escalation-refused',
      at,
      by,
      reason: 'out-of-time',
      windowEndedAt: String(refusal.details.endedAt),
    }));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
  }
}
