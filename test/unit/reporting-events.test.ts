import { describe, expect, it } from 'vitest';
import {
  applyCaseEvent,
  type CaseEvent,
  type CaseState,
  caseContext,
  foldCase,
} from '#shared/domain/case.ts';
import {
  baselineContext,
  baselineProfile,
  handler,
  received,
  resident,
  stageResponse,
} from '../support/fixtures.ts';

/**
 * The case rules for the events the reports count beyond the workflow's own (category, payments, the
 * Ombudsman's outcome, refused stage 2 requests, satisfaction): what each accepts, and each refusal with the
 * message staff see.
 */

const ctx = baselineContext();
const profile = ctx.profile;
const windowed = caseContext(baselineProfile({ escalationWindow: { amount: 20, unit: 'working-days' } }));
const manager = { kind: 'staff', id: 'manager-1', role: 'manager' } as const;
const system = { kind: 'system', id: 'workflow' } as const;

const receipt = received('2026-03-02T10:00:00Z');
const triage: CaseEvent = { type: 'triaged', at: '2026-03-02T11:00:00Z', by: handler, outcome: 'complaint' };
const acknowledge: CaseEvent = {
  type: 'acknowledged',
  at: '2026-03-04T09:00:00Z',
  by: handler,
  stage: 1,
  definition: 'Delay repairing the boiler',
  outcomesSought: ['Repair'],
};
/** Upheld, offering an apology and £50. */
const respond: CaseEvent = {
  type: 'response-issued',
  at: '2026-03-10T09:00:00Z',
  by: handler,
  stage: 1,
  letter: stageResponse(profile, 1),
};
const later = '2026-03-11T09:00:00Z';

const acknowledged = foldCase('case-1', [receipt, triage, acknowledge], ctx);
const responded = foldCase('case-1', [receipt, triage, acknowledge, respond], ctx);
const apply = (state: CaseState, event: CaseEvent, context = ctx) => applyCaseEvent(state, event, context);

describe('category-recorded', () => {
  const category = (value: string, by: CaseEvent['by'] = handler): CaseEvent => ({
    type: 'category-recorded',
    at: later,
    by,
    category: value,
  });

  it("records one of the profile's themes as the category, the last one recorded standing", () => {
    const [first, second] = profile.learning.themes;
    const once = apply(acknowledged, category(first ?? ''));
    expect(once.category).toBe(first);
    expect(apply(once, { ...category(second ?? ''), at: '2026-03-12T09:00:00Z' }).category).toBe(second);
  });

  it('refuses a category not on the list, naming the list, and one recorded by anyone but staff', () => {
    expect(() => apply(acknowledged, category('Plumbing'))).toThrowError(
      `"Plumbing" is not one of the categories: choose one of ${profile.learning.themes.join('; ')}`,
    );
    expect(() => apply(acknowledged, category(profile.learning.themes[0] ?? '', resident))).toThrowError(
      '"category-recorded" must be done by a member of staff, not by resident resident',
    );
  });
});

describe('remedy-paid', () => {
  const paid = (extra: Partial<Extract<CaseEvent, { type: 'remedy-paid' }>> = {}): CaseEvent => ({
    type: 'remedy-paid',
    at: later,
    by: handler,
    description: 'Paid £50 by bank transfer',
    compensationPounds: 50,
    ...extra,
  });

  it('records a payment or a remedy done once a response offered a remedy', () => {
    const once = apply(responded, paid());
    expect(once.remediesPaid).toEqual([
      { at: later, description: 'Paid £50 by bank transfer', compensationPounds: 50 },
    ]);
    const twice = apply(
      once,
      paid({ at: '2026-03-12T09:00:00Z', description: 'Apology sent', compensationPounds: undefined }),
    );
    expect(twice.remediesPaid?.[1]).toEqual({ at: '2026-03-12T09:00:00Z', description: 'Apology sent' });
    expect(apply(responded, paid({ compensationPounds: 75.5 })).remediesPaid?.[0]?.compensationPounds).toBe(
      75.5,
    );
  });

  it('refuses a payment no response offered, an amount that is not pounds and pence above 0, no description, a resident', () => {
    const noRemedy = foldCase(
      'case-1',
      [
        receipt,
        triage,
        acknowledge,
        { ...respond, letter: stageResponse(profile, 1, { remedy: 'none', decision: 'not-upheld' }) },
      ],
      ctx,
    );
    const offeredNothing =
      'No response on this case offered a remedy: record a payment once a response offering it is issued';
    expect(() => apply(acknowledged, paid())).toThrowError(offeredNothing);
    expect(() => apply(noRemedy, paid())).toThrowError(offeredNothing);
    for (const pounds of [0, -5, 10.555, Number.NaN]) {
      expect(() => apply(responded, paid({ compensationPounds: pounds })), String(pounds)).toThrowError(
        'Compensation paid must be an amount in pounds above 0, for example 50 or 75.50',
      );
    }
    expect(() => apply(responded, paid({ description: '  ' }))).toThrowError(
      'What was paid or done is required',
    );
    expect(() => apply(responded, paid({ by: resident }))).toThrowError(
      '"remedy-paid" must be done by a member of staff, not by resident resident',
    );
  });
});

describe('ombudsman-outcome-recorded', () => {
  const referred = apply(responded, {
    type: 'ombudsman-referral-recorded',
    at: later,
    by: handler,
    reference: 'HOS-1',
  });
  const outcome = (
    extra: Partial<Extract<CaseEvent, { type: 'ombudsman-outcome-recorded' }>> = {},
  ): CaseEvent => ({
    type: 'ombudsman-outcome-recorded',
    at: '2026-03-12T09:00:00Z',
    by: manager,
    outcome: 'service-failure',
    reference: 'HOS-1',
    ...extra,
  });

  it("records the Ombudsman's outcome on a referred case, by a manager or an admin", () => {
    expect(apply(referred, outcome()).ombudsmanOutcomes).toEqual([
      { at: '2026-03-12T09:00:00Z', outcome: 'service-failure', reference: 'HOS-1' },
    ]);
    const byAdmin = apply(
      referred,
      outcome({ by: { kind: 'staff', id: 'admin-1', role: 'admin' }, reference: undefined }),
    );
    expect(byAdmin.ombudsmanOutcomes).toEqual([{ at: '2026-03-12T09:00:00Z', outcome: 'service-failure' }]);
  });

  it('refuses it from a handler, before a referral, and an outcome the Ombudsman does not give', () => {
    expect(() => apply(referred, outcome({ by: handler }))).toThrowError(
      expect.objectContaining({
        code: 'FORBIDDEN',
        message:
          'Only a manager or an admin may record "ombudsman-outcome-recorded"; ask a manager (you are a handler)',
      }),
    );
    expect(() => apply(responded, outcome())).toThrowError(
      'No Ombudsman referral is recorded on this case: record the referral before its outcome',
    );
    expect(() => apply(referred, outcome({ outcome: 'upheld' as never }))).toThrowError(
      /^"upheld" is not an Ombudsman outcome: choose one of severe-maladministration, maladministration, /,
    );
  });
});

describe('escalation-refused', () => {
  // The window to ask ends at the end of 9 April 2026 (20 working days after the response of 10 March).
  const inWindow = foldCase('case-1', [receipt, triage, acknowledge, respond], windowed);
  const windowEndedAt = inWindow.escalationWindow?.dueAt ?? '';
  const closed = apply(
    inWindow,
    { type: 'closed', at: '2026-04-10T00:00:00Z', by: system, reason: 'escalation-window-ended' },
    windowed,
  );
  const lateEmail: CaseEvent = {
    type: 'email-received',
    at: '2026-04-14T09:05:00Z',
    by: system,
    messageId: 'ada-late@resident.example',
    receivedAt: '2026-04-14T09:00:00Z',
    from: { address: 'ada@example.com', name: 'Ada Resident' },
    subject: 'Re: Our response',
    text: 'I am still not happy.',
    rawKey: 'inbound/late',
    threadedBy: 'reply-address',
    fromComplainant: true,
    verdicts: { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
  };
  const withEmail = apply(closed, lateEmail, windowed);
  const refusal = (extra: Partial<Extract<CaseEvent, { type: 'escalation-refused' }>> = {}): CaseEvent => ({
    type: 'escalation-refused',
    at: '2026-04-15T10:00:00Z',
    by: handler,
    reason: 'out-of-time',
    windowEndedAt,
    ...extra,
  });

  it("records a resident's late request, and staff's decision on an emailed or relayed one, once per case", () => {
    const byResident = apply(closed, refusal({ by: { kind: 'resident', id: 'resident-link' } }), windowed);
    expect(byResident.escalationRefusals).toEqual([{ at: '2026-04-15T10:00:00Z', reason: 'out-of-time' }]);
    const emailed = refusal({ fromEmail: 'ada-late@resident.example', requestedAt: '2026-04-14T09:00:00Z' });
    expect(apply(withEmail, emailed, windowed).escalationRefusals).toEqual([
      { at: '2026-04-15T10:00:00Z', reason: 'out-of-time' },
    ]);
    expect(apply(closed, refusal(), windowed).escalationRefusals).toHaveLength(1);
    expect(() =>
      apply(apply(closed, refusal(), windowed), { ...refusal(), at: '2026-04-16T10:00:00Z' }, windowed),
    ).toThrowError('A refused stage 2 request is already recorded on CMP-2026-000001');
  });

  it('refuses one before the stage 1 response, and staff deciding one in time, without a window, or on another email', () => {
    expect(() => apply(acknowledged, refusal({ by: resident }))).toThrowError(
      'A stage 2 request can only follow a stage 1 response',
    );
    expect(() => apply(inWindow, refusal({ at: '2026-04-01T10:00:00Z' }), windowed)).toThrowError(
      `The request was made at 2026-04-01T10:00:00Z, inside the window to ask for stage 2 (it ended at ${windowEndedAt}): it is not out of time, so confirm it as a stage 2 request instead`,
    );
    expect(() => apply(responded, refusal({ windowEndedAt: '' }))).toThrowError(
      "CMP-2026-000001 has no window to ask for stage 2 (the policy sets none), so no request is out of time: ask for stage 2 on the resident's behalf instead",
    );
    expect(() =>
      apply(
        withEmail,
        refusal({ fromEmail: 'someone-else@example.com', requestedAt: '2026-04-14T09:00:00Z' }),
        windowed,
      ),
    ).toThrowError(
      'That email is not one the complainant sent to this case: choose an email from the case, or none for a request made by phone, letter or in person',
    );
    expect(() =>
      apply(
        withEmail,
        refusal({ fromEmail: 'ada-late@resident.example', requestedAt: '2026-04-15T09:00:00Z' }),
        windowed,
      ),
    ).toThrowError('An emailed request is dated by when the email arrived');
    const escalated = apply(
      inWindow,
      { type: 'escalation-requested', at: '2026-03-20T09:00:00Z', by: resident },
      windowed,
    );
    expect(() => apply(escalated, refusal(), windowed)).toThrowError(
      'Stage 2 was already requested on CMP-2026-000001: a later request is part of it, not a new one',
    );
  });
});

describe('satisfaction-recorded', () => {
  const answer = (extra: Partial<Extract<CaseEvent, { type: 'satisfaction-recorded' }>> = {}): CaseEvent => ({
    type: 'satisfaction-recorded',
    at: later,
    by: handler,
    answer: 'fairly-satisfied',
    how: 'Phoned on 11 March after the response',
    ...extra,
  });

  it('records each answer on the five-point scale once a response is issued, oldest first', () => {
    const once = apply(responded, answer());
    const twice = apply(
      once,
      answer({ at: '2026-03-20T09:00:00Z', answer: 'very-dissatisfied', how: 'Survey' }),
    );
    expect(twice.satisfactionAnswers).toEqual([
      { at: later, answer: 'fairly-satisfied', how: 'Phoned on 11 March after the response' },
      { at: '2026-03-20T09:00:00Z', answer: 'very-dissatisfied', how: 'Survey' },
    ]);
  });

  it('refuses an answer before any response, off the scale, without how it was given, or from a resident', () => {
    expect(() => apply(acknowledged, answer())).toThrowError(
      'Satisfaction with the handling is asked once a response is issued',
    );
    expect(() => apply(responded, answer({ answer: 'delighted' as never }))).toThrowError(
      '"delighted" is not an answer on the scale: choose one of very-satisfied, fairly-satisfied, neither, fairly-dissatisfied, very-dissatisfied',
    );
    expect(() => apply(responded, answer({ how: '' }))).toThrowError(
      'How and when the resident said it is required',
    );
    expect(() => apply(responded, answer({ by: resident }))).toThrowError(
      '"satisfaction-recorded" must be done by a member of staff, not by resident resident',
    );
  });
});
