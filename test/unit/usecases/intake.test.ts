import { describe, expect, it, vi } from 'vitest';
import { ConflictError, ValidationError } from '#shared/domain/errors.ts';
import { type IntakeInput, submitComplaint } from '#shared/usecases/intake.ts';
import { fakeDependencies } from '../../support/fakes/dependencies.ts';

const complaint: IntakeInput = {
  complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
  complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' },
};
const resident = { kind: 'resident', id: 'web-form' } as const;

describe('submitComplaint', () => {
  it('records the complaint under the next reference and starts its workflow, named after the case', async () => {
    // Prepare
    const { deps, repository, engine } = fakeDependencies();

    // Act
    const result = await submitComplaint(deps, complaint, 'key-1', resident);

    // Assess
    expect(result).toMatchObject({ caseId: 'case-1', reference: 'CMP-2026-000001', created: true });
    expect(result.caseLink).toMatch(/^https:\/\/complaints\.example\.org\/cases\/case-1\?token=/);
    expect((await repository.loadEvents('case-1')).map((event) => event.type)).toEqual(['received']);
    expect(await repository.findCaseIdByReference('CMP-2026-000001')).toBe('case-1');
    // Started with the case's position, so the machine routes straight to triage (which sends the receipt).
    expect(engine.executions.get('case-1')).toMatchObject({
      caseId: 'case-1',
      step: 'triage',
      lettersOwed: 1,
    });
  });

  it('answers a retry with the same key with the same case, using up no other reference', async () => {
    const { deps, repository } = fakeDependencies();
    const first = await submitComplaint(deps, complaint, 'key-1', resident);
    const retry = await submitComplaint(deps, complaint, 'key-1', resident);
    expect(retry).toMatchObject({ caseId: first.caseId, reference: first.reference, created: false });
    expect(await repository.loadEvents(first.caseId)).toHaveLength(1);
    expect((await submitComplaint(deps, complaint, 'key-2', resident)).reference).toBe('CMP-2026-000002');
  });

  it('refuses the same key for a different complaint', async () => {
    const { deps } = fakeDependencies();
    await submitComplaint(deps, complaint, 'key-1', resident);
    const other = { ...complaint, complaint: { whatHappened: 'Damp', outcomeWanted: 'Fix it' } };
    await expect(submitComplaint(deps, other, 'key-1', resident)).rejects.toThrow(ConflictError);
  });

  it('gives the claim back when no reference could be taken, so the retry at once makes the case', async () => {
    const { deps, repository } = fakeDependencies();
    const outage = new Error('DynamoDB is unavailable');
    vi.spyOn(repository, 'takeIntakeReference').mockRejectedValueOnce(outage);
    await expect(submitComplaint(deps, complaint, 'key-1', resident)).rejects.toBe(outage);
    const released = await repository.findIntake('key-1');
    expect(released?.caseId).toBe('case-1');
    expect(released?.claimedAt).toBeUndefined();
    const retry = await submitComplaint(deps, complaint, 'key-1', resident);
    expect(retry).toMatchObject({ reference: 'CMP-2026-000001', created: true });
  });

  it('takes residents’ complaints from the web form or email only, and never from the future', async () => {
    const { deps } = fakeDependencies();
    await expect(
      submitComplaint(deps, { ...complaint, channel: 'phone' }, 'key-1', resident),
    ).rejects.toThrow(ValidationError);
    const staff = { kind: 'staff', id: 'hannah', role: 'handler' } as const;
    await expect(
      submitComplaint(
        deps,
        { ...complaint, channel: 'phone', receivedAt: '2026-03-03T10:00:00Z' },
        'key-2',
        staff,
      ),
    ).rejects.toThrow('receivedAt cannot be in the future');
    // Before the years the working-day calendar covers: a clear refusal, not an error from the calendar (a 500).
    for (const receivedAt of ['0000-01-01T09:30:00Z', '2014-12-31T23:59:00Z']) {
      await expect(
        submitComplaint(deps, { ...complaint, channel: 'phone', receivedAt }, 'key-2', staff),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/^receivedAt .* is before 2015, the first year .*: enter the date/),
        details: { field: 'receivedAt' },
      });
    }
    const logged = await submitComplaint(
      deps,
      { ...complaint, channel: 'phone', receivedAt: '2026-02-27T16:00:00Z' },
      'key-3',
      staff,
    );
    expect(logged.created).toBe(true);
  });
});
