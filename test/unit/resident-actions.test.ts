import { describe, expect, it } from 'vitest';
import type { CaseStatus } from '#shared/domain/case.ts';
import {
  escalationRefusal,
  type ResidentCaseFacts,
  residentActions,
  withdrawalRefusal,
} from '#shared/domain/resident-actions.ts';

function facts(status: CaseStatus, extra: Partial<ResidentCaseFacts> = {}): ResidentCaseFacts {
  return { status, stage2: {}, ...extra };
}

describe('escalationRefusal', () => {
  it('allows stage 2 only in the window to ask, and otherwise says why not', () => {
    expect(escalationRefusal(facts('stage1-responded'), 'escalation-window')).toBeUndefined();
    expect(escalationRefusal(facts('stage2-investigation'), 'stage2-response')).toEqual({
      reason: 'already-requested',
    });
    expect(escalationRefusal(facts('final-response-issued'), 'outstanding-actions')).toEqual({
      reason: 'final-response-sent',
    });
    const window = { dueAt: '2026-04-10T23:59:59.999Z' } as ResidentCaseFacts['escalationWindow'];
    expect(
      escalationRefusal(
        facts('closed', { closureReason: 'escalation-window-ended', escalationWindow: window }),
        'closed',
      ),
    ).toEqual({ reason: 'window-ended', endedAt: '2026-04-10T23:59:59.999Z' });
    expect(escalationRefusal(facts('closed', { closureReason: 'withdrawn' }), 'closed')).toEqual({
      reason: 'closed',
    });
    expect(escalationRefusal(facts('stage1-investigation'), 'stage1-response')).toEqual({
      reason: 'before-stage1-response',
    });
  });
});

describe('withdrawalRefusal', () => {
  it('allows withdrawal until the case is closed or the final response is sent', () => {
    expect(withdrawalRefusal(facts('stage2-investigation'))).toBeUndefined();
    expect(withdrawalRefusal(facts('closed'))).toBe('closed');
    expect(withdrawalRefusal(facts('final-response-issued'))).toBe('final-response-sent');
    expect(withdrawalRefusal(facts('stage2-investigation', { stage2: { letter: {} as never } }))).toBe(
      'final-response-sent',
    );
  });
});

describe('residentActions', () => {
  it('offers exactly what the rules allow', () => {
    expect(residentActions(facts('stage1-responded'), 'escalation-window')).toEqual({
      escalate: true,
      addInformation: true,
      withdraw: true,
    });
    expect(residentActions(facts('final-response-issued'), 'outstanding-actions')).toEqual({
      escalate: false,
      addInformation: true,
      withdraw: false,
    });
    expect(residentActions(facts('closed'), 'closed')).toEqual({
      escalate: false,
      addInformation: false,
      withdraw: false,
    });
  });
});
