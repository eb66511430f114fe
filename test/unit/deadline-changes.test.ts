import { describe, expect, it } from 'vitest';
import { type CaseEvent, caseContext, foldCase } from '#shared/domain/case.ts';
import { deadlineChange, describeProfileChange } from '#shared/domain/deadline-changes.ts';
import { profileFingerprint } from '#shared/policy/profile.ts';
import { baselineProfile, handler, received } from '../support/fixtures.ts';

const oldProfile = baselineProfile();
const withHoliday = (...dates: string[]) =>
  baselineProfile({
    calendar: {
      ...oldProfile.calendar,
      extraBankHolidays: dates.map((date) => ({ date, reason: 'Announced bank holiday' })),
    },
  });
const now = '2026-03-05T12:00:00.000Z';

// Acknowledged on Wednesday 4 March 2026: the baseline's 10 working days from acknowledgement run
// 5, 6, 9, 10, 11, 12, 13, 16, 17, 18 March, so stage 1's response is due on Wednesday 18 March.
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
  // The acknowledgement letter gave the resident that date (sent before letters were stamped with a profile).
  acknowledgementLetter(),
];

function acknowledgementLetter(
  stamp: { profileFingerprint?: string } = {},
  key = 'stage1-acknowledgement#3',
): CaseEvent {
  return {
    type: 'correspondence-sent',
    at: '2026-03-04T09:01:00Z',
    by: { kind: 'system', id: 'notifications' },
    template: 'stage1-acknowledgement',
    key,
    channel: key.endsWith('#post') ? 'post' : 'email',
    recipient: 'resident@example.org',
    ...stamp,
  };
}

describe('deadlineChange', () => {
  it('moves the open response one working day later for a bank holiday inside its window', () => {
    expect(deadlineChange('case-1', events, oldProfile, withHoliday('2026-03-11'), now)).toEqual({
      caseId: 'case-1',
      reference: 'CMP-2026-000001',
      step: 'stage1-response',
      oldDueDate: '2026-03-18',
      newDueDate: '2026-03-19',
      direction: 'later',
    });
  });

  it('moves nothing for a bank holiday after the due date', () => {
    expect(deadlineChange('case-1', events, oldProfile, withHoliday('2026-03-19'), now)).toBeUndefined();
  });

  it('never brings a date given to the resident earlier: removing a holiday keeps the old date', () => {
    expect(deadlineChange('case-1', events, withHoliday('2026-03-11'), oldProfile, now)).toMatchObject({
      oldDueDate: '2026-03-19',
      newDueDate: '2026-03-19',
      direction: 'kept',
    });
  });

  it('compares the date the resident was given: a letter written under the new profile moved nothing for them', () => {
    const added = withHoliday('2026-03-11');
    const acknowledged = events.slice(0, 3);
    const given = (letters: CaseEvent[]) =>
      deadlineChange('case-1', [...acknowledged, ...letters], oldProfile, added, now);
    // Written under the new profile (a function updated first, during a deploy): it gave 19 March already.
    expect(given([acknowledgementLetter({ profileFingerprint: profileFingerprint(added) })])).toBeUndefined();
    // Still owed: it will be written under the profile in force, the new one.
    expect(given([])).toBeUndefined();
    // Written under the old profile, or before letters were stamped: 18 March was given, so it moved.
    for (const letter of [
      acknowledgementLetter({ profileFingerprint: profileFingerprint(oldProfile) }),
      acknowledgementLetter(),
    ]) {
      expect(given([letter])).toMatchObject({
        oldDueDate: '2026-03-18',
        newDueDate: '2026-03-19',
        direction: 'later',
      });
    }
    // The email could not be sent: nothing gave the new date.
    expect(
      given([
        {
          type: 'correspondence-failed',
          at: '2026-03-04T09:01:00Z',
          by: { kind: 'system', id: 'notifications' },
          template: 'stage1-acknowledgement',
          key: 'stage1-acknowledgement#3',
          reason: 'No email address and no postal address',
        },
      ]),
    ).toMatchObject({ oldDueDate: '2026-03-18' });
    // The email (old profile) bounced and the letter for post went under the new one: the post is what arrived.
    expect(
      given([
        acknowledgementLetter({ profileFingerprint: profileFingerprint(oldProfile) }),
        acknowledgementLetter(
          { profileFingerprint: profileFingerprint(added) },
          'stage1-acknowledgement#3#post',
        ),
      ]),
    ).toBeUndefined();
    // And the other way round: the post, under the old profile, gave 18 March.
    expect(
      given([
        acknowledgementLetter({ profileFingerprint: profileFingerprint(added) }),
        acknowledgementLetter(
          { profileFingerprint: profileFingerprint(oldProfile) },
          'stage1-acknowledgement#3#post',
        ),
      ]),
    ).toMatchObject({ oldDueDate: '2026-03-18', direction: 'later' });
  });

  it('keeps the date a new-profile letter gave when the old profile would read later: no "kept" at the old date', () => {
    // The 11 March holiday removed: under the old profile 19 March, under the new 18, and the letter said 18.
    const removed = withHoliday('2026-03-11');
    const log = [
      ...events.slice(0, 3),
      acknowledgementLetter({ profileFingerprint: profileFingerprint(oldProfile) }),
    ];
    expect(deadlineChange('case-1', log, removed, oldProfile, now)).toBeUndefined();
  });

  it('leaves a due date already past alone', () => {
    expect(
      deadlineChange('case-1', events, oldProfile, withHoliday('2026-03-11'), '2026-03-20T09:00:00.000Z'),
    ).toBeUndefined();
  });
});

describe('the deadlines-recalculated event', () => {
  const system = { kind: 'system', id: 'profile-change' } as const;
  const recalculated = (oldDueDate: string, newDueDate: string, direction: 'later' | 'kept'): CaseEvent => ({
    type: 'deadlines-recalculated',
    at: '2026-03-05T12:00:00Z',
    by: system,
    step: 'stage1-response',
    oldDueDate,
    newDueDate,
    direction,
    reason: 'Bank holiday added on 2026-03-11 (Announced bank holiday)',
  });

  it('moves the pending due date to the recorded one', () => {
    const state = foldCase(
      'case-1',
      [...events, recalculated('2026-03-18', '2026-03-19', 'later')],
      caseContext(oldProfile),
    );
    expect(state.stage1.response).toMatchObject({ dueDate: '2026-03-19', dueAt: '2026-03-19T23:59:59.999Z' });
  });

  it('keeps a date given to the resident under a profile that would bring it earlier', () => {
    const kept = [...events, recalculated('2026-03-19', '2026-03-19', 'kept')];
    // The log was written under the profile with the holiday; folded under the one without, the date stays.
    expect(foldCase('case-1', kept, caseContext(oldProfile)).stage1.response?.dueDate).toBe('2026-03-19');
  });

  it('refuses a date earlier than the one given, and anyone but the system', () => {
    expect(() =>
      foldCase(
        'case-1',
        [...events, recalculated('2026-03-18', '2026-03-17', 'later')],
        caseContext(oldProfile),
      ),
    ).toThrow(/never moves earlier than the one given to the resident \(2026-03-18\)/);
    expect(() =>
      foldCase(
        'case-1',
        [...events, { ...recalculated('2026-03-18', '2026-03-19', 'later'), by: handler }],
        caseContext(oldProfile),
      ),
    ).toThrow(/recorded by the system/);
  });
});

describe('a change after an earlier one was recorded', () => {
  const pinned = (
    oldDueDate: string,
    newDueDate: string,
    direction: 'later' | 'kept',
    profileFingerprint = 'first-change',
  ): CaseEvent => ({
    type: 'deadlines-recalculated',
    at: '2026-03-05T12:00:00Z',
    by: { kind: 'system', id: 'profile-change' },
    step: 'stage1-response',
    oldDueDate,
    newDueDate,
    direction,
    reason: 'An earlier change',
    profileFingerprint,
  });

  it('moves a date pinned by the first change later again when the second pushes it past the pin', () => {
    // 11 March added first (18 -> 19, recorded); then 12 March too: 10 working days now end on 20 March.
    const log = [...events, pinned('2026-03-18', '2026-03-19', 'later')];
    expect(
      deadlineChange('case-1', log, withHoliday('2026-03-11'), withHoliday('2026-03-11', '2026-03-12'), now),
    ).toMatchObject({ oldDueDate: '2026-03-19', newDueDate: '2026-03-20', direction: 'later' });
  });

  it('leaves a kept date alone when the next change does not touch the case', () => {
    // The 11 March holiday was removed (19 kept); then a closure day in August is added.
    const log = [...events, pinned('2026-03-19', '2026-03-19', 'kept')];
    const august = baselineProfile({
      calendar: { ...oldProfile.calendar, closureDays: [{ date: '2026-08-14', reason: 'Office move' }] },
    });
    expect(deadlineChange('case-1', log, oldProfile, august, now)).toBeUndefined();
  });

  it('lists nothing when the log records this change after the date was given (a run started again)', () => {
    const added = withHoliday('2026-03-11');
    const log = [...events, pinned('2026-03-18', '2026-03-19', 'later', profileFingerprint(added))];
    expect(deadlineChange('case-1', log, oldProfile, added, now)).toBeUndefined();
    // A kept date does not change the date either: the record still covers it.
    const removed = [...events, pinned('2026-03-19', '2026-03-19', 'kept', profileFingerprint(oldProfile))];
    expect(deadlineChange('case-1', removed, added, oldProfile, now)).toBeUndefined();
  });

  it('compares again a date given after this change was recorded, whatever its step (an extension since)', () => {
    const added = withHoliday('2026-03-11', '2026-03-20');
    const log: CaseEvent[] = [
      ...events,
      pinned('2026-03-18', '2026-03-19', 'later', profileFingerprint(added)),
      {
        type: 'extension-granted',
        at: '2026-03-05T13:00:00Z',
        by: handler,
        stage: 1,
        workingDays: 5,
        reason: 'Complex complaint needing specialist input',
        explanation: 'Surveyor',
      },
      {
        type: 'correspondence-sent',
        at: '2026-03-05T13:01:00Z',
        by: { kind: 'system', id: 'notifications' },
        template: 'extension-notice',
        key: 'extension-notice#6',
        channel: 'email',
        recipient: 'resident@example.org',
        profileFingerprint: profileFingerprint(oldProfile),
      },
    ];
    // The extension, folded under the old profile from the pinned 19 March, ends on 26 March; with 20 March a
    // holiday, on 27 March.
    expect(deadlineChange('case-1', log, oldProfile, added, now)).toMatchObject({
      step: 'stage1-response',
      oldDueDate: '2026-03-26',
      newDueDate: '2026-03-27',
      direction: 'later',
    });
  });
});

describe('describeProfileChange', () => {
  it('names the days added and removed and the timescales changed, in a sentence for the resident', () => {
    const before = baselineProfile({
      calendar: { ...oldProfile.calendar, closureDays: [{ date: '2026-12-24', reason: 'Christmas Eve' }] },
    });
    const [stage1, ...rest] = oldProfile.stages;
    if (!stage1) throw new Error('no stage 1');
    const after = baselineProfile({
      calendar: {
        ...oldProfile.calendar,
        extraBankHolidays: [{ date: '2026-03-11', reason: 'Royal wedding' }],
      },
      stages: [{ ...stage1, respondWorkingDays: 12 }, ...rest],
    });
    expect(describeProfileChange(before, after)).toBe(
      'Wednesday 11 March 2026 is now a bank holiday (Royal wedding), so it is not a working day; ' +
        'our offices are no longer closed on Thursday 24 December 2026; ' +
        'we now respond at stage 1 within 12 working days (before: 10).',
    );
  });

  it('says only that the policy changed when nothing that dates a case did', () => {
    expect(describeProfileChange(oldProfile, baselineProfile({ reminderLeadWorkingDays: 1 }))).toBe(
      'Our complaints policy changed.',
    );
  });
});
