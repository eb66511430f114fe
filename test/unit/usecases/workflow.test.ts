import { describe, expect, it, vi } from 'vitest';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { registerTask } from '#shared/usecases/workflow.ts';
import { fakeDependencies } from '../../support/fakes/dependencies.ts';

const resident = { kind: 'resident', id: 'web-form' } as const;
const complaint = {
  complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
  complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
} as const;

describe('registerTask', () => {
  it('sends the letters owed and goes on from the case its last letter left: one read before, one after storing the task', async () => {
    // Prepare: a new case, its receipt owed
    const { deps, mailer } = fakeDependencies();
    const { caseId } = await submitComplaint(deps, complaint, 'key-1', resident);
    const reads = vi.spyOn(deps.repository, 'getProjection');

    // Act
    const registered = await registerTask(deps, { caseId, step: 'triage', token: 'token-1' });

    // Assess
    expect(registered.completedAtOnce).toBe(false);
    expect(mailer.to('ada@resident.example')).toHaveLength(1);
    expect(reads).toHaveBeenCalledTimes(2);
  });
});
