import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CaseEvent } from '#shared/domain/case.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';
import { type ProviderProfile, profileFingerprint } from '#shared/policy/profile.ts';
import { complaint, Harness, staff } from './harness.ts';

/**
 * Issue 15's "Done when": a bank holiday added to the profile produces recalculated events with the right dates
 * and a resident notice only where the date moved later. On dynalite with the real ASL, through the two ways a
 * changed profile is applied: the local runtime's start, and the daily run (as after a deploy in AWS).
 */

const dirs: string[] = [];
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const baseline = loadProfile('code-baseline');
/** Wednesday 11 March 2026 announced as a bank holiday. */
const withHoliday: ProviderProfile = {
  ...baseline,
  calendar: {
    ...baseline.calendar,
    extraBankHolidays: [{ date: '2026-03-11', reason: 'Announced bank holiday' }],
  },
};
const REASON =
  'Wednesday 11 March 2026 is now a bank holiday (Announced bank holiday), so it is not a working day.';

async function start(dataDir: string, profile: ProviderProfile, at: string): Promise<Harness> {
  harness = await Harness.start({ profile, dataDir, start: new Date(at) });
  return harness;
}

/**
 * Two open cases received on Monday 2 March 2026 at 10:00 under the baseline profile (5 working days to
 * acknowledge, 10 to respond from the acknowledgement):
 * - A waits on triage: acknowledgement due Monday 9 March (3, 4, 5, 6, 9 March), before the new holiday.
 * - B was acknowledged on 2 March: response due Monday 16 March (3, 4, 5, 6, 9, 10, 11, 12, 13, 16 March);
 *   with 11 March a holiday the tenth working day is Tuesday 17 March.
 */
async function twoOpenCases(dataDir: string) {
  const h = await start(dataDir, baseline, '2026-03-02T10:00:00Z');
  const a = await h.submit({
    ...complaint,
    complainant: { name: 'Ann Triage', email: 'ann@resident.example', preferredContact: 'email' },
  });
  const b = await h.submit({
    ...complaint,
    complainant: { name: 'Ben Response', email: 'ben@resident.example', preferredContact: 'email' },
  });
  await h.act(b.caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
  await h.act(b.caseId, staff.handler, h.acknowledgement(1));
  expect((await h.openTask(a.caseId)).step).toBe('triage');
  expect((await h.openTask(b.caseId)).step).toBe('stage1-response');
  expect((await h.state(a.caseId)).stage1.acknowledgement?.dueDate).toBe('2026-03-09');
  expect((await h.state(b.caseId)).stage1.response?.dueDate).toBe('2026-03-16');
  return { a: a.caseId, b: b.caseId };
}

const recalculations = (events: CaseEvent[]) =>
  events.filter((event) => event.type === 'deadlines-recalculated');
const movedLetters = (events: CaseEvent[]) =>
  events.filter((event) => event.type === 'correspondence-sent' && event.template === 'due-date-moved');

async function expectRecordedOnce(h: Harness, cases: { a: string; b: string }) {
  expect(recalculations(await h.events(cases.a))).toEqual([]);
  expect(recalculations(await h.events(cases.b))).toEqual([
    expect.objectContaining({
      by: { kind: 'system', id: 'profile-change' },
      step: 'stage1-response',
      oldDueDate: '2026-03-16',
      newDueDate: '2026-03-17',
      direction: 'later',
      reason: REASON,
      profileFingerprint: profileFingerprint(withHoliday),
    }),
  ]);
  expect(movedLetters(await h.events(cases.a))).toEqual([]);
  expect(movedLetters(await h.events(cases.b))).toEqual([
    expect.objectContaining({ channel: 'email', recipient: 'ben@resident.example' }),
  ]);
  expect((await h.state(cases.b)).stage1.response?.dueDate).toBe('2026-03-17');
}

describe('a bank holiday added to the provider profile', () => {
  it('the local runtime records the moved date at start, tells only that resident, and never twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'profile-change-'));
    dirs.push(dataDir);
    const cases = await twoOpenCases(dataDir);
    // The start path stores the profile it applied (the first time there is nothing to compare with).
    expect(await harness?.system.resumeOpenCases()).toBe(0);
    expect(harness?.system.profileChange).toMatchObject({ outcome: 'first' });
    await harness?.stop();

    let h = await start(dataDir, withHoliday, '2026-03-03T09:00:00Z');
    await h.system.resumeOpenCases();
    expect(h.system.profileChange).toMatchObject({
      outcome: 'applied',
      reason: REASON,
      changes: [
        {
          caseId: cases.b,
          step: 'stage1-response',
          oldDueDate: '2026-03-16',
          newDueDate: '2026-03-17',
          direction: 'later',
        },
      ],
      lettersSent: 1,
    });
    await expectRecordedOnce(h, cases);
    const notices = (await h.outbox()).filter((email) =>
      email.subject.startsWith('The date you will hear from us has changed'),
    );
    expect(notices.map((email) => email.destination.to)).toEqual([['ben@resident.example']]);
    expect(notices[0]?.body.text).toContain(
      'We told you that you would have our stage 1 response by Monday 16 March 2026. You will now have it by Tuesday 17 March 2026.',
    );
    expect(notices[0]?.body.text).toContain(REASON);
    // The resumed execution waits on the new date.
    expect((await h.openTask(cases.b)).dueAt).toBe('2026-03-17T23:59:59.999Z');
    await h.stop();

    // A restart with the same profile records nothing and sends nothing.
    h = await start(dataDir, withHoliday, '2026-03-03T10:00:00Z');
    await h.system.resumeOpenCases();
    expect(h.system.profileChange).toMatchObject({ outcome: 'unchanged', changes: [], lettersSent: 0 });
    await expectRecordedOnce(h, cases);

    // A start stopped after the cases were done but before the profile was stored is finished by the next:
    // the applied profile is put back to the old one, as that stop would have left it.
    await h.deps.repository.saveAppliedProfile(
      { fingerprint: profileFingerprint(baseline), profile: baseline, appliedAt: '2026-03-03T09:00:00.000Z' },
      profileFingerprint(withHoliday),
    );
    await h.stop();
    h = await start(dataDir, withHoliday, '2026-03-03T11:00:00Z');
    await h.system.resumeOpenCases();
    expect(h.system.profileChange).toMatchObject({ outcome: 'applied', changes: [], lettersSent: 0 });
    await expectRecordedOnce(h, cases);
    expect(
      (await h.outbox()).filter((email) => email.subject.startsWith('The date you will hear from us')),
    ).toEqual([]);
    expect((await h.deps.repository.getAppliedProfile())?.fingerprint).toBe(profileFingerprint(withHoliday));
  }, 120_000);

  it('in AWS the first daily run after a deploy with the new profile does the same, once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'profile-change-daily-'));
    dirs.push(dataDir);
    const cases = await twoOpenCases(dataDir);
    // Tuesday's daily run stores the profile deployed then.
    await harness?.advanceTo('2026-03-03T08:01:00Z');
    expect((await harness?.deps.repository.getAppliedProfile())?.fingerprint).toBe(
      profileFingerprint(baseline),
    );
    await harness?.stop();

    // Deployed with the holiday: the functions get the new profile, and nothing resumes at a start in AWS.
    const h = await start(dataDir, withHoliday, '2026-03-03T12:00:00Z');
    expect(recalculations(await h.events(cases.b))).toEqual([]);
    await h.advanceTo('2026-03-04T08:01:00Z');
    await expectRecordedOnce(h, cases);
    await h.advanceTo('2026-03-05T08:01:00Z');
    await expectRecordedOnce(h, cases);
    expect(
      (await h.outbox()).filter((email) => email.subject.startsWith('The date you will hear from us')),
    ).toHaveLength(1);
  }, 120_000);
});
