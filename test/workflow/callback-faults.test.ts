import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '#shared/ports/notifications.ts';
import { sendTaskDigests } from '#shared/usecases/notify.ts';
import { residentView } from '#shared/usecases/resident-case.ts';
import { Harness, staff, types } from './harness.ts';

/**
 * Step Functions refusing a staff action's callback past the adapter's retries, and staff alerts or a digest
 * retried after they left: against the real ASL, dynalite and the SES emulator.
 */
let harness: Harness;
let sent: OutgoingEmail[];
beforeEach(async () => {
  harness = await Harness.start();
  sent = [];
  const mailer = harness.deps.mailer;
  const send = mailer.send.bind(mailer);
  mailer.send = async (email) => {
    const result = await send(email);
    sent.push(email);
    return result;
  };
});
afterEach(async () => {
  await harness.stop();
});

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

/** Every SendTaskSuccess is refused while `refusing` holds, as the adapter answers once its retries are spent. */
function refuseCallbacks() {
  const engine = harness.deps.engine;
  const send = engine.sendTaskSuccess.bind(engine);
  const control = { refusing: true, refused: 0 };
  engine.sendTaskSuccess = async (token, output) => {
    if (control.refusing) {
      control.refused++;
      throw throttled();
    }
    return send(token, output);
  };
  return control;
}

const tokenOf = (caseLink: string) => new URL(caseLink).searchParams.get('token') ?? '';

describe('a staff action whose callback Step Functions refuses', () => {
  it('stands, and the next look at the case moves the execution on without waiting for the timeout', async () => {
    const { caseId, caseLink } = await harness.submit();
    const triage = await harness.openTask(caseId);
    const callbacks = refuseCallbacks();
    // The action succeeds: it is recorded, and the task is done and owes its callback.
    const { position } = await harness.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    expect(position.step).toBe('stage1-acknowledgement');
    expect(callbacks.refused).toBe(1);
    const stuck = await harness.deps.repository.getTask(triage.taskId);
    expect(stuck).toMatchObject({ status: 'done', callbackOwedSince: expect.any(String) });
    // Without a timer nothing moves: the execution still waits on the triage callback, and no task is open.
    const anyOpen = async () =>
      (await harness.deps.repository.tasksForCase(caseId)).some((task) => task.status === 'open');
    expect(await harness.settleUntil(anyOpen)).toBe(false);
    expect(harness.execution(caseId)?.status).toBe('RUNNING');

    // Still refused: the resident's page opens all the same, and the callback stays owed.
    await residentView(harness.deps, tokenOf(caseLink), caseId);
    expect(callbacks.refused).toBe(2);
    callbacks.refusing = false;
    const lettersBefore = sent.filter((email) => email.headers?.['X-Correspondence-Key']).length;
    // Step Functions recovers: the next view sends the owed callback, and the workflow carries on at once.
    await residentView(harness.deps, tokenOf(caseLink), caseId);
    expect((await harness.openTask(caseId)).step).toBe('stage1-acknowledgement');
    expect((await harness.deps.repository.getTask(triage.taskId))?.callbackOwedSince).toBeUndefined();
    expect(await harness.deps.repository.owedCallbacks()).toEqual([]);

    // Nothing twice: one triage event, no letter sent again, and a later view sends no callback.
    expect(types(await harness.events(caseId)).filter((type) => type === 'triaged')).toHaveLength(1);
    const keys = sent.flatMap((email) => email.headers?.['X-Correspondence-Key'] ?? []);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(lettersBefore);
    callbacks.refusing = true;
    await residentView(harness.deps, tokenOf(caseLink), caseId);
    expect(callbacks.refused).toBe(2);
  });
});

describe('an owed callback on a case nobody looks at again', () => {
  it("is resent by the next morning's daily run, so the execution moves on without anyone opening the case", async () => {
    const { caseId } = await harness.submit();
    const triage = await harness.openTask(caseId);
    const callbacks = refuseCallbacks();
    await harness.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    expect(await harness.deps.repository.owedCallbacks()).toHaveLength(1);
    callbacks.refusing = false;
    // Monday afternoon: no timer is due before Thursday's triage reminder, so nothing moves on its own.
    await harness.advanceTo('2026-03-02T18:00:00Z');
    expect((await harness.deps.repository.tasksForCase(caseId)).some((t) => t.status === 'open')).toBe(false);

    // Tuesday 08:00 London: the daily run sends the owed callback; the workflow opens the acknowledgement.
    await harness.advanceTo('2026-03-03T08:01:00Z');
    expect((await harness.openTask(caseId)).step).toBe('stage1-acknowledgement');
    expect(await harness.deps.repository.owedCallbacks()).toEqual([]);
    expect((await harness.deps.repository.getTask(triage.taskId))?.callbackOwedSince).toBeUndefined();
    expect(types(await harness.events(caseId)).filter((type) => type === 'triaged')).toHaveLength(1);
  });
});

describe('staff alerts and digests keyed per send', () => {
  it('a deadline check retried after its reminder left sends the reminder once, under its key', async () => {
    const { caseId } = await harness.submit();
    const task = await harness.openTask(caseId);
    const repository = harness.deps.repository;
    const append = repository.appendEvent.bind(repository);
    let refused = false;
    repository.appendEvent = async (id, seq, event) => {
      if (event.type === 'reminder-sent' && !refused) {
        refused = true;
        throw Object.assign(new Error('Internal server error'), {
          name: 'InternalServerError',
          $fault: 'server',
        });
      }
      return append(id, seq, event);
    };
    // Thursday 09:00 London is two working days before triage is due: the reminder, then the ASL's retry.
    await harness.advanceTo('2026-03-05T09:10:00Z');
    expect(refused).toBe(true);
    const reminders = sent.filter((email) => email.headers?.['X-Alert'] === 'reminder');
    expect(reminders.map((email) => email.headers?.['X-Alert-Key'])).toEqual([
      `reminder#${caseId}#triage#${task.dueAt}#handler`,
    ]);
    expect(types(await harness.events(caseId)).filter((type) => type === 'reminder-sent')).toHaveLength(1);
  });

  it('a digest run retried after its email left marks the tasks it listed and sends nothing again', async () => {
    const { caseId } = await harness.submit();
    const task = await harness.openTask(caseId);
    const repository = harness.deps.repository;
    const mark = repository.markTaskAnnounced.bind(repository);
    let refused = 0;
    repository.markTaskAnnounced = async (taskId, at) => {
      if (refused++ === 0)
        throw Object.assign(new Error('Throughput exceeds the limit'), { name: 'ThrottlingException' });
      return mark(taskId, at);
    };
    // Tuesday 08:00: the daily run sends the digest, then fails to mark the task.
    await harness.advanceTo('2026-03-03T08:01:00Z');
    expect(refused).toBe(1);
    expect((await harness.deps.repository.getTask(task.taskId))?.announcedAt).toBeUndefined();
    // The scheduler's retry: the digest is recognised by its key, so the task is marked and no email goes.
    expect(await sendTaskDigests(harness.deps)).toEqual({});
    const digests = sent.filter((email) => email.headers?.['X-Alert'] === 'digest');
    expect(digests.map((email) => email.headers?.['X-Alert-Key'])).toEqual(['digest#handler#2026-03-03']);
    expect((await harness.deps.repository.getTask(task.taskId))?.announcedAt).toEqual(expect.any(String));
  });
});
