import { afterEach, describe, expect, it } from 'vitest';
import { loadProfile } from '#shared/policy/load-profile.ts';
import { Harness, staff } from './harness.ts';

let harness: Harness | undefined;
async function start(options: Parameters<typeof Harness.start>[0] = {}) {
  harness = await Harness.start(options);
  return harness;
}

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const HANDLERS = 'handlers@staff.localhost';
const REVIEWERS = 'reviewers@staff.localhost';

describe('new-task emails: per event or a daily digest', () => {
  it('handlers get one digest each working morning listing the new tasks, never the same task twice', async () => {
    const h = await start();
    expect(h.profile.notifications.newTasks).toEqual({
      handler: 'digest',
      reviewer: 'digest',
      manager: 'each',
      admin: 'each',
    });
    const { caseId, reference } = await h.submit();
    expect((await h.openTask(caseId)).step).toBe('triage');
    expect((await h.emailsTo(HANDLERS)).map((email) => email.subject)).toEqual([]);

    // Tuesday 08:00 London: the digest lists Monday's triage task.
    await h.advanceTo('2026-03-03T08:01:00Z');
    const [first, ...others] = await h.emailsTo(HANDLERS);
    expect(others).toEqual([]);
    expect(first?.subject).toMatch(/^Daily digest: 1 new task for handlers - Tuesday 3 March 2026/);
    expect(first?.body.text).toContain(`${reference}: Triage (decide whether it is a complaint)`);
    expect(first?.body.text).toContain(`/staff/case/${caseId}`);

    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    expect(await h.emailsTo(HANDLERS)).toHaveLength(1);
    await h.advanceTo('2026-03-04T08:01:00Z');
    const second = (await h.emailsTo(HANDLERS)).at(-1);
    expect(second?.subject).toMatch(/^Daily digest: 1 new task for handlers - Wednesday 4 March 2026/);
    expect(second?.body.text).toContain('Stage 1 acknowledgement');
    expect(second?.body.text).not.toContain('Triage (decide');

    // The acknowledgement task is still open a day later, but it was digested: nothing new to send.
    await h.advanceTo('2026-03-05T08:01:00Z');
    const subjects = (await h.emailsTo(HANDLERS)).map((email) => email.subject);
    expect(subjects.filter((subject) => subject.startsWith('Daily digest'))).toHaveLength(2);
    // Reminders stay immediate: Thursday 09:00 is two working days before the acknowledgement is due.
    await h.advanceTo('2026-03-05T09:01:00Z');
    expect((await h.emailsTo(HANDLERS)).at(-1)?.subject).toMatch(/^Due soon/);
  });

  it("reviewers get a stage 2 case's tasks in their digest, not an email each", async () => {
    const h = await start();
    const { caseId, reference } = await h.submit();
    await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(caseId, staff.handler, h.acknowledgement(1));
    await h.act(caseId, staff.handler, h.response(1));
    await h.act(caseId, staff.handler, { action: 'escalate' });
    expect((await h.openTask(caseId)).step).toBe('stage2-acknowledgement');
    await h.act(caseId, staff.reviewer, h.acknowledgement(2));
    expect((await h.openTask(caseId)).step).toBe('stage2-response');
    expect(await h.emailsTo(REVIEWERS)).toEqual([]);

    // Tuesday 08:00 London: one digest lists the stage 2 response (the acknowledgement was done on Monday).
    await h.advanceTo('2026-03-03T08:01:00Z');
    const digests = await h.emailsTo(REVIEWERS);
    expect(digests.map((email) => email.subject)).toEqual([
      expect.stringMatching(/^Daily digest: 1 new task for reviewers - Tuesday 3 March 2026/),
    ]);
    expect(digests[0]?.body.text).toContain(`${reference}: Stage 2 (final) response`);
    expect(digests[0]?.body.text).not.toContain('Stage 2 acknowledgement');
  });

  it('a role set to "each" gets a New task email per task and no digest', async () => {
    const base = loadProfile('code-baseline');
    const profile = {
      ...base,
      notifications: { newTasks: { ...base.notifications.newTasks, handler: 'each' as const } },
    };
    const h = await start({ profile });
    const { caseId } = await h.submit();
    expect((await h.openTask(caseId)).step).toBe('triage');
    expect((await h.emailsTo(HANDLERS)).map((email) => email.subject)).toEqual([
      expect.stringMatching(/^New task: Triage/),
    ]);
    await h.advanceTo('2026-03-03T08:01:00Z');
    expect((await h.emailsTo(HANDLERS)).map((email) => email.subject)).toEqual([
      expect.stringMatching(/^New task: Triage/),
    ]);
  });
});
