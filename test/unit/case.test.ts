import { describe, expect, it } from 'vitest';
import {
  applyCaseEvent,
  type CaseEvent,
  type CaseState,
  caseContext,
  foldCase,
  missingContactDetail,
  pendingStep,
} from '#shared/domain/case.ts';
import { defaultEscalationRoute, defaultNonAcceptanceRoute } from '#shared/domain/letters.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';
import {
  baselineContext,
  baselineProfile,
  handler,
  received,
  resident,
  reviewer,
  stageResponse,
} from '../support/fixtures.ts';

const ctx = baselineContext();
const profile = ctx.profile;

function fold(...events: CaseEvent[]): CaseState {
  return foldCase('case-1', events, ctx);
}

const receipt = received('2026-03-02T10:00:00Z');
const triage: CaseEvent = { type: 'triaged', at: '2026-03-02T11:00:00Z', by: handler, outcome: 'complaint' };
const acknowledge: CaseEvent = {
  type: 'acknowledged',
  at: '2026-03-04T09:00:00Z',
  by: handler,
  stage: 1,
  definition: 'Delay repairing the boiler',
  outcomesSought: ['Repair', 'Apology'],
};
const respond1: CaseEvent = {
  type: 'response-issued',
  at: '2026-03-10T09:00:00Z',
  by: handler,
  stage: 1,
  letter: stageResponse(profile, 1),
};
const escalate: CaseEvent = { type: 'escalation-requested', at: '2026-03-12T09:00:00Z', by: resident };
const acknowledge2: CaseEvent = {
  type: 'acknowledged',
  at: '2026-03-13T09:00:00Z',
  by: reviewer,
  stage: 2,
  definition: 'Delay repairing the boiler and the stage 1 remedy',
  outcomesSought: ['More compensation'],
};
const respond2: CaseEvent = {
  type: 'response-issued',
  at: '2026-03-20T09:00:00Z',
  by: reviewer,
  stage: 2,
  letter: stageResponse(profile, 2),
};

describe('case lifecycle', () => {
  it('walks both stages and computes every due date', () => {
    let state = fold(receipt);
    expect(state).toMatchObject({ status: 'awaiting-triage', seq: 1 });
    expect(state.stage1.acknowledgement?.dueDate).toBe('2026-03-09');
    state = fold(receipt, triage, acknowledge);
    expect(state.status).toBe('stage1-investigation');
    // 10 working days from Wednesday 4 March.
    expect(state.stage1.response?.dueDate).toBe('2026-03-18');
    state = fold(receipt, triage, acknowledge, respond1, escalate);
    expect(state.status).toBe('stage2-acknowledgement');
    expect(state.stage2.acknowledgement?.dueDate).toBe('2026-03-19');
    state = fold(receipt, triage, acknowledge, respond1, escalate, acknowledge2);
    // 20 working days from Friday 13 March, over Easter 2026 (3 and 6 April).
    expect(state.stage2.response?.dueDate).toBe('2026-04-14');
    state = fold(receipt, triage, acknowledge, respond1, escalate, acknowledge2, respond2);
    expect(state).toMatchObject({ status: 'final-response-issued', seq: 7 });
    state = applyCaseEvent(
      state,
      { type: 'closed', at: '2026-03-21T09:00:00Z', by: reviewer, reason: 'final-response-issued' },
      ctx,
    );
    expect(state).toMatchObject({ status: 'closed', closureReason: 'final-response-issued' });
    expect(pendingStep(state, ctx)).toBeUndefined();
  });

  it('gives the pending step with its deadline and reminder', () => {
    const pending = pendingStep(fold(receipt, triage, acknowledge), ctx);
    expect(pending).toMatchObject({ step: 'stage1-response', stage: 1 });
    expect(pending?.deadline?.dueDate).toBe('2026-03-18');
    expect(pending?.reminderAt).toBe('2026-03-16T09:00:00.000Z');
  });

  it('refuses events out of order', () => {
    expect(() => fold(receipt, acknowledge)).toThrow(/cannot happen while the case is awaiting-triage/);
    expect(() => fold(receipt, triage, respond1)).toThrowError(
      expect.objectContaining({ code: 'OUT_OF_ORDER' }),
    );
    expect(() => fold(receipt, receipt)).toThrowError(expect.objectContaining({ code: 'OUT_OF_ORDER' }));
    expect(() => fold(triage)).toThrowError(expect.objectContaining({ code: 'OUT_OF_ORDER' }));
  });

  it('never opens a third stage', () => {
    const done = fold(receipt, triage, acknowledge, respond1, escalate, acknowledge2, respond2);
    expect(() => applyCaseEvent(done, { ...escalate, at: '2026-03-25T09:00:00Z' }, ctx)).toThrowError(
      expect.objectContaining({ code: 'THIRD_STAGE' }),
    );
    expect(() =>
      fold(receipt, triage, acknowledge, respond1, escalate, { ...escalate, at: '2026-03-12T10:00:00Z' }),
    ).toThrowError(expect.objectContaining({ code: 'THIRD_STAGE' }));
  });

  it('refuses the stage 1 handler at stage 2, whether acknowledging, extending or responding', () => {
    expect(() =>
      fold(receipt, triage, acknowledge, respond1, escalate, { ...acknowledge2, by: handler }),
    ).toThrowError(
      expect.objectContaining({
        code: 'SAME_HANDLER',
        message: expect.stringMatching(/handler-1 handled this complaint at stage 1/),
      }),
    );
    const atStage2 = fold(receipt, triage, acknowledge, respond1, escalate, acknowledge2);
    expect(() => applyCaseEvent(atStage2, { ...respond2, by: handler }, ctx)).toThrowError(
      expect.objectContaining({ code: 'SAME_HANDLER' }),
    );
    expect(() =>
      applyCaseEvent(
        atStage2,
        {
          type: 'extension-granted',
          at: '2026-03-16T09:00:00Z',
          by: handler,
          stage: 2,
          workingDays: 5,
          reason: profile.stages[1]?.extension.allowedReasons[0] ?? '',
          explanation: 'x',
        },
        ctx,
      ),
    ).toThrowError(expect.objectContaining({ code: 'SAME_HANDLER' }));
  });

  describe('extensions', () => {
    const reason = profile.stages[0]?.extension.allowedReasons[0] ?? '';
    const extend = (workingDays: number, at = '2026-03-05T09:00:00Z', why = reason): CaseEvent => ({
      type: 'extension-granted',
      at,
      by: handler,
      stage: 1,
      workingDays,
      reason: why,
      explanation: 'We need a surveyor to inspect the boiler.',
    });

    it('moves the due date on by working days from the current due date', () => {
      const state = fold(receipt, triage, acknowledge, extend(4));
      expect(state.stage1.response?.dueDate).toBe('2026-03-24');
      expect(state.stage1.extensions).toHaveLength(1);
    });

    it('refuses an extension beyond the cap, counting earlier ones', () => {
      expect(() => fold(receipt, triage, acknowledge, extend(11))).toThrowError(
        expect.objectContaining({
          code: 'EXTENSION_REFUSED',
          message: expect.stringMatching(/capped at 10/),
        }),
      );
      expect(() => fold(receipt, triage, acknowledge, extend(6), extend(5, '2026-03-06T09:00:00Z'))).toThrow(
        /6 already granted, so at most 4 more/,
      );
    });

    it('refuses a reason the provider does not allow', () => {
      expect(() => fold(receipt, triage, acknowledge, extend(3, undefined, 'We are busy'))).toThrowError(
        expect.objectContaining({
          code: 'EXTENSION_REFUSED',
          message: expect.stringMatching(/not an extension reason/),
        }),
      );
    });

    it('refuses an extension after the deadline has passed, saying to respond instead', () => {
      expect(() => fold(receipt, triage, acknowledge, extend(3, '2026-03-19T09:00:00Z'))).toThrowError(
        expect.objectContaining({
          code: 'EXTENSION_REFUSED',
          message: expect.stringMatching(
            /^The stage 1 response was due by \w+day \d+ \w+ 2026, so it is too late to extend: an extension must be agreed and explained to the resident before the deadline passes \(Code 6\.4\)\. Send the response now instead; the missed deadline is recorded on the case and the resident is sent an apology with a new date\.$/,
          ),
        }),
      );
    });
  });

  describe('letters', () => {
    it('refuses a stage response missing any required element, naming each', () => {
      const letter = stageResponse(profile, 1, {
        reasons: ' ',
        complaintDefinition: '',
        escalationRoute: 'Call us.',
      });
      expect(() => fold(receipt, triage, acknowledge, { ...respond1, letter })).toThrowError(
        expect.objectContaining({
          code: 'INCOMPLETE_LETTER',
          details: {
            missing: [
              'the complaint definition is missing',
              'the reasons for the decision are missing',
              'the escalation route must tell the resident how to ask for stage 2',
            ],
          },
        }),
      );
    });

    it('requires the remedy and the outstanding actions to be stated, even as none', () => {
      const letter = { ...stageResponse(profile, 1), remedy: undefined, outstandingActions: [] } as never;
      expect(() => fold(receipt, triage, acknowledge, { ...respond1, letter })).toThrow(
        /the remedy is missing.*the outstanding actions are missing/,
      );
    });

    it('requires the final response to give the Ombudsman, its contact details and the time limit', () => {
      const atStage2 = fold(receipt, triage, acknowledge, respond1, escalate, acknowledge2);
      const letter = stageResponse(profile, 2, {
        escalationRoute: 'You can go to the Housing Ombudsman Service.',
      });
      expect(() => applyCaseEvent(atStage2, { ...respond2, letter }, ctx)).toThrow(
        /contact details.*time limit/,
      );
    });

    it('refuses a letter that mentions the designated person or an eight-week wait', () => {
      const atStage2 = fold(receipt, triage, acknowledge, respond1, escalate, acknowledge2);
      const route = `${stageResponse(profile, 2).escalationRoute} Or wait eight weeks, or ask a designated person.`;
      expect(() =>
        applyCaseEvent(
          atStage2,
          { ...respond2, letter: stageResponse(profile, 2, { escalationRoute: route }) },
          ctx,
        ),
      ).toThrow(/designated person.*8-week wait/);
    });

    it('tracks outstanding actions from the letter and will not close until they are done', () => {
      const letter = stageResponse(profile, 2, {
        outstandingActions: [
          { description: 'Replace the boiler', owner: 'Repairs team', dueDate: '2026-04-30' },
        ],
      });
      let state = fold(receipt, triage, acknowledge, respond1, escalate, acknowledge2, {
        ...respond2,
        letter,
      });
      expect(state.actions).toMatchObject([{ actionId: 'S2-1', description: 'Replace the boiler' }]);
      const close: CaseEvent = {
        type: 'closed',
        at: '2026-04-01T09:00:00Z',
        by: reviewer,
        reason: 'final-response-issued',
      };
      expect(() => applyCaseEvent(state, close, ctx)).toThrow(/1 outstanding action\(s\) are open: S2-1/);
      state = applyCaseEvent(
        state,
        {
          type: 'action-completed',
          at: '2026-03-30T09:00:00Z',
          by: reviewer,
          actionId: 'S2-1',
          note: 'Fitted',
        },
        ctx,
      );
      expect(applyCaseEvent(state, close, ctx).status).toBe('closed');
    });
  });

  describe('triage', () => {
    it('refuses a non-acceptance without a listed reason, a rationale and the Ombudsman route', () => {
      const refusal: CaseEvent = {
        type: 'triaged',
        at: '2026-03-02T11:00:00Z',
        by: handler,
        outcome: 'not-accepted',
        exclusionCode: 'we-do-not-like-it',
        rationale: '',
        ombudsmanRoute: '',
      };
      expect(() => fold(receipt, refusal)).toThrowError(
        expect.objectContaining({
          code: 'NOT_ACCEPTED_WITHOUT_REASONS',
          message: expect.stringMatching(/exclusions.*rationale.*Ombudsman/),
        }),
      );
    });

    it('closes a valid non-acceptance with its reasons on record', () => {
      const state = fold(receipt, {
        type: 'triaged',
        at: '2026-03-02T11:00:00Z',
        by: handler,
        outcome: 'not-accepted',
        exclusionCode: 'legal-proceedings',
        rationale: 'A claim was filed at court on 1 February.',
        ombudsmanRoute: defaultNonAcceptanceRoute(profile),
        legalProceedings: { court: 'County Court at Leeds', claimNumber: 'K00LS123' },
      });
      expect(state).toMatchObject({ status: 'closed', closureReason: 'not-accepted' });
      expect(state.triage?.detail).toMatch(/legal-proceedings: A claim was filed/);
    });

    it('refuses the policy\'s "service request" exclusion as a reason: it is the triage outcome of that name', () => {
      expect(profile.exclusions.map((exclusion) => exclusion.code)).toContain('service-request');
      expect(() =>
        fold(receipt, {
          type: 'triaged',
          at: '2026-03-02T11:00:00Z',
          by: handler,
          outcome: 'not-accepted',
          exclusionCode: 'service-request',
          rationale: 'It is a first request for a repair.',
          ombudsmanRoute: defaultNonAcceptanceRoute(profile),
        }),
      ).toThrowError(
        expect.objectContaining({
          code: 'NOT_ACCEPTED_WITHOUT_REASONS',
          message: expect.stringMatching(/record a service request as the service-request triage outcome/),
        }),
      );
    });

    it('records a service request and closes the complaint record', () => {
      const state = fold(receipt, {
        type: 'triaged',
        at: '2026-03-02T11:00:00Z',
        by: handler,
        outcome: 'service-request',
        notes: 'Repair booked for Thursday',
      });
      expect(state).toMatchObject({ status: 'closed', closureReason: 'service-request' });
    });

    it('only staff can triage', () => {
      expect(() => fold(receipt, { ...triage, by: resident })).toThrow(/must be done by a member of staff/);
    });
  });

  describe('exclusions (Code 2.2, 2.3)', () => {
    const notAccepted = (extra: Record<string, unknown>): CaseEvent =>
      ({
        type: 'triaged',
        at: '2026-03-02T11:00:00Z',
        by: handler,
        outcome: 'not-accepted',
        rationale: 'Explained to the resident.',
        ombudsmanRoute: defaultNonAcceptanceRoute(profile),
        ...extra,
      }) as CaseEvent;
    const receivedWith = (complaint: { happenedOn?: string; becameAwareOn?: string }): CaseEvent => {
      const event = received('2026-03-02T10:00:00Z');
      if (event.type !== 'received') throw new Error('fixture');
      return { ...event, complaint: { ...event.complaint, ...complaint } };
    };

    it('refuses "more than 12 months ago" when the dates show the complaint is in time', () => {
      const sixDaysAgo = receivedWith({ happenedOn: '2026-02-24' });
      expect(() => fold(sixDaysAgo, notAccepted({ exclusionCode: 'over-12-months' }))).toThrowError(
        expect.objectContaining({
          code: 'EXCLUSION_NOT_APPLICABLE',
          message: expect.stringMatching(
            /"over-12-months" reason does not apply: the issue happened on 2026-02-24 .* received on 2026-03-02, within 12 months \(until 2027-02-24\)/,
          ),
        }),
      );
      // Old events, but the resident only became aware of them a month ago: still in time.
      const awareLately = receivedWith({ happenedOn: '2024-01-10', becameAwareOn: '2026-02-01' });
      expect(() => fold(awareLately, notAccepted({ exclusionCode: 'over-12-months' }))).toThrow(
        /the resident became aware of the issue on 2026-02-01/,
      );
    });

    it('accepts it when the dates are older than the window', () => {
      const old = receivedWith({ happenedOn: '2025-02-27', becameAwareOn: '2025-03-01' });
      expect(fold(old, notAccepted({ exclusionCode: 'over-12-months' })).closureReason).toBe('not-accepted');
    });

    it('needs a recorded reason when the complaint gives no date', () => {
      expect(() => fold(receipt, notAccepted({ exclusionCode: 'over-12-months' }))).toThrowError(
        expect.objectContaining({
          code: 'NOT_ACCEPTED_WITHOUT_REASONS',
          message: expect.stringMatching(/the complaint gives no date when it happened/),
        }),
      );
      const state = fold(
        receipt,
        notAccepted({
          exclusionCode: 'over-12-months',
          outOfTimeReason: 'On the phone the resident said the leak was repaired in 2023.',
        }),
      );
      expect(state.closureReason).toBe('not-accepted');
    });

    it('needs evidence of the court filing for legal proceedings', () => {
      expect(() => fold(receipt, notAccepted({ exclusionCode: 'legal-proceedings' }))).toThrowError(
        expect.objectContaining({
          code: 'NOT_ACCEPTED_WITHOUT_REASONS',
          message: expect.stringMatching(/the court, the claim number or the date the claim was filed/),
        }),
      );
      expect(() =>
        fold(receipt, notAccepted({ exclusionCode: 'legal-proceedings', legalProceedings: { court: ' ' } })),
      ).toThrow(/Code 2\.2/);
      expect(() =>
        fold(
          receipt,
          notAccepted({ exclusionCode: 'legal-proceedings', legalProceedings: { filedOn: '2026-04-01' } }),
        ),
      ).toThrow(/cannot be after today \(2026-03-02\)/);
      const state = fold(
        receipt,
        notAccepted({ exclusionCode: 'legal-proceedings', legalProceedings: { filedOn: '2026-02-01' } }),
      );
      expect(state.closureReason).toBe('not-accepted');
    });
  });

  describe('remedies (Code 7.1)', () => {
    it('refuses an upheld or partly upheld complaint with no remedy unless it says why none is due', () => {
      for (const decision of ['upheld', 'partly-upheld'] as const) {
        const letter = stageResponse(profile, 1, { decision, remedy: 'none' });
        expect(() => fold(receipt, triage, acknowledge, { ...respond1, letter })).toThrowError(
          expect.objectContaining({
            code: 'INCOMPLETE_LETTER',
            message: expect.stringMatching(
              /must set out a remedy, or explain why no remedy is due \(Code 7\.1\)/,
            ),
          }),
        );
      }
      const explained = stageResponse(profile, 1, {
        decision: 'partly-upheld',
        remedy: 'none',
        noRemedyReason: 'The repair was already done at no cost to you before you complained.',
      });
      expect(fold(receipt, triage, acknowledge, { ...respond1, letter: explained }).stage1.letter).toEqual(
        explained,
      );
      const notUpheld = stageResponse(profile, 1, { decision: 'not-upheld', remedy: 'none' });
      expect(fold(receipt, triage, acknowledge, { ...respond1, letter: notUpheld }).status).toBe(
        'stage1-responded',
      );
    });
  });

  describe('outstanding actions carried to the next letter (Code 6.6, 6.9)', () => {
    const withAction = stageResponse(profile, 1, {
      outstandingActions: [
        { description: 'Replace the boiler', owner: 'Repairs team', dueDate: '2026-04-30' },
      ],
    });
    const atStage2 = () =>
      fold(receipt, triage, acknowledge, { ...respond1, letter: withAction }, escalate, acknowledge2);

    it('refuses a final response saying "none" while a stage 1 action is open', () => {
      expect(() => applyCaseEvent(atStage2(), respond2, ctx)).toThrowError(
        expect.objectContaining({
          code: 'INCOMPLETE_LETTER',
          message: expect.stringMatching(
            /cannot be "none" while 1 action\(s\) promised on this case are still open: S1-1 \("Replace the boiler", due 2026-04-30\)/,
          ),
        }),
      );
    });

    it('refuses a letter that leaves an open action out or names one that is not open', () => {
      const newOnly = stageResponse(profile, 2, {
        outstandingActions: [{ description: 'Redecorate', owner: 'Repairs', dueDate: '2026-05-01' }],
      });
      expect(() => applyCaseEvent(atStage2(), { ...respond2, letter: newOnly }, ctx)).toThrow(
        /every action still open must be listed.*missing: S1-1/,
      );
      const unknown = stageResponse(profile, 2, {
        outstandingActions: [
          {
            actionId: 'S1-1',
            description: 'Replace the boiler',
            owner: 'Repairs team',
            dueDate: '2026-04-30',
          },
          { actionId: 'S1-7', description: 'Something', owner: 'Repairs', dueDate: '2026-05-01' },
        ],
      });
      expect(() => applyCaseEvent(atStage2(), { ...respond2, letter: unknown }, ctx)).toThrow(
        /refers to S1-7, which is not an open action/,
      );
    });

    it('carries an open action over by its id, with the date the letter gives, and adds new ones', () => {
      const letter = stageResponse(profile, 2, {
        outstandingActions: [
          {
            actionId: 'S1-1',
            description: 'Replace the boiler',
            owner: 'Repairs team',
            dueDate: '2026-05-07',
          },
          { description: 'Refund the heating costs', owner: 'Finance', dueDate: '2026-04-15' },
        ],
      });
      const state = applyCaseEvent(atStage2(), { ...respond2, letter }, ctx);
      expect(state.actions.map(({ actionId, dueDate }) => ({ actionId, dueDate }))).toEqual([
        { actionId: 'S1-1', dueDate: '2026-05-07' },
        { actionId: 'S2-1', dueDate: '2026-04-15' },
      ]);
    });

    it('accepts "none" once the open actions are completed', () => {
      const done = applyCaseEvent(
        atStage2(),
        {
          type: 'action-completed',
          at: '2026-03-16T09:00:00Z',
          by: reviewer,
          actionId: 'S1-1',
          note: 'Fitted',
        },
        ctx,
      );
      expect(applyCaseEvent(done, respond2, ctx).status).toBe('final-response-issued');
    });
  });

  describe('closing while the resident can still ask for stage 2', () => {
    const windowed = caseContext(baselineProfile({ escalationWindow: { amount: 20, unit: 'working-days' } }));
    const responded = () => foldCase('case-1', [receipt, triage, acknowledge, respond1], windowed);
    const close = (at: string, residentSatisfied?: string): CaseEvent => ({
      type: 'closed',
      at,
      by: handler,
      reason: 'resolved-at-stage-1',
      ...(residentSatisfied === undefined ? {} : { residentSatisfied }),
    });

    it('refuses to close before the window ends unless the resident said they are satisfied', () => {
      for (const said of [undefined, '  ']) {
        expect(() => applyCaseEvent(responded(), close('2026-03-11T09:00:00Z', said), windowed)).toThrowError(
          expect.objectContaining({
            code: 'STAGE2_WINDOW_OPEN',
            message: expect.stringMatching(/can ask for stage 2 until the end of 2026-04-09/),
          }),
        );
      }
      const state = applyCaseEvent(
        responded(),
        close('2026-03-11T09:00:00Z', 'Phoned on 11 March: happy with the repair, no stage 2 wanted.'),
        windowed,
      );
      expect(state).toMatchObject({
        status: 'closed',
        residentSatisfied: 'Phoned on 11 March: happy with the repair, no stage 2 wanted.',
      });
    });

    it('closes without it once the window has ended', () => {
      expect(applyCaseEvent(responded(), close('2026-04-10T09:00:00Z'), windowed).status).toBe('closed');
    });

    it('where the profile sets no window, the window never ends: closing needs the resident satisfied', () => {
      const open = fold(receipt, triage, acknowledge, respond1);
      expect(() => applyCaseEvent(open, close('2027-03-11T09:00:00Z'), ctx)).toThrowError(
        expect.objectContaining({
          code: 'STAGE2_WINDOW_OPEN',
          message: expect.stringMatching(/can ask for stage 2 at any time.*record how and when they said so/),
        }),
      );
      const said = 'Emailed on 11 March: content with the outcome.';
      expect(applyCaseEvent(open, close('2026-03-11T09:00:00Z', said), ctx)).toMatchObject({
        status: 'closed',
        residentSatisfied: said,
      });
    });
  });

  it('lets the resident withdraw while waiting and then refuses further steps', () => {
    const state = fold(receipt, triage, { type: 'withdrawn', at: '2026-03-03T09:00:00Z', by: resident });
    expect(state).toMatchObject({ status: 'closed', closureReason: 'withdrawn' });
    expect(() => applyCaseEvent(state, { ...acknowledge, at: '2026-03-04T09:00:00Z' }, ctx)).toThrowError(
      expect.objectContaining({ code: 'OUT_OF_ORDER' }),
    );
  });

  it('accepts related issues before the stage 1 response and not after', () => {
    const issue = (at: string): CaseEvent => ({
      type: 'related-issue-added',
      at,
      by: resident,
      description: 'Also the radiator',
    });
    expect(fold(receipt, triage, acknowledge, issue('2026-03-05T09:00:00Z')).relatedIssues).toEqual([
      'Also the radiator',
    ]);
    expect(() => fold(receipt, triage, acknowledge, respond1, issue('2026-03-11T09:00:00Z'))).toThrowError(
      expect.objectContaining({ code: 'OUT_OF_ORDER' }),
    );
  });

  it('records an Ombudsman referral at any time, even when closed', () => {
    const closed = fold(receipt, triage, { type: 'withdrawn', at: '2026-03-03T09:00:00Z', by: resident });
    const state = applyCaseEvent(
      closed,
      { type: 'ombudsman-referral-recorded', at: '2026-03-04T09:00:00Z', by: handler, reference: 'HOS-1' },
      ctx,
    );
    expect(state.ombudsmanReferrals).toEqual([{ at: '2026-03-04T09:00:00Z', reference: 'HOS-1' }]);
  });

  it('closes the escalation window where the profile has one, and refuses a late request', () => {
    const windowed = caseContext(baselineProfile({ escalationWindow: { amount: 20, unit: 'working-days' } }));
    const responded = foldCase('case-1', [receipt, triage, acknowledge, respond1], windowed);
    expect(responded.escalationWindow?.dueDate).toBe('2026-04-09');
    expect(() =>
      applyCaseEvent(responded, { ...escalate, at: '2026-04-10T09:00:00Z' }, windowed),
    ).toThrowError(expect.objectContaining({ code: 'ESCALATION_WINDOW_CLOSED' }));
    const closed = applyCaseEvent(
      responded,
      {
        type: 'closed',
        at: '2026-04-10T00:00:00Z',
        by: { kind: 'system', id: 'workflow' },
        reason: 'escalation-window-ended',
      },
      windowed,
    );
    expect(() => applyCaseEvent(closed, { ...escalate, at: '2026-04-10T09:00:00Z' }, windowed)).toThrowError(
      expect.objectContaining({ code: 'ESCALATION_WINDOW_CLOSED' }),
    );
  });

  it('gives an SPSO stage 2 request until the later of six months from the event and two months after stage 1', () => {
    const spso = loadProfile('spso-example');
    const spsoCtx = caseContext(spso);
    const happenedOn = (date: string): CaseEvent => {
      const event = received('2026-03-02T10:00:00Z');
      if (event.type !== 'received') throw new Error('fixture');
      return { ...event, complaint: { ...event.complaint, happenedOn: date } };
    };
    const respond = { ...respond1, letter: stageResponse(spso, 1) };
    // A recent event: six months from it (10 August) is later than two months after the response (10 May).
    const recent = foldCase('case-1', [happenedOn('2026-02-10'), triage, acknowledge, respond], spsoCtx);
    expect(recent.escalationWindow?.dueDate).toBe('2026-08-10');
    const inJuly = applyCaseEvent(recent, { ...escalate, at: '2026-07-20T09:00:00Z' }, spsoCtx);
    expect(inJuly.status).toBe('stage2-acknowledgement');
    expect(() => applyCaseEvent(recent, { ...escalate, at: '2026-08-11T09:00:00Z' }, spsoCtx)).toThrowError(
      expect.objectContaining({ code: 'ESCALATION_WINDOW_CLOSED' }),
    );
    // An old event: two months after the response is the later.
    const old = foldCase('case-1', [happenedOn('2025-06-01'), triage, acknowledge, respond], spsoCtx);
    expect(old.escalationWindow?.dueDate).toBe('2026-05-10');
    // No date given: the two months after the response, the part that is certain.
    const undated = foldCase('case-1', [receipt, triage, acknowledge, respond], spsoCtx);
    expect(undated.escalationWindow?.dueDate).toBe('2026-05-10');
    // The stage 1 letter states both halves of the rule.
    expect(defaultEscalationRoute(spso, 1)).toContain(
      'within 2 months of this letter, or within 6 months of the events you complained about (or of when you became aware of them) if that is later.',
    );
  });

  it('requires contact details that match the preferred contact method', () => {
    const noAddress = received('2026-03-02T10:00:00Z');
    if (noAddress.type !== 'received') throw new Error('fixture');
    noAddress.complainant = { name: 'Bo', preferredContact: 'post' };
    expect(() => fold(noAddress)).toThrow(/postal address is required/);
  });

  it('names the detail each preferred contact method needs, the rule both complaint forms ask by', () => {
    expect(missingContactDetail({ preferredContact: 'email', phone: '01632 960 001' })).toBe('email');
    expect(missingContactDetail({ preferredContact: 'phone', email: 'a@example.com' })).toBe('phone');
    expect(missingContactDetail({ preferredContact: 'post', email: 'a@example.com' })).toBe('address');
    expect(missingContactDetail({ preferredContact: 'post', address: '1 High Street' })).toBeUndefined();
    // A method the schema will refuse, or none chosen yet, needs no detail here.
    expect(missingContactDetail({ preferredContact: 'toString' })).toBeUndefined();
    expect(missingContactDetail({})).toBeUndefined();
  });

  it('refuses events older than the last one', () => {
    expect(() => fold(receipt, { ...triage, at: '2026-03-01T09:00:00Z' })).toThrow(/in time order/);
  });
});
