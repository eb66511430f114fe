import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { handler as sendDigest } from '#functions/workflow/send-digest.ts';
import type { CaseEvent } from '#shared/domain/case.ts';
import { formatCivilDate } from '#shared/notifications/words.ts';
import { loadProfile } from '#shared/policy/load-profile.ts';
import { type ProviderProfile, profileFingerprint } from '#shared/policy/profile.ts';
import { recordCaseAction } from '#shared/usecases/actions.ts';
import { lambdaContext } from '../../infra/local/local-step-functions.ts';
import { complaint, Harness, type OutboxEmail, staff } from './harness.ts';

/**
 * Issue 15's "Done when": a bank holiday added to the profile produces recalculated events with the right dates
 * and a resident notice only where the date moved later. On dynalite with the real ASL, through the ways a
 * changed profile is applied: the local runtime's start, a deploy's check in AWS, and the daily run.
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
      { fingerprint: profileFingerprint(withHoliday) },
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

  it("in AWS a daily run between a deploy's two passes leaves the profile to the apply pass; three hours on it no longer waits", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'profile-change-between-'));
    dirs.push(dataDir);
    const cases = await twoOpenCases(dataDir);
    // Tuesday's daily run stores the profile deployed then.
    await harness?.advanceTo('2026-03-03T08:01:00Z');
    await harness?.stop();
    const cloudFormation = await answersReceiver();
    try {
      const check = async (pass: 'record' | 'apply') => {
        await sendDigest(
          cloudFormation.request(pass, profileFingerprint(withHoliday)),
          lambdaContext('send-digest') as never,
        );
        return cloudFormation.answers.at(-1);
      };
      const daily = () => sendDigest({}, lambdaContext('send-digest') as never);
      const stored = async (h: Harness) => (await h.deps.repository.getAppliedProfile())?.fingerprint;
      // A deploy with the holiday spanning 08:00: send-digest is the new function and its record pass has run
      // when the schedule fires it. Had that run stored the profile, the apply pass would find it unchanged and
      // never compare a case an old function dated meanwhile under the old profile.
      let h = await start(dataDir, withHoliday, '2026-03-04T07:50:00Z');
      expect(await check('record')).toMatchObject({ Status: 'SUCCESS', Data: { outcome: 'recorded' } });
      await daily();
      expect(await stored(h)).toBe(profileFingerprint(baseline));
      await h.stop();
      // A deploy stopped after its record pass (not rolled back): a run three hours later finishes it (a pass may
      // take an hour, so a deploy can span that long between the mark and the apply pass).
      h = await start(dataDir, withHoliday, '2026-03-04T10:55:00Z');
      await daily();
      expect(await stored(h)).toBe(profileFingerprint(withHoliday));
      expect((await h.deps.repository.getAppliedProfile())?.deployPending).toBeUndefined();
      await expectRecordedOnce(h, cases);
      expect(await check('apply')).toMatchObject({ Status: 'SUCCESS', Data: { outcome: 'unchanged' } });
      await expectRecordedOnce(h, cases);
    } finally {
      await cloudFormation.close();
    }
  }, 180_000);

  it('in AWS a deploy records it: before the functions are updated, then after for a case the old functions moved on, once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'profile-change-deploy-'));
    dirs.push(dataDir);
    const cloudFormation = await answersReceiver();
    try {
      const check = async (pass: 'record' | 'apply', profile: ProviderProfile) => {
        await sendDigest(
          cloudFormation.request(pass, profileFingerprint(profile)),
          lambdaContext('send-digest') as never,
        );
        return cloudFormation.answers.at(-1);
      };
      // The first deploy: the apply pass stores the profile, with nothing to compare.
      let h = await start(dataDir, baseline, '2026-03-09T10:00:00Z');
      expect(await check('record', baseline)).toMatchObject({
        Status: 'SUCCESS',
        Data: { outcome: 'first' },
      });
      expect(await h.deps.repository.getAppliedProfile()).toBeUndefined();
      expect(await check('apply', baseline)).toMatchObject({ Status: 'SUCCESS', Data: { outcome: 'first' } });
      // Received on Monday 9 March 2026. C waits on triage: acknowledgement due Monday 16 March (10, 11, 12, 13,
      // 16), Tuesday 17 March with 11 March a holiday. D was acknowledged that day: response due Monday 23 March,
      // Tuesday 24 March with the holiday.
      const c = (await h.submit({ ...complaint, complainant: { ...complaint.complainant, name: 'Cal' } }))
        .caseId;
      const d = (await h.submit({ ...complaint, complainant: { ...complaint.complainant, name: 'Dee' } }))
        .caseId;
      await h.act(d, staff.handler, { action: 'triage', outcome: 'complaint' });
      await h.act(d, staff.handler, h.acknowledgement(1));
      expect((await h.openTask(c)).step).toBe('triage');
      expect((await h.openTask(d)).step).toBe('stage1-response');
      await h.stop();

      // Deployed with the holiday the next morning: send-digest is updated first and records while the others are
      // still old (a mark older than any deploy, three hours, with send-digest back on the old profile is a rollback).
      h = await start(dataDir, withHoliday, '2026-03-10T08:50:00Z');
      expect(await check('record', withHoliday)).toMatchObject({
        Status: 'SUCCESS',
        Data: { outcome: 'recorded', casesRecorded: '2', lettersSent: '2' },
      });
      expect((await h.deps.repository.getAppliedProfile())?.fingerprint).toBe(profileFingerprint(baseline));
      await h.stop();

      // An old function acknowledges C before it is updated: the response it gives is dated under the old
      // profile (10 working days from Tuesday 10 March: Tuesday 24 March), the acknowledgement it read pinned.
      h = await start(dataDir, baseline, '2026-03-10T09:00:00Z');
      // (A local start resumes the executions; its own profile check finds the old profile unchanged.)
      await h.system.resumeOpenCases();
      expect(h.system.profileChange).toMatchObject({ outcome: 'unchanged' });
      expect((await h.state(c)).stage1.acknowledgement?.dueDate).toBe('2026-03-17');
      expect((await h.state(d)).stage1.response?.dueDate).toBe('2026-03-24');
      await h.act(c, staff.handler, { action: 'triage', outcome: 'complaint' });
      await h.act(c, staff.handler, h.acknowledgement(1));
      expect((await h.state(c)).stage1.response?.dueDate).toBe('2026-03-24');
      await h.stop();

      // Every function updated: the apply pass records C's new step (Wednesday 25 March) and stores the profile.
      h = await start(dataDir, withHoliday, '2026-03-10T09:30:00Z');
      expect(await check('apply', withHoliday)).toMatchObject({
        Status: 'SUCCESS',
        Data: { outcome: 'applied', casesRecorded: '1', lettersSent: '1' },
      });
      const recorded = async () => ({
        c: recalculations(await h.events(c)).map((event) => [event.step, event.oldDueDate, event.newDueDate]),
        d: recalculations(await h.events(d)).map((event) => [event.step, event.oldDueDate, event.newDueDate]),
        letters: (await h.events(c))
          .concat(await h.events(d))
          .filter((event) => movedLetters([event]).length),
      });
      const once = await recorded();
      expect(once.c).toEqual([
        ['triage', '2026-03-16', '2026-03-17'],
        ['stage1-response', '2026-03-24', '2026-03-25'],
      ]);
      expect(once.d).toEqual([['stage1-response', '2026-03-23', '2026-03-24']]);
      expect(once.letters).toHaveLength(3);
      expect((await h.state(c)).stage1.response?.dueDate).toBe('2026-03-25');
      expect((await h.deps.repository.getAppliedProfile())?.fingerprint).toBe(
        profileFingerprint(withHoliday),
      );

      // Invoked again (Lambda retries an invocation that timed out): nothing more is recorded or sent.
      expect(await check('record', withHoliday)).toMatchObject({ Data: { outcome: 'unchanged' } });
      expect(await check('apply', withHoliday)).toMatchObject({ Data: { outcome: 'unchanged' } });
      expect(await recorded()).toEqual(once);
      expect((await h.deps.repository.getAppliedProfile())?.fingerprint).toBe(
        profileFingerprint(withHoliday),
      );
      // Asked by a rollback for the old profile, served by this (new) code: compared back to the profile the
      // apply pass replaced, which is stored again; the residents were told the later dates, so none moves back
      // and no letter is sent.
      expect(await check('apply', baseline)).toMatchObject({
        Data: { outcome: 'rolled-back', lettersSent: '0' },
      });
      expect((await h.state(c)).stage1.response?.dueDate).toBe('2026-03-25');
      expect((await h.deps.repository.getAppliedProfile())?.fingerprint).toBe(profileFingerprint(baseline));
    } finally {
      await cloudFormation.close();
    }
  }, 180_000);

  it('in AWS a step a new function dates before the apply pass is not recalculated; one an old function dated is, from the date its letter gave', async () => {
    const { olive, nina } = await deployWhileFunctionsDate('profile-change-later-', baseline, withHoliday);
    // Olive's letter (an old function's) gave Tuesday 24 March: it moved later, and she is told.
    expect(olive.recorded).toEqual([
      ['triage', '2026-03-16', '2026-03-17', 'later'],
      ['stage1-response', '2026-03-24', '2026-03-25', 'later'],
    ]);
    expect(olive.dueDate).toBe('2026-03-25');
    expect(olive.letters).toEqual([
      expect.stringContaining(
        'We told you that you would have our acknowledgement of your complaint by Monday 16 March 2026.',
      ),
      expect.stringContaining(
        'We told you that you would have our stage 1 response by Tuesday 24 March 2026. You will now have it by Wednesday 25 March 2026.',
      ),
    ]);
    // Nina's (a new function's) gave Wednesday 25 March: nothing moved for her, and she is not written to again.
    expect(nina.recorded).toEqual([['triage', '2026-03-16', '2026-03-17', 'later']]);
    expect(nina.dueDate).toBe('2026-03-25');
    expect(nina.letters).toEqual([
      expect.stringContaining(
        'We told you that you would have our acknowledgement of your complaint by Monday 16 March 2026.',
      ),
    ]);
  }, 180_000);

  it("in AWS a step a new function dates earlier before the apply pass keeps the date its letter gave, not the old profile's", async () => {
    // The holiday taken out again: the dates come a day earlier, so nothing is written to anyone.
    const { olive, nina } = await deployWhileFunctionsDate('profile-change-kept-', withHoliday, baseline);
    // Olive's letter gave Wednesday 25 March under the old profile: it is kept.
    expect(olive.recorded).toEqual([
      ['triage', '2026-03-17', '2026-03-17', 'kept'],
      ['stage1-response', '2026-03-25', '2026-03-25', 'kept'],
    ]);
    expect(olive.dueDate).toBe('2026-03-25');
    // Nina's gave Tuesday 24 March under the new one: recording "kept 25 March" would have moved her date a day
    // later than she was told, without a letter.
    expect(nina.recorded).toEqual([['triage', '2026-03-17', '2026-03-17', 'kept']]);
    expect(nina.dueDate).toBe('2026-03-24');
    expect(olive.letters).toEqual([]);
    expect(nina.letters).toEqual([]);
  }, 180_000);

  it('in AWS a deploy check that fails is answered FAILED with what to do, and the deploy stops', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'profile-change-failed-'));
    dirs.push(dataDir);
    const cloudFormation = await answersReceiver();
    try {
      await start(dataDir, baseline, '2026-03-09T10:00:00Z');
      await sendDigest(
        {
          ...cloudFormation.request('record', profileFingerprint(baseline)),
          ResourceProperties: { pass: 'undo' },
        },
        lambdaContext('send-digest') as never,
      );
      const [answer] = cloudFormation.answers;
      expect(answer).toMatchObject({ Status: 'FAILED', LogicalResourceId: 'ProfileRecorded' });
      expect(answer?.Reason).toMatch(/^The changed provider profile was not recorded on every open case/);
      expect(answer?.Reason).toContain('deploy again to finish it');
      expect(answer?.Reason).toMatch(/\(the resource's input is invalid: ResourceProperties\.pass: .+\)$/);
    } finally {
      await cloudFormation.close();
    }
  }, 120_000);

  it("in AWS a pass that fails part-way answers FAILED with what to do and where the log is, never the error's words", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'profile-change-failed-run-'));
    dirs.push(dataDir);
    const cases = await twoOpenCases(dataDir);
    await harness?.advanceTo('2026-03-03T08:01:00Z');
    await harness?.stop();
    const cloudFormation = await answersReceiver();
    try {
      const h = await start(dataDir, withHoliday, '2026-03-03T12:00:00Z');
      // The table refuses a read part-way through the pass, with a message as AWS words one: the account, the role,
      // and here a resident's name and address too.
      const loadEvents = h.deps.repository.loadEvents.bind(h.deps.repository);
      let reads = 0;
      h.deps.repository.loadEvents = async (caseId) => {
        if (++reads === 2) {
          throw Object.assign(
            new Error(
              'User: arn:aws:sts::123456789012:assumed-role/complaints-send-digest/x is not authorized to perform: dynamodb:Query (case of Ben Response, ben@resident.example, 07700 900123)',
            ),
            { name: 'AccessDeniedException' },
          );
        }
        return loadEvents(caseId);
      };
      const context = lambdaContext('send-digest');
      await sendDigest(cloudFormation.request('record', profileFingerprint(withHoliday)), context as never);
      const [answer] = cloudFormation.answers;
      expect(answer).toMatchObject({ Status: 'FAILED', LogicalResourceId: 'ProfileRecorded' });
      expect(answer?.Reason).toBe(
        'The changed provider profile was not recorded on every open case, so the deploy stops here (the old' +
          ' functions are kept). What was recorded stays and nothing is recorded twice: deploy again to finish it' +
          ' (docs/operations.md, "Changing the provider profile") (AccessDeniedException in the run; the' +
          ` function's log has the details, request ${context.awsRequestId})`,
      );
      for (const leak of ['arn:', '123456789012', 'Ben', 'ben@', '07700', 'dynamodb']) {
        expect(answer?.Reason).not.toContain(leak);
      }
      // What was recorded before the failure stays: deploying again records the rest, once.
      h.deps.repository.loadEvents = loadEvents;
      await sendDigest(
        cloudFormation.request('record', profileFingerprint(withHoliday)),
        lambdaContext('send-digest') as never,
      );
      expect(cloudFormation.answers.at(-1)).toMatchObject({
        Status: 'SUCCESS',
        Data: { outcome: 'recorded' },
      });
      await expectRecordedOnce(h, cases);
    } finally {
      await cloudFormation.close();
    }
  }, 120_000);
});

/**
 * A deploy from one profile to another while the functions date steps. Olive and Nina complain on Monday 9 March
 * 2026, under the first profile (its first deploy). The deploy's record pass runs on Tuesday 10 March at 08:50
 * while both wait on triage. Then, before the apply pass, the functions already updated and those not yet updated
 * both act (in AWS they are updated side by side):
 * - a new function triages and acknowledges Nina's complaint: the response date its letter gives is the new
 *   profile's, and an old function then writes a note on her case;
 * - an old function triages and acknowledges Olive's: her letter gives the old profile's date, and a new function
 *   then writes a note on her case.
 * Acknowledged on 10 March, the response is due Tuesday 24 March without the 11 March holiday, Wednesday 25 March
 * with it. Returns what was recorded on each case, its response date, and the letters telling of a moved date.
 */
async function deployWhileFunctionsDate(prefix: string, from: ProviderProfile, to: ProviderProfile) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dataDir);
  const cloudFormation = await answersReceiver();
  try {
    const check = async (pass: 'record' | 'apply', profile: ProviderProfile) => {
      await sendDigest(
        cloudFormation.request(pass, profileFingerprint(profile)),
        lambdaContext('send-digest') as never,
      );
      return cloudFormation.answers.at(-1);
    };
    const resident = (name: string) => ({
      ...complaint,
      complainant: {
        name,
        email: `${name.toLowerCase()}@resident.example`,
        preferredContact: 'email' as const,
      },
    });
    const note = (h: Harness, caseId: string) =>
      recordCaseAction(h.deps, caseId, staff.handler, { action: 'note', text: 'Rang the resident' });
    // What each run emailed (the emulator keeps a run's emails).
    const emails = new Map<string, OutboxEmail>();
    const stop = async (h: Harness) => {
      for (const email of await h.outbox()) emails.set(email.messageId, email);
      await h.stop();
    };
    const emailsTo = (address: string) =>
      [...emails.values()].filter((email) => email.destination.to.includes(address));

    let h = await start(dataDir, from, '2026-03-09T10:00:00Z');
    await check('record', from);
    expect(await check('apply', from)).toMatchObject({ Data: { outcome: 'first' } });
    const olive = (await h.submit(resident('Olive'))).caseId;
    const nina = (await h.submit(resident('Nina'))).caseId;
    await stop(h);

    h = await start(dataDir, to, '2026-03-10T08:50:00Z');
    expect(await check('record', to)).toMatchObject({ Data: { outcome: 'recorded', casesRecorded: '2' } });
    await stop(h);

    // A new function acknowledges Nina's complaint. (A local start resumes the executions; its own profile check,
    // as a daily run's between a deploy's passes, records nothing more and leaves the profile to the apply pass.)
    h = await start(dataDir, to, '2026-03-10T09:00:00Z');
    await h.system.resumeOpenCases();
    expect(h.system.profileChange).toMatchObject({ outcome: 'recorded', changes: [] });
    await h.act(nina, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(nina, staff.handler, h.acknowledgement(1));
    const ninaGiven = (await h.state(nina)).stage1.response?.dueDate;
    await stop(h);

    // An old function acknowledges Olive's, and writes on Nina's.
    h = await start(dataDir, from, '2026-03-10T09:10:00Z');
    await h.system.resumeOpenCases();
    expect(h.system.profileChange).toMatchObject({ outcome: 'unchanged' });
    await h.act(olive, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(olive, staff.handler, h.acknowledgement(1));
    const oliveGiven = (await h.state(olive)).stage1.response?.dueDate;
    await note(h, nina);
    await stop(h);

    // Every function updated: a new one writes on Olive's case, then the apply pass.
    h = await start(dataDir, to, '2026-03-10T09:20:00Z');
    await note(h, olive);
    expect(await check('apply', to)).toMatchObject({ Status: 'SUCCESS', Data: { outcome: 'applied' } });
    // Idempotent: nothing more on a retry.
    expect(await check('apply', to)).toMatchObject({ Data: { outcome: 'unchanged' } });

    for (const email of await h.outbox()) emails.set(email.messageId, email);
    const outcome = async (caseId: string, address: string, given: string | undefined) => {
      // Each acknowledgement letter gave the date its function folded the case to.
      const acknowledgement = emailsTo(address).find((email) => /acknowledg/i.test(email.subject));
      expect(acknowledgement?.body.text).toContain(formatCivilDate(given ?? ''));
      return {
        recorded: recalculations(await h.events(caseId)).map((event) => [
          event.step,
          event.oldDueDate,
          event.newDueDate,
          event.direction,
        ]),
        dueDate: (await h.state(caseId)).stage1.response?.dueDate,
        letters: emailsTo(address)
          .filter((email) => email.subject.startsWith('The date you will hear from us has changed'))
          .map((email) => email.body.text),
      };
    };
    const result = {
      olive: await outcome(olive, 'olive@resident.example', oliveGiven),
      nina: await outcome(nina, 'nina@resident.example', ninaGiven),
    };
    await stop(h);
    harness = undefined;
    return result;
  } finally {
    await cloudFormation.close();
  }
}

/**
 * Stands in for CloudFormation: builds the custom resource requests it sends the send-digest function and keeps
 * the answers the function PUTs to the request's presigned URL.
 */
async function answersReceiver() {
  const answers: Array<Record<string, unknown> & { Reason?: string }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'PUT') answers.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let requests = 0;
  return {
    answers,
    request: (pass: 'record' | 'apply', fingerprint: string) => ({
      RequestType: 'Update',
      ResponseURL: `http://127.0.0.1:${port}/answer?signed=1`,
      StackId: 'arn:aws:cloudformation:eu-west-2:123456789012:stack/complaints-code-baseline/1',
      RequestId: `request-${++requests}`,
      ResourceType: 'Custom::ProfileCheck',
      LogicalResourceId: pass === 'record' ? 'ProfileRecorded' : 'ProfileApplied',
      PhysicalResourceId: pass === 'record' ? 'ProfileRecorded' : 'ProfileApplied',
      ResourceProperties: {
        ServiceToken: 'arn:aws:lambda:eu-west-2:123456789012:function:x',
        pass,
        profileFingerprint: fingerprint,
      },
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Dee complains on Monday 9 March 2026 and is acknowledged that day under the first profile: the response is due
 * 10 working days on, Monday 23 March; with 11 and 25 March bank holidays, Tuesday 24 March. The deploy's record
 * pass runs on 10 March at 08:50; then a function not yet updated grants a 5-working-day extension, and its
 * notice gives the date folded under the old profile; then every function is updated and the apply pass runs.
 */
async function extensionBetweenPasses(prefix: string, from: ProviderProfile, to: ProviderProfile) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dataDir);
  const cloudFormation = await answersReceiver();
  const emails = new Map<string, OutboxEmail>();
  const stop = async (h: Harness) => {
    for (const email of await h.outbox()) emails.set(email.messageId, email);
    await h.stop();
  };
  const check = (pass: 'record' | 'apply', profile: ProviderProfile) =>
    sendDigest(
      cloudFormation.request(pass, profileFingerprint(profile)),
      lambdaContext('send-digest') as never,
    );
  try {
    let h = await start(dataDir, from, '2026-03-09T10:00:00Z');
    await check('record', from);
    await check('apply', from);
    const dee = (
      await h.submit({
        ...complaint,
        complainant: { name: 'Dee', email: 'dee@resident.example', preferredContact: 'email' },
      })
    ).caseId;
    await h.act(dee, staff.handler, { action: 'triage', outcome: 'complaint' });
    await h.act(dee, staff.handler, h.acknowledgement(1));
    await stop(h);

    h = await start(dataDir, to, '2026-03-10T08:50:00Z');
    await check('record', to);
    const recordPass = recalculations(await h.events(dee)).map((event) => event.direction);
    await stop(h);

    h = await start(dataDir, from, '2026-03-10T09:10:00Z');
    await h.system.resumeOpenCases();
    await h.act(dee, staff.handler, {
      action: 'extend',
      workingDays: 5,
      reason: from.stages[0]?.extension.allowedReasons[0],
      explanation: 'A surveyor must inspect the flue.',
    });
    const notice = (await h.outbox()).find((email) => email.subject.startsWith('We need more time'));
    await stop(h);

    h = await start(dataDir, to, '2026-03-10T09:20:00Z');
    await check('apply', to);
    const result = {
      recordPass,
      notice: notice?.body.text,
      recorded: recalculations(await h.events(dee)).map((event) =>
        [event.oldDueDate, event.newDueDate, event.direction].join(' '),
      ),
      dueDate: (await h.state(dee)).stage1.response?.dueDate,
      letters: [...emails.values(), ...(await h.outbox())]
        .filter((email) => email.subject.startsWith('The date you will hear from us has changed'))
        .map((email) => email.body.text.match(/We told you .*?\. You will now have it by [^.]*\./)?.[0]),
    };
    await stop(h);
    harness = undefined;
    return result;
  } finally {
    await cloudFormation.close();
  }
}

describe('an extension a function not yet updated grants between the passes, at a step the record pass recorded', () => {
  const holidays: ProviderProfile = {
    ...baseline,
    calendar: {
      ...baseline.calendar,
      extraBankHolidays: [
        { date: '2026-03-11', reason: 'Announced bank holiday' },
        { date: '2026-03-25', reason: 'Announced bank holiday' },
      ],
    },
  };

  it('holidays added: the apply pass moves the extended date to 1 April and tells the resident', async () => {
    const dee = await extensionBetweenPasses('profile-change-extended-later-', baseline, holidays);
    expect(dee.recordPass).toEqual(['later']);
    // The old function extended from the pinned Tuesday 24 March: 5 working days to Tuesday 31 March.
    expect(dee.notice).toContain('Tuesday 31 March 2026');
    expect(dee.recorded).toEqual(['2026-03-23 2026-03-24 later', '2026-03-31 2026-04-01 later']);
    expect(dee.dueDate).toBe('2026-04-01');
    expect(dee.letters).toEqual([
      'We told you that you would have our stage 1 response by Monday 23 March 2026. You will now have it by Tuesday 24 March 2026.',
      'We told you that you would have our stage 1 response by Tuesday 31 March 2026. You will now have it by Wednesday 1 April 2026.',
    ]);
  }, 180_000);

  it('holidays removed: the case keeps 1 April, the date the extension notice gave, not 31 March', async () => {
    const dee = await extensionBetweenPasses('profile-change-extended-kept-', holidays, baseline);
    expect(dee.recordPass).toEqual(['kept']);
    expect(dee.notice).toContain('Wednesday 1 April 2026');
    expect(dee.recorded).toEqual(['2026-03-24 2026-03-24 kept', '2026-04-01 2026-04-01 kept']);
    expect(dee.dueDate).toBe('2026-04-01');
    expect(dee.letters).toEqual([]);
  }, 180_000);
});

describe('a deploy rolled back after its record pass', () => {
  it('in AWS the date a function on the new profile gave is kept when the old profile is back (the record resource rolled back before send-digest)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'profile-change-rollback-'));
    dirs.push(dataDir);
    const cloudFormation = await answersReceiver();
    const check = async (pass: 'record' | 'apply', profile: ProviderProfile) => {
      await sendDigest(
        cloudFormation.request(pass, profileFingerprint(profile)),
        lambdaContext('send-digest') as never,
      );
      return cloudFormation.answers.at(-1);
    };
    try {
      let h = await start(dataDir, baseline, '2026-03-09T10:00:00Z');
      await check('record', baseline);
      await check('apply', baseline);
      const ria = (
        await h.submit({
          ...complaint,
          complainant: { name: 'Ria', email: 'ria@resident.example', preferredContact: 'email' },
        })
      ).caseId;
      await h.stop();
      h = await start(dataDir, withHoliday, '2026-03-10T08:50:00Z');
      expect(await check('record', withHoliday)).toMatchObject({ Data: { outcome: 'recorded' } });
      await h.stop();

      // A function already updated acknowledges Ria's complaint: 10 working days from Tuesday 10 March with 11
      // March a holiday end on Wednesday 25 March, and her letter says so (Tuesday 24 March without it).
      h = await start(dataDir, withHoliday, '2026-03-10T09:00:00Z');
      await h.system.resumeOpenCases();
      await h.act(ria, staff.handler, { action: 'triage', outcome: 'complaint' });
      await h.act(ria, staff.handler, h.acknowledgement(1));
      const letter = (await h.outbox()).find((email) => /acknowledg/i.test(email.subject));
      expect(letter?.body.text).toContain('Wednesday 25 March 2026');
      // Another resource fails; CloudFormation asks the record resource for the old profile while send-digest
      // still runs the new one.
      expect(await check('record', baseline)).toMatchObject({
        Status: 'SUCCESS',
        Data: { outcome: 'rolled-back', casesRecorded: '1', lettersSent: '0' },
      });
      await h.stop();

      // Every function runs the old profile again; the next daily run finds nothing more and clears the mark.
      h = await start(dataDir, baseline, '2026-03-11T07:55:00Z');
      await h.advanceTo('2026-03-11T08:01:00Z');
      expect((await h.state(ria)).stage1.response?.dueDate).toBe('2026-03-25');
      expect(
        recalculations(await h.events(ria)).map((event) => [
          event.step,
          event.oldDueDate,
          event.newDueDate,
          event.direction,
        ]),
      ).toEqual([
        ['triage', '2026-03-16', '2026-03-17', 'later'],
        ['stage1-response', '2026-03-25', '2026-03-25', 'kept'],
      ]);
      expect(await h.deps.repository.getAppliedProfile()).toMatchObject({
        fingerprint: profileFingerprint(baseline),
      });
      expect((await h.deps.repository.getAppliedProfile())?.deployPending).toBeUndefined();
    } finally {
      await cloudFormation.close();
    }
  }, 180_000);
});

/**
 * Eight residents complain on Monday 2 March 2026 at 10:00 under the baseline profile; all but two (Ann, Eve:
 * waiting on triage, due 9 March, before the holiday) are acknowledged that day: response due Monday 16 March,
 * Tuesday 17 March with 11 March a holiday. The deploy's passes work on several cases at once.
 */
async function eightOpenCases(dataDir: string) {
  const h = await start(dataDir, baseline, '2026-03-02T10:00:00Z');
  const cases = new Map<string, string>();
  for (const name of ['Ann', 'Ben', 'Cal', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal']) {
    const { caseId } = await h.submit({
      ...complaint,
      complainant: { name, email: `${name.toLowerCase()}@resident.example`, preferredContact: 'email' },
    });
    if (name !== 'Ann' && name !== 'Eve') {
      await h.act(caseId, staff.handler, { action: 'triage', outcome: 'complaint' });
      await h.act(caseId, staff.handler, h.acknowledgement(1));
    }
    cases.set(name, caseId);
  }
  // The next morning's daily run stores the baseline profile as applied.
  await h.advanceTo('2026-03-03T08:01:00Z');
  await h.stop();
  return cases;
}

/**
 * Each case whose date moved is recorded once, and its letter sent once: two runs of one request at once each
 * claim a letter before sending it, and the one that finds it claimed leaves it.
 */
async function expectEachRecordedOnce(h: Harness, cases: Map<string, string>, emailsBefore: number) {
  const moved = ['Ben', 'Cal', 'Dee', 'Fay', 'Gus', 'Hal'];
  const sent = (await h.outbox()).slice(emailsBefore);
  for (const [name, caseId] of cases) {
    const moves = moved.includes(name);
    const events = await h.events(caseId);
    expect(
      recalculations(events).map((event) => [event.step, event.oldDueDate, event.newDueDate]),
      name,
    ).toEqual(moves ? [['stage1-response', '2026-03-16', '2026-03-17']] : []);
    const address = `${name.toLowerCase()}@resident.example`;
    const emails = sent.filter((email) => email.destination.to.includes(address)).length;
    expect([movedLetters(events).length, emails], name).toEqual(moves ? [1, 1] : [0, 0]);
  }
  expect(
    sent.every((email) =>
      moved.some((name) => email.destination.to.includes(`${name.toLowerCase()}@resident.example`)),
    ),
  ).toBe(true);
}

describe('a deploy pass over many open cases', () => {
  it('two record passes at once (the request delivered twice) record each case once, and tell each resident once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'profile-change-twice-'));
    dirs.push(dataDir);
    const cases = await eightOpenCases(dataDir);
    const cloudFormation = await answersReceiver();
    try {
      const h = await start(dataDir, withHoliday, '2026-03-03T12:00:00Z');
      const emailsBefore = (await h.outbox()).length;
      const request = cloudFormation.request('record', profileFingerprint(withHoliday));
      await Promise.all([
        sendDigest(request, lambdaContext('send-digest') as never),
        sendDigest(request, lambdaContext('send-digest') as never),
      ]);
      expect(cloudFormation.answers).toEqual([
        expect.objectContaining({ Status: 'SUCCESS' }),
        expect.objectContaining({ Status: 'SUCCESS' }),
      ]);
      // Between them the two passes recorded six cases, each once.
      const counts = cloudFormation.answers.map((answer) => answer.Data as Record<string, string>);
      expect(counts.reduce((sum, data) => sum + Number(data.casesRecorded), 0)).toBe(6);
      expect(counts.reduce((sum, data) => sum + Number(data.lettersSent), 0)).toBe(6);
      await expectEachRecordedOnce(h, cases, emailsBefore);
    } finally {
      await cloudFormation.close();
    }
  }, 180_000);

  it("a pass that runs short of the invocation's time stops without answering, and its retry finishes it, each case once", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'profile-change-continued-'));
    dirs.push(dataDir);
    const cases = await eightOpenCases(dataDir);
    const cloudFormation = await answersReceiver();
    try {
      const h = await start(dataDir, withHoliday, '2026-03-03T12:00:00Z');
      const emailsBefore = (await h.outbox()).length;
      const request = cloudFormation.request('record', profileFingerprint(withHoliday));
      // The first invocation runs short of time after a few cases: less than send-digest's margin is left.
      let asked = 0;
      const shortOfTime = {
        ...lambdaContext('send-digest'),
        getRemainingTimeInMillis: () => (++asked <= 5 ? 600_000 : 60_000),
      };
      await expect(sendDigest(request, shortOfTime as never)).rejects.toMatchObject({
        name: 'RunAgainLater',
        message: expect.stringContaining('it continues when Lambda runs it again'),
      });
      // No answer yet: CloudFormation still waits.
      expect(cloudFormation.answers).toEqual([]);
      const partly = await Promise.all(
        [...cases.values()].map(async (caseId) => recalculations(await h.events(caseId)).length),
      );
      expect(partly.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
      expect(partly.reduce((sum, n) => sum + n, 0)).toBeLessThan(6);
      // Lambda runs the same request again: it finishes and answers.
      await sendDigest(request, lambdaContext('send-digest') as never);
      expect(cloudFormation.answers).toEqual([
        expect.objectContaining({
          Status: 'SUCCESS',
          Data: expect.objectContaining({ outcome: 'recorded' }),
        }),
      ]);
      await expectEachRecordedOnce(h, cases, emailsBefore);
    } finally {
      await cloudFormation.close();
    }
  }, 180_000);

  it("a daily run overlapping a deploy's record pass: each case recorded once and told once; the apply pass stores the profile", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'profile-change-overlap-'));
    dirs.push(dataDir);
    const cases = await eightOpenCases(dataDir);
    const cloudFormation = await answersReceiver();
    try {
      const h = await start(dataDir, withHoliday, '2026-03-03T12:00:00Z');
      const emailsBefore = (await h.outbox()).length;
      // The schedule fires while the deploy's record pass runs (a deploy spanning 08:00), both on the new code.
      const [recordPass, dailyRun] = await Promise.allSettled([
        sendDigest(
          cloudFormation.request('record', profileFingerprint(withHoliday)),
          lambdaContext('send-digest') as never,
        ),
        sendDigest({}, lambdaContext('send-digest') as never),
      ]);
      expect(recordPass?.status).toBe('fulfilled');
      expect(cloudFormation.answers).toEqual([
        expect.objectContaining({
          Status: 'SUCCESS',
          Data: expect.objectContaining({ outcome: 'recorded' }),
        }),
      ]);
      // A daily run that read the profile before the mark may not store it (it fails, for the next run); one that
      // read the mark records and leaves it to the apply pass. Neither stores it.
      if (dailyRun?.status === 'rejected') expect(dailyRun.reason).toMatchObject({ name: 'ConflictError' });
      else expect(dailyRun?.value).toMatchObject({ profile: { outcome: 'recorded' } });
      expect((await h.deps.repository.getAppliedProfile())?.fingerprint).toBe(profileFingerprint(baseline));
      await expectEachRecordedOnce(h, cases, emailsBefore);
      await sendDigest(
        cloudFormation.request('apply', profileFingerprint(withHoliday)),
        lambdaContext('send-digest') as never,
      );
      expect(cloudFormation.answers[1]).toMatchObject({
        Status: 'SUCCESS',
        Data: { outcome: 'applied', casesRecorded: '0', lettersSent: '0' },
      });
      expect((await h.deps.repository.getAppliedProfile())?.fingerprint).toBe(
        profileFingerprint(withHoliday),
      );
      await expectEachRecordedOnce(h, cases, emailsBefore);
    } finally {
      await cloudFormation.close();
    }
  }, 180_000);
});
