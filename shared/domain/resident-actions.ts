import type { Instant } from '../time/london.ts';
import type { CaseState } from './case.ts';
import type { PositionStep } from './position.ts';

/** What these rules read of a case: the resident's view of it has all of it (no staff-only fields). */
export type ResidentCaseFacts = Pick<CaseState, 'status' | 'closureReason' | 'escalationWindow'> & {
  stage2: Pick<CaseState['stage2'], 'letter'>;
};

/** Why a resident cannot ask for stage 2 now (Code 6.1: they may ask once stage 1 has responded). */
export type EscalationRefusal =
  | { reason: 'already-requested' }
  | { reason: 'final-response-sent' }
  /** The window to ask closed; endedAt is when, if the profile set one. */
  | { reason: 'window-ended'; endedAt?: Instant }
  | { reason: 'closed' }
  | { reason: 'before-stage1-response' };

/** Why a resident cannot withdraw their complaint now. */
export type WithdrawalRefusal = 'closed' | 'final-response-sent';

/** Whether stage 2 has been asked for and is under way. */
export function escalationRequested(state: ResidentCaseFacts): boolean {
  return state.status === 'stage2-acknowledgement' || state.status === 'stage2-investigation';
}

function finalResponseSent(state: ResidentCaseFacts): boolean {
  return Boolean(state.stage2.letter) || state.status === 'final-response-issued';
}

/** Why stage 2 cannot be asked for at this step; undefined while the case waits in the window to ask. */
export function escalationRefusal(
  state: ResidentCaseFacts,
  step: PositionStep,
): EscalationRefusal | undefined {
  if (step === 'escalation-window') return undefined;
  if (escalationRequested(state)) return { reason: 'already-requested' };
  if (finalResponseSent(state)) return { reason: 'final-response-sent' };
  if (state.status === 'stage1-responded' || state.closureReason === 'escalation-window-ended') {
    return {
      reason: 'window-ended',
      ...(state.escalationWindow ? { endedAt: state.escalationWindow.dueAt } : {}),
    };
  }
  if (state.status === 'closed') return { reason: 'closed' };
  return { reason: 'before-stage1-response' };
}

/** Why the complaint cannot be withdrawn; undefined until it is closed or the final response is sent. */
export function withdrawalRefusal(state: ResidentCaseFacts): WithdrawalRefusal | undefined {
  if (state.status === 'closed') return 'closed';
  if (finalResponseSent(state)) return 'final-response-sent';
  return undefined;
}

/** Information can be added to any case that is still open (a related issue before stage 1 responds). */
export function mayAddInformation(state: ResidentCaseFacts): boolean {
  return state.status !== 'closed';
}

/** Which actions a resident may take on their case at this step: the case page offers exactly these. */
export function residentActions(
  state: ResidentCaseFacts,
  step: PositionStep,
): { escalate: boolean; addInformation: boolean; withdraw: boolean } {
  const open = step !== 'closed';
  return {
    escalate: !escalationRefusal(state, step),
    addInformation: open && mayAddInformation(state),
    withdraw: open && !withdrawalRefusal(state),
  };
}
