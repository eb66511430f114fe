import { afterEach, describe, expect, it } from 'vitest';
import { loadProfile } from '#shared/policy/load-profile.ts';
import { actOnTask, recordCaseAction } from '#shared/usecases/actions.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { residentAct } from '#shared/usecases/resident-case.ts';
import { complaint, DAY, Harness, staff, types } from './harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(profile = 'code-baseline') {
  harness = await Harness.start({ profile });
  return harness;
}

function linkToken(caseLink: string): string {
  return new URL(caseLink).searchParams.get('token') ?? '';
}

const withoutCorrespondence = (list: string[]) => list.filter((type) => !type.startsWith('correspondence'));

describe('workflow paths', () => {
  it('not accepted: closes with the reasons and the Ombudsman route in the letter', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, h.notAccepted());
    expect(h.execution(caseId)?.status).toBe('SUCCEEDED');
    expect((await h.state(caseId)).closureReason).toBe('not-accepted');
    const letter = (await h.emailsTo('ada@resident.example')).at(-1);
    expect(letter?.body.text).toMatch(/county court on 2 February 2026/);
    expect(letter?.body.text).toMatch(/Housing Ombudsman Service/);
    expect(letter?.body.text).toMatch(/0300 111 3000/);
  });

  it('service request: recorded, the resident told, and the complaint record closed', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, h.serviceRequest());
    expect(h.execution(caseId)?.status).toBe('SUCCEEDED');
    expect((await h.state(caseId)).closureReason).toBe('service-request');
    expect((await h.emailsTo('ada@resident.example')).at(-1)?.body.text).toMatch(
      /Engineer booked for Thursday 5 March/,
    );
  });

  it('resolved at stage 1: closes when the window to ask for stage 2 ends', async () => {
    // Amplius gives residents 20 working days to ask for stage 2 (seeds/001 line 214).
    const h = await start('amplius');
    const { caseId, caseLink } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    await h.act(caseId, staff.handler, h.response(1));
    const window = (await h.state(caseId)).escalationWindow;
    expect(window?.dueDate).toBe('2026-03-30');
    await h.advanceTo('2026-03-30T20:00:00Z');
    expect((await h.state(caseId)).status).toBe('stage1-responded');
    await h.advanceTo('2026-03-31T09:00:00Z');
    const state = await h.state(caseId);
    expect(state).toMatchObject({ status: 'closed', closureReason: 'escalation-window-ended' });
    expect(state.closedAt).toMatch(/^2026-03-30T23:00:0/);
    expect(h.execution(caseId)?.status).toBe('SUCCEEDED');
    expect((await h.emailsTo('ada@resident.example')).at(-1)?.subject).toMatch(/closed/i);
    // Asked too late, twice: refused both times, and the refusal recorded once for the reports (Code 8.1(b)).
    for (let ask = 0; ask < 2; ask++) {
      await expect(residentAct(h.deps, linkToken(caseLink), { action: 'escalate' })).rejects.toMatchObject({
        code: 'ESCALATION_WINDOW_CLOSED',
      });
    }
    const refused = await h.state(caseId);
    expect(refused.escalationRefusals).toEqual([{ at: expect.any(String), reason: 'out-of-time' }]);
    expect(refused.status).toBe('closed');
  });

  it('during the stage 2 window staff cannot close the case unless the resident said they are satisfied', async () => {
    const h = await start('amplius');
    const { caseId, caseLink } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    await h.act(caseId, staff.handler, h.response(1));
    await expect(h.act(caseId, staff.handler, { action: 'close', confirm: true })).rejects.toMatchObject({
      code: 'STAGE2_WINDOW_OPEN',
      message: expect.stringMatching(/until the end of 2026-03-30/),
    });
    // The refusal left the case waiting: the resident's request for stage 2 is taken, not answered 409.
    await residentAct(h.deps, linkToken(caseLink), { action: 'escalate' });
    await h.system.settle();
    expect((await h.openTask(caseId)).step).toBe('stage2-acknowledgement');
  });

  it('during the stage 2 window staff close a case the resident is satisfied with, recording what they said', async () => {
    const h = await start('amplius');
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    await h.act(caseId, staff.handler, h.response(1));
    const said = 'Phoned on 4 March: happy with the repair and the apology, does not want stage 2.';
    await h.act(caseId, staff.handler, { action: 'close', confirm: true, residentSatisfied: said });
    expect(await h.state(caseId)).toMatchObject({
      status: 'closed',
      closureReason: 'resolved-at-stage-1',
      residentSatisfied: said,
    });
    expect(h.execution(caseId)?.status).toBe('SUCCEEDED');
  });

  it('with no window for stage 2, staff close a complaint resolved at stage 1', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    await h.act(caseId, staff.handler, h.response(1));
    // The Code baseline sets no time limit: weeks later (past a monthly re-check) it is still waiting.
    await h.advance(45 * DAY);
    expect((await h.openTask(caseId)).step).toBe('escalation-window');
    await expect(h.act(caseId, staff.handler, { action: 'close' })).rejects.toThrow();
    // The window never ends, so only the resident's word closes it.
    await expect(h.act(caseId, staff.handler, { action: 'close', confirm: true })).rejects.toMatchObject({
      code: 'STAGE2_WINDOW_OPEN',
    });
    expect((await h.state(caseId)).status).toBe('stage1-responded');
    const said = 'Phoned on 15 April: happy with the repair, no stage 2 wanted.';
    await h.act(caseId, staff.handler, { action: 'close', confirm: true, residentSatisfied: said });
    expect(await h.state(caseId)).toMatchObject({
      status: 'closed',
      closureReason: 'resolved-at-stage-1',
      residentSatisfied: said,
    });
    expect(h.execution(caseId)?.status).toBe('SUCCEEDED');
    expect((await h.emailsTo('ada@resident.example')).at(-1)?.subject).toMatch(/closed/i);
  });

  it('extensions at each stage move the due date, send a notice, and one beyond the cap is refused', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    expect((await h.state(caseId)).stage1.response?.dueDate).toBe('2026-03-16');
    const reason = h.profile.stages[0]?.extension.allowedReasons[0];
    await h.act(caseId, staff.handler, {
      action: 'extend',
      workingDays: 5,
      reason,
      explanation: 'A surveyor must inspect the flue.',
    });
    expect((await h.state(caseId)).stage1.response?.dueDate).toBe('2026-03-23');
    const notice = (await h.emailsTo('ada@resident.example')).at(-1);
    expect(notice?.body.text).toMatch(/Monday 23 March 2026/);
    expect(notice?.body.text).toMatch(/A surveyor must inspect the flue/);
    expect(notice?.body.text).toMatch(/0300 111 3000/);
    expect((await h.openTask(caseId)).step).toBe('stage1-response');
    await expect(
      h.act(caseId, staff.handler, { action: 'extend', workingDays: 6, reason, explanation: 'More time' }),
    ).rejects.toMatchObject({ code: 'EXTENSION_REFUSED', message: expect.stringMatching(/at most 5 more/) });

    await h.act(caseId, staff.handler, h.response(1));
    await h.act(caseId, staff.handler, { action: 'escalate' });
    await h.act(caseId, staff.reviewer, h.acknowledgement(2));
    const before = (await h.state(caseId)).stage2.response?.dueDate;
    await h.act(caseId, staff.reviewer, {
      action: 'extend',
      workingDays: 20,
      reason,
      explanation: 'Independent review of the repair records.',
    });
    const after = await h.state(caseId);
    expect(after.stage2.response?.dueDate).toBe(
      h.deps.context.clocks.calendar.addWorkingDays(before ?? '', 20).date,
    );
    await expect(
      h.act(caseId, staff.reviewer, { action: 'extend', workingDays: 1, reason, explanation: 'More time' }),
    ).rejects.toMatchObject({ code: 'EXTENSION_REFUSED' });
    expect(
      withoutCorrespondence(types(await h.events(caseId))).filter((type) => type === 'extension-granted'),
    ).toHaveLength(2);
  });

  it('acknowledgement breach: a reminder two working days before, a breach alert to a manager after the deadline', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.advanceTo('2026-03-05T08:59:00Z');
    expect(types(await h.events(caseId))).not.toContain('reminder-sent');
    await h.advanceTo('2026-03-05T09:01:00Z');
    expect(types(await h.events(caseId))).toContain('reminder-sent');
    expect((await h.emailsTo('handlers@staff.localhost')).at(-1)?.subject).toMatch(/reminder|due/i);
    await h.advanceTo('2026-03-09T23:59:00Z');
    expect(types(await h.events(caseId))).not.toContain('deadline-breached');
    await h.advanceTo('2026-03-10T00:01:00Z');
    const state = await h.state(caseId);
    expect(state.breaches).toEqual([
      {
        step: 'stage1-acknowledgement',
        dueAt: '2026-03-09T23:59:59.999Z',
        at: expect.stringMatching(/^2026-03-10T00:00:00/),
        // The date the apology letter gave the resident (5 working days on), kept for the pages to show.
        newDueDate: '2026-03-16',
      },
    ]);
    expect((await h.emailsTo('managers@staff.localhost')).map((email) => email.subject)).toEqual([
      expect.stringMatching(/missed|breach|overdue/i),
    ]);
    // Still waiting for the acknowledgement, which can still be given, late.
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    expect((await h.state(caseId)).status).toBe('stage1-investigation');
  });

  it('triage and acknowledgement share one deadline: one reminder and one breach between them', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.advanceTo('2026-03-05T10:00:00Z');
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.advanceTo('2026-03-10T10:00:00Z');
    const events = types(await h.events(caseId));
    expect(events.filter((type) => type === 'reminder-sent')).toHaveLength(1);
    expect(events.filter((type) => type === 'deadline-breached')).toHaveLength(1);
  });

  it('response breach is recorded once, then re-alerted weekly while overdue', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    await h.advanceTo('2026-03-17T00:01:00Z');
    expect((await h.state(caseId)).breaches.map((b) => b.step)).toEqual(['stage1-response']);
    await h.advance(8 * DAY);
    expect((await h.state(caseId)).breaches).toHaveLength(1);
    const alerts = await h.emailsTo('managers@staff.localhost');
    expect(alerts.length).toBe(2);
    expect(alerts.at(-1)?.subject).toMatch(/still overdue/i);
  });

  it('a missed response deadline: the resident gets an apology, the new date and the Ombudsman route, once', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    const late = async () =>
      (await h.emailsTo('ada@resident.example')).filter((email) => /is late/.test(email.subject));
    await h.advanceTo('2026-03-16T23:59:00Z');
    expect(await late()).toEqual([]);
    await h.advanceTo('2026-03-17T00:01:00Z');
    const [letter, ...more] = await late();
    expect(more).toEqual([]);
    expect(letter?.subject).toMatch(/^We are sorry: our stage 1 response is late/);
    // Due Monday 16 March; the new date is the profile's 5 working days later.
    expect(letter?.body.text).toContain('by Monday 16 March 2026, and we have not kept to that date');
    expect(letter?.body.text).toContain('You will have our stage 1 response by Monday 23 March 2026.');
    expect(letter?.body.text).toContain(`you can contact the ${h.profile.ombudsman.name} now`);
    expect(letter?.body.text).toContain(h.profile.ombudsman.phone ?? 'missing');
    expect((await h.events(caseId)).filter((event) => event.type === 'deadline-breached')).toEqual([
      expect.objectContaining({ step: 'stage1-response', newDueDate: '2026-03-23' }),
    ]);
    // The weekly still-overdue alert is for staff: the resident's letter is keyed on the breach, sent once.
    await h.advance(8 * DAY);
    expect(await late()).toHaveLength(1);
    const sent = (await h.events(caseId)).filter(
      (event) => event.type === 'correspondence-sent' && event.template === 'deadline-missed',
    );
    expect(sent).toHaveLength(1);
  });

  it('withdrawal while waiting closes the case and ends the execution', async () => {
    const h = await start();
    const { caseId, caseLink } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await residentAct(h.deps, linkToken(caseLink), { action: 'withdraw', reason: 'Sorted now, thanks' });
    await h.system.settle();
    expect(await h.state(caseId)).toMatchObject({ status: 'closed', closureReason: 'withdrawn' });
    expect(h.execution(caseId)?.status).toBe('SUCCEEDED');
    expect((await h.deps.repository.tasksForCase(caseId)).filter((t) => t.status === 'open')).toEqual([]);
    expect((await h.emailsTo('ada@resident.example')).at(-1)?.subject).toMatch(/withdr/i);
  });

  it('the resident asks for stage 2 through their signed link, without giving a reason', async () => {
    const h = await start();
    const { caseId, caseLink } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    await h.act(caseId, staff.handler, h.response(1));
    await residentAct(h.deps, linkToken(caseLink), { action: 'escalate' });
    await h.system.settle();
    expect((await h.openTask(caseId)).step).toBe('stage2-acknowledgement');
    expect((await h.state(caseId)).stage2.acknowledgement?.dueDate).toBe('2026-03-09');
    await expect(
      residentAct(h.deps, `${linkToken(caseLink)}x`, { action: 'escalate' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('stale and double callbacks answer with what happened and what is pending now', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    const triageTask = await h.openTask(caseId);
    await actOnTask(h.deps, triageTask.taskId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.system.settle();
    const next = await h.openTask(caseId);
    await expect(
      actOnTask(h.deps, triageTask.taskId, staff.handler, { action: 'triage', outcome: 'complaint' }),
    ).rejects.toMatchObject({
      code: 'TASK_NOT_OPEN',
      message: expect.stringMatching(
        new RegExp(`already done.*stage1-acknowledgement.*act on task ${next.taskId}`),
      ),
    });
    // The reminder replaces the waiting task with a new one: the old id is now stale.
    await h.advanceTo('2026-03-05T10:00:00Z');
    const replacement = await h.openTask(caseId);
    expect(replacement.taskId).not.toBe(next.taskId);
    await expect(actOnTask(h.deps, next.taskId, staff.handler, h.acknowledgement(1))).rejects.toMatchObject({
      code: 'TASK_NOT_OPEN',
      message: expect.stringMatching(/timed-out/),
    });
    await actOnTask(h.deps, replacement.taskId, staff.handler, h.acknowledgement(1));
    await h.system.settle();
    expect(types(await h.events(caseId)).filter((type) => type === 'acknowledged')).toHaveLength(1);
  });

  it('a double-submitted extension acts once; the second is told the task is done', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    const task = await h.openTask(caseId);
    const reason = h.profile.stages[0]?.extension.allowedReasons[0];
    const extend = {
      action: 'extend',
      workingDays: 3,
      reason,
      explanation: 'Waiting for the contractor report.',
    };
    const results = await Promise.allSettled([
      actOnTask(h.deps, task.taskId, staff.handler, extend),
      actOnTask(h.deps, task.taskId, staff.handler, extend),
    ]);
    await h.system.settle();
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({
      reason: { code: 'TASK_NOT_OPEN' },
    });
    expect(types(await h.events(caseId)).filter((type) => type === 'extension-granted')).toHaveLength(1);
    expect((await h.state(caseId)).stage1.response?.dueDate).toBe('2026-03-19');
  });

  it("enforces the compensation policy's limit on what a handler may offer", async () => {
    const profile = loadProfile('code-baseline');
    harness = await Harness.start({
      profile: { ...profile, compensation: { ...profile.compensation, handlerLimitPounds: 50 } },
    });
    const h = harness;
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    // The fixture's remedy offers £75.
    await expect(h.act(caseId, staff.handler, h.response(1))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/above the £50 a handler may offer/),
    });
    await h.act(caseId, staff.manager, h.response(1));
    expect((await h.state(caseId)).status).toBe('stage1-responded');
  });

  it('refuses the stage 1 handler at stage 2', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.manager, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.manager, h.acknowledgement(1));
    await h.act(caseId, staff.manager, h.response(1));
    await h.act(caseId, staff.handler, { action: 'escalate' });
    await expect(h.act(caseId, staff.manager, h.acknowledgement(2))).rejects.toMatchObject({
      code: 'SAME_HANDLER',
    });
    await expect(h.act(caseId, staff.handler, h.acknowledgement(2))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await h.act(caseId, staff.reviewer, h.acknowledgement(2));
    expect((await h.state(caseId)).status).toBe('stage2-investigation');
  });

  it('a retry of intake with the same key returns the same case and starts one execution', async () => {
    const h = await start();
    const first = await h.submit(complaint, 'retry-key-0001');
    const second = await h.submit(complaint, 'retry-key-0001');
    expect(second).toMatchObject({ caseId: first.caseId, reference: first.reference, created: false });
    expect(first.created).toBe(true);
    expect(h.system.sfn.listExecutions()).toHaveLength(1);
    expect(await h.emailsTo('ada@resident.example')).toHaveLength(1);
    // The retry used no reference number: the next complaint gets the next one.
    expect((await h.submit(complaint, 'another-key-0001')).reference).toBe('CMP-2026-000002');
    const changed = { ...complaint, complaint: { ...complaint.complaint, outcomeWanted: 'Something else' } };
    await expect(
      submitComplaint(h.deps, changed, 'retry-key-0001', { kind: 'resident', id: 'web-form' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('an action promised at stage 1: its owner is reminded before its date and managers told after it', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    await h.act(
      caseId,
      staff.handler,
      h.response(1, {
        outstandingActions: [
          { description: 'Service the boiler', owner: 'Repairs team', dueDate: '2026-03-20' },
        ],
      }),
    );
    expect((await h.openTask(caseId)).step).toBe('escalation-window');
    const actionAlerts = async (address: string) =>
      (await h.emailsTo(address)).filter((email) => email.subject.includes('Service the boiler'));
    // Friday 20 March is due: the handler hears two working days before, at 09:00 on Wednesday.
    await h.advanceTo('2026-03-18T08:30:00Z');
    expect((await h.state(caseId)).remindersSent.filter((r) => r.actionId === 'S1-1')).toEqual([]);
    await h.advanceTo('2026-03-18T09:30:00Z');
    expect((await h.state(caseId)).remindersSent.filter((r) => r.actionId === 'S1-1')).toHaveLength(1);
    expect((await actionAlerts('handlers@staff.localhost')).map((email) => email.subject)).toEqual([
      expect.stringMatching(/^Due soon: outstanding action S1-1/),
    ]);
    expect(await actionAlerts('managers@staff.localhost')).toEqual([]);
    await h.advanceTo('2026-03-20T23:59:00Z');
    expect((await h.state(caseId)).breaches).toEqual([]);
    await h.advanceTo('2026-03-21T00:01:00Z');
    expect((await h.state(caseId)).breaches).toEqual([
      {
        step: 'outstanding-actions',
        actionId: 'S1-1',
        dueAt: '2026-03-20T23:59:59.999Z',
        at: expect.stringMatching(/^2026-03-21T00:00:00/),
      },
    ]);
    expect((await actionAlerts('managers@staff.localhost')).map((email) => email.subject)).toEqual([
      expect.stringMatching(/^Deadline missed: outstanding action S1-1/),
    ]);
    expect(await actionAlerts('handlers@staff.localhost')).toHaveLength(2);
    // Recorded once: a week on, no second breach for the same action and date.
    await h.advance(7 * DAY);
    expect((await h.state(caseId)).breaches).toHaveLength(1);
    expect((await h.openTask(caseId)).step).toBe('escalation-window');
  });

  it('an action promised at stage 1 and still open is in the final response, as on the case', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    const boiler = { description: 'Replace the boiler', owner: 'Repairs team', dueDate: '2026-04-30' };
    await h.act(caseId, staff.handler, h.response(1, { outstandingActions: [boiler] }));
    await h.act(caseId, staff.handler, { action: 'escalate' });
    await h.act(caseId, staff.reviewer, h.acknowledgement(2));
    await expect(h.act(caseId, staff.reviewer, h.response(2))).rejects.toMatchObject({
      code: 'INCOMPLETE_LETTER',
      message: expect.stringMatching(
        /cannot be "none" while 1 action\(s\) promised on this case are still open: S1-1/,
      ),
    });
    await h.act(
      caseId,
      staff.reviewer,
      h.response(2, { outstandingActions: [{ ...boiler, actionId: 'S1-1' }] }),
    );
    const state = await h.state(caseId);
    expect(
      state.actions.map(({ actionId, description, dueDate, completedAt }) => ({
        actionId,
        description,
        dueDate,
        completedAt,
      })),
    ).toEqual([
      { actionId: 'S1-1', description: 'Replace the boiler', dueDate: '2026-04-30', completedAt: undefined },
    ]);
    const final = (await h.emailsTo('ada@resident.example')).find((email) =>
      /final response/i.test(email.subject),
    );
    expect(final?.body.text).toMatch(
      /Outstanding actions\n\n- Replace the boiler \(who: Repairs team; by: Thursday 30 April 2026\)/,
    );
  });

  it('outstanding actions are tracked after the final response, their owner reminded, then the case closes', async () => {
    const h = await start();
    const { caseId } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    await h.act(caseId, staff.handler, h.response(1));
    await h.act(caseId, staff.handler, { action: 'escalate' });
    await h.act(caseId, staff.reviewer, h.acknowledgement(2));
    await h.act(
      caseId,
      staff.reviewer,
      h.response(2, {
        outstandingActions: [
          { description: 'Replace the boiler', owner: 'Repairs team', dueDate: '2026-03-20' },
        ],
      }),
    );
    expect(h.execution(caseId)?.status).toBe('RUNNING');
    expect((await h.state(caseId)).status).toBe('final-response-issued');
    await h.advanceTo('2026-03-20T09:30:00Z');
    const reminders = (await h.state(caseId)).remindersSent.filter((r) => r.step === 'outstanding-actions');
    expect(reminders).toHaveLength(1);
    await recordCaseAction(h.deps, caseId, staff.handler, {
      action: 'complete-action',
      actionId: 'S2-1',
      note: 'New boiler fitted',
    });
    // There is no callback after the final response: Friday's completion is picked up at the next check,
    // the one planned for the end of the action's date, which finds nothing open (and no breach to record).
    await h.advanceTo('2026-03-20T23:59:00Z');
    expect((await h.state(caseId)).status).toBe('final-response-issued');
    await h.advanceTo('2026-03-21T00:01:00Z');
    expect(await h.state(caseId)).toMatchObject({
      status: 'closed',
      closureReason: 'final-response-issued',
      breaches: [],
    });
    expect(h.execution(caseId)?.status).toBe('SUCCEEDED');
  });
});
