import { describe, expect, it } from 'vitest';
import { caseContext } from '#shared/domain/case.ts';
import { actOnTask } from '#shared/usecases/actions.ts';
import { loadCase, recordEvent } from '#shared/usecases/case-log.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { fakeDependencies } from '../../support/fakes/dependencies.ts';
import { baselineProfile, handler, stageResponse } from '../../support/fixtures.ts';

const complaint = {
  complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
  complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
} as const;

describe('a stage 2 request staff relay after the window to ask ended', () => {
  it('is refused with ESCALATION_WINDOW_CLOSED and recorded as refused for the reports, by the member of staff', async () => {
    // A landlord giving residents 20 working days to ask for stage 2; the task for the window is still open.
    const context = caseContext(baselineProfile({ escalationWindow: { amount: 20, unit: 'working-days' } }));
    const { deps, clock, repository } = fakeDependencies({ context });
    const { caseId, reference } = await submitComplaint(deps, complaint, 'key-1', {
      kind: 'resident',
      id: 'web-form',
    });
    await recordEvent(deps, caseId, (_state, at) => ({
      type: 'triaged',
      at,
      by: handler,
      outcome: 'complaint',
    }));
    await recordEvent(deps, caseId, (_state, at) => ({
      type: 'acknowledged',
      at,
      by: handler,
      stage: 1,
      definition: 'The boiler',
      outcomesSought: ['Fix it'],
    }));
    const { state } = await recordEvent(deps, caseId, (_state, at) => ({
      type: 'response-issued',
      at,
      by: handler,
      stage: 1,
      letter: stageResponse(context.profile, 1),
    }));
    const windowEndedAt = state.escalationWindow?.dueAt ?? '';
    await repository.putTask({
      taskId: 'task-window',
      caseId,
      reference,
      step: 'escalation-window',
      role: 'resident',
      token: 'token-window',
      status: 'open',
      createdAt: state.updatedAt,
    });
    clock.set(new Date(Date.parse(windowEndedAt) + 60_000));

    await expect(actOnTask(deps, 'task-window', handler, { action: 'escalate' })).rejects.toMatchObject({
      code: 'ESCALATION_WINDOW_CLOSED',
    });

    const { state: after, events } = await loadCase(deps, caseId);
    expect(after.stage2.escalationRequestedAt).toBeUndefined();
    expect(after.escalationRefusals).toEqual([{ at: expect.any(String), reason: 'out-of-time' }]);
    expect(events.at(-1)).toMatchObject({
      type: 'escalation-refused',
      by: { id: handler.id },
      reason: 'out-of-time',
      windowEndedAt,
    });
  });
});
