import { describe, expect, it } from 'vitest';
import { type CaseEvent, caseContext, foldCase } from '#shared/domain/case.ts';
import { profileFingerprint } from '#shared/policy/profile.ts';
import { caseLookups } from '#shared/usecases/case-log.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { applyProfileChange } from '#shared/usecases/profile-change.ts';
import { fakeDependencies } from '../support/fakes/dependencies.ts';
import { baselineProfile, handler, received } from '../support/fixtures.ts';

const sent = (template: string, seq: number): CaseEvent => ({
  type: 'correspondence-sent',
  at: '2026-03-04T09:05:00Z',
  by: { kind: 'system', id: 'notifications' },
  template: template as never,
  key: `${template}#${seq}`,
  channel: 'email',
  recipient: 'ada@example.com',
});

// Acknowledged on Wednesday 4 March 2026: stage 1's response is due on Wednesday 18 March (10 working days);
// with 11 March a bank holiday, on Thursday 19 March. The letters so far were sent.
const events: CaseEvent[] = [
  received('2026-03-02T10:00:00Z'),
  { type: 'triaged', at: '2026-03-02T11:00:00Z', by: handler, outcome: 'complaint' },
  {
    type: 'acknowledged',
    at: '2026-03-04T09:00:00Z',
    by: handler,
    stage: 1,
    definition: 'Delay repairing the boiler',
    outcomesSought: ['Repair'],
  },
  sent('complaint-received', 1),
  sent('stage1-acknowledgement', 3),
];

const withHoliday = baselineProfile({
  calendar: {
    ...baselineProfile().calendar,
    extraBankHolidays: [{ date: '2026-03-11', reason: 'Announced bank holiday' }],
  },
});

async function seed(deps: AppDependencies): Promise<void> {
  for (const [index, event] of events.entries())
    await deps.repository.appendEvent('case-1', index + 1, event);
  const state = foldCase('case-1', events, deps.context);
  await deps.repository.saveProjection(state, caseLookups(deps, state));
}

const noticesIn = (subjects: string[]) =>
  subjects.filter((subject) => subject.startsWith('The date you will hear from us has changed'));

describe('applyProfileChange', () => {
  it('stores the first profile without recording anything, and does nothing while it is unchanged', async () => {
    const { deps, repository, mailer, clock } = fakeDependencies();
    clock.set('2026-03-05T12:00:00Z');
    await seed(deps);
    expect(await applyProfileChange(deps)).toMatchObject({ outcome: 'first', changes: [] });
    expect(await applyProfileChange(deps)).toMatchObject({ outcome: 'unchanged', changes: [] });
    expect(await repository.getAppliedProfile()).toMatchObject({
      fingerprint: profileFingerprint(deps.context.profile),
      appliedAt: '2026-03-05T12:00:00.000Z',
    });
    expect(await repository.loadEvents('case-1')).toHaveLength(events.length);
    expect(mailer.sent).toEqual([]);
  });

  it('a run that stopped after the event and before the letter is finished by the next: one event, one letter', async () => {
    const { deps, repository, mailer, clock } = fakeDependencies();
    clock.set('2026-03-05T12:00:00Z');
    await seed(deps);
    await applyProfileChange(deps);
    const changed = { ...deps, context: caseContext(withHoliday) };

    mailer.failNext(Object.assign(new Error('SES unavailable'), { name: 'ServiceUnavailable' }));
    await expect(applyProfileChange(changed)).rejects.toThrow('SES unavailable');
    // The event is recorded; the letter and the applied profile are not.
    expect((await repository.getAppliedProfile())?.fingerprint).toBe(
      profileFingerprint(deps.context.profile),
    );

    const report = await applyProfileChange(changed);
    expect(report).toMatchObject({ outcome: 'applied', changes: [], lettersSent: 1 });
    const log = await repository.loadEvents('case-1');
    expect(log.filter((event) => event.type === 'deadlines-recalculated')).toEqual([
      expect.objectContaining({
        oldDueDate: '2026-03-18',
        newDueDate: '2026-03-19',
        direction: 'later',
        profileFingerprint: profileFingerprint(withHoliday),
      }),
    ]);
    expect(noticesIn(mailer.sent.map((email) => email.subject))).toHaveLength(1);
    expect((await repository.getAppliedProfile())?.fingerprint).toBe(profileFingerprint(withHoliday));

    // Taking the holiday out again would bring the date earlier: it is kept, recorded, and no letter goes.
    const kept = await applyProfileChange(deps);
    expect(kept).toMatchObject({
      outcome: 'applied',
      reason: 'Wednesday 11 March 2026 is no longer a bank holiday.',
      changes: [{ oldDueDate: '2026-03-19', newDueDate: '2026-03-19', direction: 'kept' }],
      lettersSent: 0,
    });
    expect(noticesIn(mailer.sent.map((email) => email.subject))).toHaveLength(1);
    expect(
      foldCase('case-1', await repository.loadEvents('case-1'), deps.context).stage1.response?.dueDate,
    ).toBe('2026-03-19');
  });
});
