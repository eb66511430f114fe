import * as z from 'zod/mini';
import type { Actor, CaseEvent, CaseState } from '../domain/case.ts';
import { CaseLinkError, EscalationWindowClosedError } from '../domain/errors.ts';
import { type CasePosition, promisedDate } from '../domain/position.ts';
import { verifyCaseLink } from '../domain/secrets.ts';
import '../zod-messages.ts';
import { lazy } from '../lazy.ts';
import { recordEscalationRefusal, text } from './actions.ts';
import { loadCase, recordEvent } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import {
  completeOpenTasks,
  currentPosition,
  endAnsweredTasks,
  positionOf,
  resendOwedCallbacks,
} from './workflow.ts';

/**
 * What a resident does through the signed link in their letters, and what of their case they see. Apart from
 * the staff actions so the staff functions do not carry the resident's schema.
 */

const trimmedUpTo = (max: number) => z.optional(z.string().check(z.trim(), z.maxLength(max)));

export const ResidentAction = lazy(() =>
  z.discriminatedUnion('action', [
    z.object({ action: z.literal('escalate'), reason: trimmedUpTo(10_000) }),
    z.object({ action: z.literal('withdraw'), reason: trimmedUpTo(10_000) }),
    z.object({
      action: z.literal('add-information'),
      text: text(10_000),
      /**
       * The case's seq when the resident began writing: the same text recorded since is this request, sent
       * again (a retry after a write that stopped half-way), so required: without it a retry cannot be told
       * from a second message and would be recorded twice.
       */
      afterSeq: z
        .number({
          error: (issue) =>
            issue.input === undefined
              ? `afterSeq is required: send the case's seq (case.seq from GET /cases/{caseId}) from when the resident began writing, and the same afterSeq again on a retry, so the information is added once`
              : `afterSeq must be a number: the case's seq (case.seq from GET /cases/{caseId})`,
        })
        .check(z.int(), z.gte(0)),
    }),
  ]),
);
export type ResidentAction = z.infer<ReturnType<typeof ResidentAction>>;

/** The case a resident's signed link is for, refused when the path names another case. */
function linkedCaseId(deps: AppDependencies, linkToken: string, caseIdInPath?: string): string {
  const { caseId } = verifyCaseLink(deps.secrets.linkSigningKey, linkToken, deps.clock.now());
  if (caseIdInPath !== undefined && caseIdInPath !== caseId) {
    throw new CaseLinkError('other-case');
  }
  return caseId;
}

/** A resident acts on their own case through the signed link in their letters (never a task token). */
export async function residentAct(
  deps: AppDependencies,
  linkToken: string,
  rawAction: unknown,
  caseIdInPath?: string,
): Promise<{ state: CaseState; position: CasePosition }> {
  const caseId = linkedCaseId(deps, linkToken, caseIdInPath);
  const action = ResidentAction().parse(rawAction);
  await resendOwedCallbacks(deps, caseId);
  const by: Actor = { kind: 'resident', id: 'resident-link' };
  if (action.action === 'add-information') {
    // A retry after the service was busy between recording the text and answering: it is there already.
    const { state, events } = await loadCase(deps, caseId);
    if (events.slice(action.afterSeq).some((event) => addsInformation(event, action.text))) {
      return { state, position: await currentPosition(deps, caseId) };
    }
  }
  const recorded = recordEvent(deps, caseId, (current, at): CaseEvent => {
    switch (action.action) {
      case 'escalate':
        return { type: 'escalation-requested', at, by, reason: action.reason || undefined };
      case 'withdraw':
        return { type: 'withdrawn', at, by, reason: action.reason || undefined };
      case 'add-information':
        return ['awaiting-triage', 'stage1-acknowledgement', 'stage1-investigation'].includes(current.status)
          ? { type: 'related-issue-added', at, by, description: action.text }
          : { type: 'note-added', at, by, text: action.text };
    }
  }).catch(async (error: unknown) => {
    if (error instanceof EscalationWindowClosedError) await recordEscalationRefusal(deps, caseId, by, error);
    throw error;
  });
  const { state } = await recorded;
  // Recorded: the case is escalated or withdrawn whatever happens to the tasks it ends (they catch up).
  if (action.action !== 'add-information') await endAnsweredTasks(deps, caseId, 'resident');
  return { state, position: positionOf(deps, state) };
}

function addsInformation(event: CaseEvent, text: string): boolean {
  if (event.by.kind !== 'resident') return false;
  return (
    (event.type === 'related-issue-added' && event.description === text) ||
    (event.type === 'note-added' && event.text === text)
  );
}

/**
 * The resident's escalation or withdrawal, sent again once it is recorded (a second press, or a retry after
 * the service was busy between recording it and ending the tasks it answers): nothing is recorded twice, and
 * the tasks that were open when it was recorded are ended now, so the workflow does not wait for their timers.
 */
export async function repeatResidentRequest(
  deps: AppDependencies,
  linkToken: string,
  action: 'escalate' | 'withdraw',
  caseIdInPath?: string,
): Promise<void> {
  const caseId = linkedCaseId(deps, linkToken, caseIdInPath);
  const type = action === 'escalate' ? 'escalation-requested' : 'withdrawn';
  const { events } = await loadCase(deps, caseId);
  const recorded = events.findLast((event) => event.type === type);
  if (recorded) await completeOpenTasks(deps, caseId, 'resident', { openedUntil: recorded.at });
}

export async function residentView(deps: AppDependencies, linkToken: string, caseIdInPath?: string) {
  const caseId = linkedCaseId(deps, linkToken, caseIdInPath);
  await resendOwedCallbacks(deps, caseId);
  const { state, events } = await loadCase(deps, caseId);
  const position = positionOf(deps, state);
  // The breaches stay off the resident's view; the date their apology letter promised is theirs.
  const promised = promisedDate(state, position.dueAt);
  return {
    case: residentSafeView(state),
    timeline: residentTimeline(events),
    position,
    ...(promised ? { promisedDate: promised } : {}),
  };
}

/** Internal events (reminders, breaches, staff notes) and staff identities stay off the resident's page. */
const RESIDENT_VISIBLE = new Set<CaseEvent['type']>([
  'received',
  'triaged',
  'acknowledged',
  'extension-granted',
  'related-issue-added',
  'response-issued',
  'escalation-requested',
  'action-added',
  'action-completed',
  'withdrawn',
  'correspondence-sent',
  'closed',
]);

export function residentTimeline(events: readonly CaseEvent[]) {
  return (
    events
      // A resident's own notes (information added after stage 1) are theirs to see; staff notes are not.
      .filter(
        (event) =>
          RESIDENT_VISIBLE.has(event.type) || (event.type === 'note-added' && event.by.kind === 'resident'),
      )
      .map(({ by, ...event }) => ({ ...withoutInternalFields(event), byResident: by.kind === 'resident' }))
  );
}

/** Staff-only detail inside otherwise visible events: triage notes, SES/S3 message ids, a response's learning. */
function withoutInternalFields<T extends object>(event: T): T {
  const {
    notes: _notes,
    messageId: _messageId,
    learning: _learning,
    ...rest
  } = event as T & { notes?: unknown; messageId?: unknown; learning?: unknown };
  return rest as T;
}

export function residentSafeView(state: CaseState) {
  const { breaches: _breaches, remindersSent: _reminders, stage1, stage2, triage, ...rest } = state;
  const { handlers: _h1, learning: _l1, ...publicStage1 } = stage1;
  const { handlers: _h2, learning: _l2, ...publicStage2 } = stage2;
  // Triage notes and who triaged are internal; the outcome (and its letter) is the resident's.
  return {
    ...rest,
    triage: triage && { outcome: triage.outcome, at: triage.at },
    stage1: publicStage1,
    stage2: publicStage2,
  };
}
