import { describe, expect, it } from 'vitest';
import { applyCaseEvent } from '#shared/domain/case.ts';
import { parseCaseForm, parseTaskForm } from '../../functions/web/staff/actions/index.ts';
import { baselineContext, baselineProfile, received } from '../support/fixtures.ts';

const profile = baselineProfile();
const state = applyCaseEvent(undefined, received('2026-03-02T10:00:00Z'), baselineContext(), 'case-1');
const respond = (body: Record<string, string>) =>
  parseTaskForm(
    {
      action: 'respond',
      complaintDefinition: 'The boiler',
      decision: 'not-upheld',
      reasons: 'It was fixed on time',
      remedy: 'none',
      actions: 'some',
      escalationRoute: 'Ask us for stage 2',
      theme: 'Repairs and maintenance',
      rootCause: 'No fault found',
      ...body,
    },
    { profile, state, step: 'stage1-response' },
  );

describe('the staff action forms', () => {
  it("show the use case schema's issues at their fields, worded for staff", () => {
    expect(
      parseTaskForm({ action: 'acknowledge', definition: ' ' }, { profile, state, step: 'triage' }),
    ).toEqual({
      errors: [
        { field: 'definition', message: 'Enter what the complaint is about' },
        { field: 'outcomes', message: 'Enter at least one outcome the resident is seeking, one per line' },
      ],
    });
    // Over-long text was refused only after the form, at the form as a whole; now at the field.
    expect(parseCaseForm({ action: 'note', 'note-text': 'x'.repeat(20_001) })).toEqual({
      errors: [{ field: 'note-text', message: 'The note must be 20,000 characters or fewer' }],
    });
  });

  it("map an outstanding action's issues to its row, and ask for one when none is given", () => {
    expect(
      respond({
        'oa2-description': 'Fix it',
        'oa2-due-day': '20',
        'oa2-due-month': '3',
        'oa2-due-year': '2026',
      }).errors,
    ).toEqual([{ field: 'oa2-owner', message: 'Say who will do outstanding action 2' }]);
    expect(respond({}).errors).toEqual([
      {
        field: 'oa1-description',
        message: 'Give at least one outstanding action, or choose no outstanding actions',
      },
    ]);
    expect(
      respond({
        'oa1-description': 'Fix it',
        'oa1-owner': 'Repairs',
        'oa1-due-day': '20',
        'oa1-due-month': '3',
        'oa1-due-year': '2026',
      }).action,
    ).toMatchObject({
      outstandingActions: [{ description: 'Fix it', owner: 'Repairs', dueDate: '2026-03-20' }],
    });
  });

  it('keep the checks only the form can make, in page order', () => {
    expect(parseTaskForm({ action: 'close' }, { profile, state, step: 'escalation-window' }).errors).toEqual([
      { field: 'close-confirm', message: 'Confirm that the complaint is resolved at stage 1' },
    ]);
    expect(
      parseTaskForm(
        { action: 'extend', 'extend-days': 'two' },
        { profile, state, step: 'stage1-response' },
      ).errors.map((error) => error.field),
    ).toEqual(['extend-reason', 'extend-days', 'extend-explanation']);
    expect(parseTaskForm({ action: 'reopen' }, { profile, state, step: 'triage' }).errors).toEqual([
      { field: 'task-forms', message: 'Choose one of the actions on this page' },
    ]);
  });
});
