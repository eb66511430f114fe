import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '#shared/ports/notifications.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { findCases } from '#shared/usecases/search.ts';
import { complaint, Harness, types } from './harness.ts';

/**
 * Cases the local runtime could leave stuck with nobody to notice: an intake stopped after its `received` event
 * and never retried, and an execution that FAILED. Against the real ASL, dynalite (persisted across a restart
 * where the test restarts) and the SES emulator.
 */
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const WEB_FORM = { kind: 'resident', id: 'web-form' } as const;

/** The process "killed" at the first call of one repository write: it throws and nothing after it runs. */
function killAt(h: Harness, write: 'saveProjection' | 'appendEvent') {
  const repository = h.deps.repository;
  const original = repository[write].bind(repository) as (...args: never[]) => Promise<void>;
  let killed = false;
  (repository[write] as unknown) = async (...args: never[]) => {
    if (!killed) {
      killed = true;
      throw new Error('killed');
    }
    return original(...args);
  };
}

describe('an intake stopped part-way and never retried (local runtime)', () => {
  it('after its received event: the next start saves the projection, binds the reference and starts the execution', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'complaints-stuck-'));
    harness = await Harness.start({ dataDir });
    killAt(harness, 'saveProjection');
    await expect(submitComplaint(harness.deps, complaint, 'stopped-after-event', WEB_FORM)).rejects.toThrow(
      'killed',
    );
    // The half-done state: the log, but no projection, so no list or queue shows it, and no execution.
    const [caseId] = (await harness.deps.repository.listByStatus('awaiting-triage', 10)).map((c) => c.caseId);
    expect(caseId).toBeUndefined();
    await harness.stop();

    harness = await Harness.start({ dataDir });
    expect(await harness.system.resumeOpenCases()).toBe(1);
    const [resumed] = await harness.deps.repository.listByStatus('awaiting-triage', 10);
    expect(resumed?.reference).toMatch(/^CMP-2026-\d{6}$/);
    const id = resumed?.caseId ?? '';
    expect(await harness.deps.repository.findCaseIdByReference(resumed?.reference ?? '')).toBe(id);
    expect(harness.execution(id)?.status).toBe('RUNNING');
    expect((await harness.openTask(id)).step).toBe('triage');
    expect(types(await harness.events(id))).toEqual(['received', 'correspondence-sent']);
    // The client's retry, had it come, is the same case: nothing twice.
    const retried = await submitComplaint(harness.deps, complaint, 'stopped-after-event', WEB_FORM);
    expect(retried).toMatchObject({ caseId: id, created: false, reference: resumed?.reference });
    expect(await harness.system.resumeOpenCases()).toBe(0);
  });

  it('before its received event: the number stays bound to the key, no case is invented, and a retry with the key uses it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'complaints-stuck-'));
    harness = await Harness.start({ dataDir });
    killAt(harness, 'appendEvent');
    await expect(submitComplaint(harness.deps, complaint, 'stopped-before-event', WEB_FORM)).rejects.toThrow(
      'killed',
    );
    await harness.stop();

    harness = await Harness.start({ dataDir });
    expect(await harness.system.resumeOpenCases()).toBe(0);
    // Nothing of the complaint was recorded, so there is nothing to finish: its number is a gap until a retry.
    const search = await findCases(harness.deps, 'CMP-2026-000001');
    expect(search.cases).toEqual([]);
    const retried = await submitComplaint(harness.deps, complaint, 'stopped-before-event', WEB_FORM);
    expect(retried).toMatchObject({ created: true, reference: 'CMP-2026-000001' });
  });
});

describe('a FAILED local execution', () => {
  it("is restarted by the next daily tick from the case's log: the letter it owed goes once and the case waits for triage", async () => {
    harness = await Harness.start();
    const mailer = harness.deps.mailer;
    const send = mailer.send.bind(mailer);
    let sesDown = true;
    const sent: OutgoingEmail[] = [];
    mailer.send = async (email) => {
      if (sesDown)
        throw Object.assign(new Error('Maximum sending rate exceeded.'), {
          name: 'TooManyRequestsException',
        });
      const result = await send(email);
      sent.push(email);
      return result;
    };
    const { caseId } = await harness.submit();
    // Past the task's retrier: the execution fails, with the acknowledgement letter still owed.
    await harness.advance(10 * 60_000);
    expect(harness.execution(caseId)?.status).toBe('FAILED');
    sesDown = false;

    // Tuesday 08:00 London: the daily tick restarts it under a resume name, as the runbook does in AWS.
    await harness.advanceTo('2026-03-03T08:01:00Z');
    const execution = harness.execution(caseId);
    expect(execution?.name).toMatch(new RegExp(`^${caseId}-resume-`));
    expect(execution?.status).toBe('RUNNING');
    expect((await harness.openTask(caseId)).step).toBe('triage');
    const letters = sent.flatMap((email) => email.headers?.['X-Correspondence-Key'] ?? []);
    expect(letters).toEqual(['complaint-received#1']);
    // A closed case's failed execution, or one already restarted, is left alone on the next tick.
    expect(await harness.system.restartFailedExecutions()).toEqual([]);
  });
});
