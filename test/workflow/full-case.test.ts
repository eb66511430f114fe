import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, Harness, staff, types } from './harness.ts';

let harness: Harness;
beforeEach(async () => {
  harness = await Harness.start();
});
afterEach(async () => {
  await harness.stop();
});

describe('the complaint state machine, run locally with the real ASL', () => {
  it('walks a full two-stage case to closure', async () => {
    const { caseId, reference } = await harness.submit();
    expect(reference).toBe('CMP-2026-000001');
    expect((await harness.openTask(caseId)).step).toBe('triage');
    const received = await harness.emailsTo('ada@resident.example');
    expect(received.map((email) => email.subject)).toEqual([expect.stringMatching(/CMP-2026-000001/)]);
    expect(received[0]?.body.text).toMatch(/Monday 9 March 2026/);

    await harness.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    expect((await harness.openTask(caseId)).step).toBe('stage1-acknowledgement');
    await harness.advance(DAY);
    await harness.act(caseId, staff.handler, harness.acknowledgement(1));
    expect((await harness.state(caseId)).stage1.response?.dueDate).toBe('2026-03-17');
    await harness.advance(3 * DAY);
    await harness.act(caseId, staff.handler, harness.response(1));
    expect((await harness.openTask(caseId)).step).toBe('escalation-window');

    // The resident asks for stage 2 (through the staff API on their behalf here; the resident API has its own test).
    await harness.advance(2 * DAY);
    await harness.act(caseId, staff.handler, { action: 'escalate' });
    expect((await harness.openTask(caseId)).step).toBe('stage2-acknowledgement');
    await harness.act(caseId, staff.reviewer, harness.acknowledgement(2));
    await harness.advance(5 * DAY);
    await harness.act(caseId, staff.reviewer, harness.response(2));

    const execution = harness.execution(caseId);
    expect(execution?.status).toBe('SUCCEEDED');
    const events = await harness.events(caseId);
    expect(types(events).filter((type) => type !== 'correspondence-sent')).toEqual([
      'received',
      'triaged',
      'acknowledged',
      'response-issued',
      'escalation-requested',
      'acknowledged',
      'response-issued',
      'closed',
    ]);
    const letters = (await harness.emailsTo('ada@resident.example')).map((email) => email.subject);
    expect(letters).toEqual([
      expect.stringMatching(/^We have received your complaint/),
      expect.stringMatching(/^Your complaint at stage 1: acknowledgement/),
      expect.stringMatching(/^Our stage 1 response/),
      expect.stringMatching(/^Your complaint at stage 2: acknowledgement/),
      expect.stringMatching(/^Our final response/),
    ]);
    const final = (await harness.emailsTo('ada@resident.example')).at(-1);
    expect(final?.body.text).toMatch(/Housing Ombudsman/);
    expect(final?.body.text).toMatch(/0300 111 3000/);
  });
});
