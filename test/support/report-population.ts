import type { CaseEvent, Channel } from '#shared/domain/case.ts';
import { defaultNonAcceptanceRoute } from '#shared/domain/letters.ts';
import { baselineProfile, handler, resident, reviewer, stageResponse } from './fixtures.ts';

/**
 * A known population for the financial year 2026-27 (1 April 2026 to 31 March 2027), on the code-baseline
 * profile (5,000 homes; England and Wales bank holidays; no receipt cut-off; stage 1: acknowledge 5, respond 10
 * working days from acknowledgement, extend up to 10; stage 2: 5, 20, up to 20).
 *
 * Calendar facts used below: BST began 29 March 2026 and ends 25 October 2026 (01:00 UTC); it begins again on
 * 28 March 2027. Good Friday 3 April 2026, Easter Monday 6 April 2026, early May bank holiday 4 May 2026, spring
 * bank holiday 25 May 2026.
 */
const profile = baselineProfile();
export const manager = { kind: 'staff', id: 'manager-1', role: 'manager' } as const;
export const period = { from: '2026-04-01', to: '2027-03-31' };

function receipt(reference: string, at: string, channel: Channel): CaseEvent {
  return {
    type: 'received',
    at,
    by: resident,
    reference,
    channel,
    complainant: { name: 'Ada Resident', email: 'ada@example.com', preferredContact: 'email' },
    complaint: { whatHappened: 'The fence is broken.', outcomeWanted: 'Fix it' },
  };
}
const complaint = (at: string): CaseEvent => ({ type: 'triaged', at, by: handler, outcome: 'complaint' });
const category = (name: string, at: string): CaseEvent => ({
  type: 'category-recorded',
  at,
  by: handler,
  category: name,
});
const ack = (stage: 1 | 2, at: string): CaseEvent => ({
  type: 'acknowledged',
  stage,
  at,
  by: stage === 1 ? handler : reviewer,
  definition: 'The fence',
  outcomesSought: ['Fix it'],
});

export const populations: Record<string, CaseEvent[]> = {
  // A: received 2026-03-31T23:30Z = 00:30 BST on Wednesday 1 April: in the year (a UTC date would say 31 March).
  // Acknowledged Thursday 2 April: 1 working day. Stage 1 due 10 working days after 2 April, skipping Good
  // Friday, the weekend and Easter Monday: 7, 8, 9, 10, 13, 14, 15, 16, 17, 20 -> 20 April; responded 20 April:
  // in time (10 working days). Stage 2 asked 27 April, acknowledged 29 April (2 working days); due 20 working
  // days after 29 April, skipping 4 and 25 May -> 29 May; extended by 10 on 20 May -> 12 June; responded
  // 10 June: late strictly, in time with the extension; 28 working days (20 to 29 May, 5 + 3 in June).
  'CMP-A': [
    receipt('CMP-A', '2026-03-31T23:30:00Z', 'web'),
    complaint('2026-04-01T09:00:00+01:00'),
    category('Repairs and maintenance', '2026-04-01T09:05:00+01:00'),
    ack(1, '2026-04-02T10:00:00+01:00'),
    {
      type: 'response-issued',
      stage: 1,
      at: '2026-04-20T15:00:00+01:00',
      by: handler,
      letter: stageResponse(profile, 1, { decision: 'upheld' }), // remedy: £50
    },
    { type: 'escalation-requested', at: '2026-04-27T10:00:00+01:00', by: resident },
    ack(2, '2026-04-29T10:00:00+01:00'),
    {
      type: 'extension-granted',
      stage: 2,
      at: '2026-05-20T10:00:00+01:00',
      by: reviewer,
      workingDays: 10,
      reason: 'Complex complaint needing specialist input',
      explanation: 'We need a surveyor to look at it.',
    },
    {
      type: 'response-issued',
      stage: 2,
      at: '2026-06-10T12:00:00+01:00',
      by: reviewer,
      letter: stageResponse(profile, 2, { decision: 'partly-upheld', remedy: { description: 'An apology' } }),
    },
    // The stage 1 offer of £50 paid after the final response; the Ombudsman finds maladministration.
    {
      type: 'remedy-paid',
      at: '2026-06-15T10:00:00+01:00',
      by: handler,
      description: '£50 paid by bank transfer',
      compensationPounds: 50,
    },
    {
      type: 'satisfaction-recorded',
      at: '2026-06-20T10:00:00+01:00',
      by: handler,
      answer: 'fairly-satisfied',
      how: 'Phoned on 20 June',
    },
    { type: 'ombudsman-referral-recorded', at: '2026-07-01T10:00:00+01:00', by: manager, reference: 'HOS-1' },
    {
      type: 'ombudsman-outcome-recorded',
      at: '2026-09-01T10:00:00+01:00',
      by: manager,
      outcome: 'maladministration',
      reference: 'HOS-1',
    },
  ],
  // B: received 2026-10-24T23:30Z = 00:30 BST on Sunday 25 October (BST ends at 01:00 UTC that day), so day 0
  // is Monday 26 October. Acknowledged Monday 2 November: 27, 28, 29, 30 Oct, 2 Nov = 5 working days (within 5).
  // Stage 1 due 10 working days after 2 November -> 16 November; extended by 5 on 13 November -> 23 November;
  // responded 20 November: late strictly, in time with the extension; 14 working days.
  // An action promised 5 November, due 12 November, completed 12 November: on time.
  'CMP-B': [
    receipt('CMP-B', '2026-10-24T23:30:00Z', 'phone'),
    complaint('2026-10-26T09:00:00Z'),
    // First recorded as damp, then corrected: the category last recorded counts.
    category('Damp and mould', '2026-10-26T09:05:00Z'),
    category('Repairs and maintenance', '2026-10-26T09:10:00Z'),
    ack(1, '2026-11-02T10:00:00Z'),
    {
      type: 'action-added',
      at: '2026-11-05T10:00:00Z',
      by: handler,
      actionId: 'A1',
      description: 'Inspect the fence',
      owner: 'Repairs',
      dueDate: '2026-11-12',
    },
    { type: 'action-completed', at: '2026-11-12T16:00:00Z', by: handler, actionId: 'A1', note: 'Inspected' },
    {
      type: 'extension-granted',
      stage: 1,
      at: '2026-11-13T10:00:00Z',
      by: handler,
      workingDays: 5,
      reason: 'Waiting for information from a third party',
      explanation: 'The contractor has not reported yet.',
    },
    {
      type: 'response-issued',
      stage: 1,
      at: '2026-11-20T10:00:00Z',
      by: handler,
      letter: stageResponse(profile, 1, { decision: 'not-upheld', remedy: 'none' }),
    },
    {
      type: 'closed',
      at: '2026-11-25T10:00:00Z',
      by: handler,
      reason: 'resolved-at-stage-1',
      residentSatisfied: 'Said so on the phone on 25 November',
    },
    // Asks for stage 2 in January, long after the window: refused, and recorded as refused.
    {
      type: 'escalation-refused',
      at: '2027-01-11T10:00:00Z',
      by: resident,
      reason: 'out-of-time',
      windowEndedAt: '2026-12-18T23:59:59.999Z',
    },
  ],
  // C: received Monday 1 June; acknowledgement due 8 June, missed (breach), acknowledged 9 June (6 working
  // days); withdrawn 15 June. Still a stage 1 complaint received in the year.
  'CMP-C': [
    receipt('CMP-C', '2026-06-01T09:00:00+01:00', 'email'),
    complaint('2026-06-01T10:00:00+01:00'),
    category('Damp and mould', '2026-06-01T10:05:00+01:00'),
    {
      type: 'deadline-breached',
      at: '2026-06-09T00:00:00+01:00',
      by: { kind: 'system', id: 'workflow' },
      step: 'stage1-acknowledgement',
      dueAt: '2026-06-08T23:59:59.999+01:00',
    },
    ack(1, '2026-06-09T10:00:00+01:00'),
    { type: 'withdrawn', at: '2026-06-15T10:00:00+01:00', by: resident, reason: 'Sorted out' },
  ],
  // D: a service request, not a complaint.
  'CMP-D': [
    receipt('CMP-D', '2026-07-01T10:00:00+01:00', 'web'),
    {
      type: 'triaged',
      at: '2026-07-01T11:00:00+01:00',
      by: handler,
      outcome: 'service-request',
      notes: 'Repair booked',
    },
  ],
  // E: not accepted (legal proceedings), by letter: not a complaint for CH01.
  'CMP-E': [
    receipt('CMP-E', '2026-07-02T10:00:00+01:00', 'letter'),
    {
      type: 'triaged',
      at: '2026-07-02T11:00:00+01:00',
      by: handler,
      outcome: 'not-accepted',
      exclusionCode: 'legal-proceedings',
      rationale: 'A claim was filed at court.',
      ombudsmanRoute: defaultNonAcceptanceRoute(profile),
      legalProceedings: { court: 'County Court at Leeds', claimNumber: 'K00LS123' },
    },
  ],
  // F: received 2027-03-31T22:30Z = 23:30 BST on 31 March 2027 (BST began 28 March): in the year, though
  // accepted at triage the next day.
  'CMP-F': [receipt('CMP-F', '2027-03-31T22:30:00Z', 'in-person'), complaint('2027-04-01T09:00:00+01:00')],
  // G: received 2027-03-31T23:30Z = 00:30 BST on 1 April 2027: the next year.
  'CMP-G': [receipt('CMP-G', '2027-03-31T23:30:00Z', 'web'), complaint('2027-04-01T09:00:00+01:00')],
  // H: received 2026-03-31T22:30Z = 23:30 BST on Tuesday 31 March: the previous year, but responded in this one.
  // Acknowledged 1 April: 1 working day. Due 10 working days after 1 April: 2, 7, 8, 9, 10, 13, 14, 15, 16, 17
  // -> 17 April; breached; responded 24 April: late either way; 15 working days. Its letter promises an action
  // due 15 May, completed 20 May: overdue.
  'CMP-H': [
    receipt('CMP-H', '2026-03-31T22:30:00Z', 'web'),
    complaint('2026-04-01T09:00:00+01:00'),
    ack(1, '2026-04-01T10:00:00+01:00'),
    {
      type: 'deadline-breached',
      at: '2026-04-18T00:00:00+01:00',
      by: { kind: 'system', id: 'workflow' },
      step: 'stage1-response',
      dueAt: '2026-04-17T23:59:59.999+01:00',
    },
    {
      type: 'response-issued',
      stage: 1,
      at: '2026-04-24T10:00:00+01:00',
      by: handler,
      letter: stageResponse(profile, 1, {
        decision: 'upheld',
        remedy: { description: '£100 and the fence repaired', compensationPounds: 100 },
        outstandingActions: [{ description: 'Repair the fence', owner: 'Repairs', dueDate: '2026-05-15' }],
      }),
    },
    {
      type: 'action-completed',
      at: '2026-05-20T10:00:00+01:00',
      by: handler,
      actionId: 'S1-1',
      note: 'Done',
    },
    // Both parts of the remedy carried out: the repair (no money) and the £100.
    { type: 'remedy-paid', at: '2026-05-20T11:00:00+01:00', by: handler, description: 'Fence repaired' },
    {
      type: 'remedy-paid',
      at: '2026-05-21T10:00:00+01:00',
      by: handler,
      description: '£100 paid',
      compensationPounds: 100,
    },
    {
      type: 'satisfaction-recorded',
      at: '2026-05-25T10:00:00+01:00',
      by: handler,
      answer: 'very-dissatisfied',
      how: 'Said so when the money arrived',
    },
  ],
};
