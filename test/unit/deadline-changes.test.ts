import { describe, expect, it } from 'vitest';
import type { CaseEvent } from '#shared/domain/case.ts';
import { deadlineChange } from '#shared/domain/deadline-changes.ts';
import { baselineProfile, handler, received } from '../support/fixtures.ts';

const oldProfile = baselineProfile();
const withHoliday = (date: string) =>
  baselineProfile({
    calendar: { ...oldProfile.calendar, extraBankHolidays: [{ date, reason: 'Announced bank holiday' }] },
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
];

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

  it('leaves a due date already past alone', () => {
    expect(
      deadlineChange('case-1', events, oldProfile, withHoliday('2026-03-11'), '2026-03-20T09:00:00.000Z'),
    ).toBeUndefined();
  });
});
