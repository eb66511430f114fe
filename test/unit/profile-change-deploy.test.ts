// A deploy's two profile passes (record, then apply) while functions still running the old profile and functions
// already running the new one write to the same cases (ADR 0016), on fakes. Each test checks the rule the issue
// sets: a due date given to the resident never moves earlier, and if it moves later the resident is told.
import { describe, expect, it } from 'vitest';
import { type CaseEvent, caseContext, foldCase, pendingStep } from '#shared/domain/case.ts';
import { lettersOwed } from '#shared/domain/correspondence.ts';
import { deadlineChange } from '#shared/domain/deadline-changes.ts';
import { type ProviderProfile, profileFingerprint } from '#shared/policy/profile.ts';
import { caseLookups, recordEvent } from '#shared/usecases/case-log.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { LETTER_CLAIM_MS, sendOwedLetters } from '#shared/usecases/notify.ts';
import { applyProfileChange, checkProfileAtDeploy } from '#shared/usecases/profile-change.ts';
import { sendLettersAndLocate } from '#shared/usecases/workflow.ts';
import { fakeDependencies } from '../support/fakes/dependencies.ts';
import { baselineProfile, handler, received, stageResponse } from '../support/fixtures.ts';
import { interleave, outcome } from '../support/races.ts';

const baseline = baselineProfile();
const withHolidays = (...dates: string[]) =>
  baselineProfile({
    calendar: {
      ...baseline.calendar,
      extraBankHolidays: dates.map((date) => ({ date, reason: 'Announced bank holiday' })),
    },
  });

/** One table, and the functions of each profile writing to it (an old one and a new one during a deploy). */
function deployOf(from: ProviderProfile, to: ProviderProfile) {
  const fakes = fakeDependencies();
  const running = (profile: ProviderProfile): AppDependencies => ({
    ...fakes.deps,
    context: caseContext(profile),
  });
  const pass = (which: 'record' | 'apply') =>
    checkProfileAtDeploy(running(to), { pass: which, profileFingerprint: profileFingerprint(to) });
  return { ...fakes, old: running(from), updated: running(to), pass };
}
type Deploy = ReturnType<typeof deployOf>;

const at = (deploy: Deploy, instant: string) => deploy.clock.set(instant);

async function open(deploy: Deploy, instant: string): Promise<void> {
  at(deploy, instant);
  const event = received(instant);
  await deploy.repository.appendEvent('case-1', 1, event);
  const state = foldCase('case-1', [event], deploy.old.context);
  await deploy.repository.saveProjection(state, caseLookups(deploy.old, state));
  await sendOwedLetters(deploy.old, 'case-1');
}

/** A member of staff's action through the functions given, and the letters it calls for sent by them. */
async function act(
  deploy: Deploy,
  functions: AppDependencies,
  instant: string,
  event: Record<string, unknown>,
): Promise<void> {
  at(deploy, instant);
  await recordEvent(
    functions,
    'case-1',
    (_state, time) => ({ at: time, by: handler, ...event }) as CaseEvent,
  );
  await sendOwedLetters(functions, 'case-1');
}
const triage = { type: 'triaged', outcome: 'complaint' };
const acknowledge = { type: 'acknowledged', stage: 1, definition: 'Boiler', outcomesSought: ['Repair'] };
const extendFiveDays = {
  type: 'extension-granted',
  stage: 1,
  workingDays: 5,
  reason: 'Complex complaint needing specialist input',
  explanation: 'A surveyor must inspect the flue.',
};

/** The step the case waits on and its due date, folded under the profile. */
async function reads(deploy: Deploy, profile: ProviderProfile): Promise<string> {
  const ctx = caseContext(profile);
  const pending = pendingStep(foldCase('case-1', await deploy.repository.loadEvents('case-1'), ctx), ctx);
  return `${pending?.step} ${pending?.deadline?.dueDate}`;
}

async function recalculations(deploy: Deploy): Promise<string[]> {
  return (await deploy.repository.loadEvents('case-1')).flatMap((event) =>
    event.type === 'deadlines-recalculated'
      ? [`${event.step} ${event.oldDueDate} -> ${event.newDueDate} ${event.direction}`]
      : [],
  );
}

/** What the "date has changed" letters told the resident, in order: the date they had, and the new one. */
const movedLetters = (deploy: Deploy) =>
  deploy.mailer.sent
    .filter((email) => email.subject.startsWith('The date you will hear from us has changed'))
    .map((email) =>
      email.text.match(/We told you .*? by (\w+ \d+ \w+ \d+)\. .*? by (\w+ \d+ \w+ \d+)\./)?.slice(1),
    );

/**
 * Complained on Monday 2 March 2026, triaged and acknowledged on Wednesday 4 March by the functions of `from`,
 * every profile stored first. With 11 and 20 March working days the response is due on Wednesday 18 March.
 */
async function acknowledgedCase(from: ProviderProfile, to: ProviderProfile): Promise<Deploy> {
  const deploy = deployOf(from, to);
  at(deploy, '2026-03-02T09:00:00Z');
  await applyProfileChange(deploy.old);
  await open(deploy, '2026-03-02T10:00:00Z');
  await act(deploy, deploy.old, '2026-03-02T11:00:00Z', triage);
  await act(deploy, deploy.old, '2026-03-04T09:00:00Z', acknowledge);
  return deploy;
}

describe('an extension an old function grants between the passes, at a step the record pass recorded', () => {
  const holidays = withHolidays('2026-03-11', '2026-03-20');

  it('holidays added: the apply pass moves the extended date later too and writes to the resident', async () => {
    const deploy = await acknowledgedCase(baseline, holidays);
    at(deploy, '2026-03-05T08:00:00Z');
    await deploy.pass('record');
    expect(await recalculations(deploy)).toEqual(['stage1-response 2026-03-18 -> 2026-03-19 later']);
    // Not yet updated, a function grants 5 working days from 19 March: its notice says Thursday 26 March.
    await act(deploy, deploy.old, '2026-03-05T09:00:00Z', extendFiveDays);
    expect(await reads(deploy, baseline)).toBe('stage1-response 2026-03-26');

    at(deploy, '2026-03-05T09:30:00Z');
    expect((await deploy.pass('apply')).changes).toMatchObject([
      { step: 'stage1-response', oldDueDate: '2026-03-26', newDueDate: '2026-03-27', direction: 'later' },
    ]);
    // With 20 March a holiday the extension ends on Friday 27 March: the case reads it and the resident is told.
    expect(await reads(deploy, holidays)).toBe('stage1-response 2026-03-27');
    expect(await recalculations(deploy)).toEqual([
      'stage1-response 2026-03-18 -> 2026-03-19 later',
      'stage1-response 2026-03-26 -> 2026-03-27 later',
    ]);
    expect(movedLetters(deploy)).toEqual([
      ['Wednesday 18 March 2026', 'Thursday 19 March 2026'],
      ['Thursday 26 March 2026', 'Friday 27 March 2026'],
    ]);
  });

  it('holidays removed: the apply pass keeps the date the extension notice gave, never the earlier one', async () => {
    const deploy = await acknowledgedCase(holidays, baseline);
    at(deploy, '2026-03-05T08:00:00Z');
    await deploy.pass('record');
    expect(await recalculations(deploy)).toEqual(['stage1-response 2026-03-19 -> 2026-03-19 kept']);
    // Still running the old calendar, a function's extension notice says Friday 27 March.
    await act(deploy, deploy.old, '2026-03-05T09:00:00Z', extendFiveDays);
    expect(await reads(deploy, holidays)).toBe('stage1-response 2026-03-27');

    at(deploy, '2026-03-05T09:30:00Z');
    await deploy.pass('apply');
    // Without the holidays it would read Thursday 26 March, a day earlier than the resident was told.
    expect(await reads(deploy, baseline)).toBe('stage1-response 2026-03-27');
    expect(await recalculations(deploy)).toEqual([
      'stage1-response 2026-03-19 -> 2026-03-19 kept',
      'stage1-response 2026-03-27 -> 2026-03-27 kept',
    ]);
    expect(movedLetters(deploy)).toEqual([]);
  });
});

describe('a daily run during a long deploy (the schedule fires between the passes)', () => {
  const holidays = withHolidays('2026-03-11', '2026-03-20');

  it('two hours after the record pass it still leaves the profile to the apply pass', async () => {
    // A pass may take up to an hour (three invocations), so the apply pass can come hours after the mark.
    const deploy = await acknowledgedCase(holidays, baseline);
    at(deploy, '2026-03-05T07:30:00Z');
    await deploy.pass('record');
    at(deploy, '2026-03-05T09:30:00Z');
    expect((await applyProfileChange(deploy.updated)).outcome).toBe('recorded');
    expect((await deploy.repository.getAppliedProfile())?.fingerprint).toBe(profileFingerprint(holidays));
    // Still running the old calendar, a function's extension notice says Friday 27 March.
    await act(deploy, deploy.old, '2026-03-05T09:45:00Z', extendFiveDays);
    at(deploy, '2026-03-05T10:15:00Z');
    expect((await deploy.pass('apply')).outcome).toBe('applied');
    // Had the daily run stored the profile, the apply pass would have found it unchanged and the case would read
    // Thursday 26 March, a day earlier than the resident was told, for good.
    expect(await reads(deploy, baseline)).toBe('stage1-response 2026-03-27');
    expect(await recalculations(deploy)).toEqual([
      'stage1-response 2026-03-19 -> 2026-03-19 kept',
      'stage1-response 2026-03-27 -> 2026-03-27 kept',
    ]);
  });
});

describe('profile diff, the daily run and both passes share one answer', () => {
  it('after the record pass kept a date, profile diff lists nothing and the apply pass records nothing', async () => {
    const holiday = withHolidays('2026-03-11');
    const deploy = await acknowledgedCase(holiday, baseline);
    at(deploy, '2026-03-05T08:00:00Z');
    expect((await deploy.pass('record')).changes).toHaveLength(1);
    const events = await deploy.repository.loadEvents('case-1');
    // What `profile diff` asks (infra/local/profile-diff.ts).
    expect(deadlineChange('case-1', events, holiday, baseline, '2026-03-05T08:30:00.000Z')).toBeUndefined();
    at(deploy, '2026-03-05T08:30:00Z');
    expect((await deploy.pass('apply')).changes).toEqual([]);
    expect(await recalculations(deploy)).toEqual(['stage1-response 2026-03-19 -> 2026-03-19 kept']);
  });

  it('a date kept before triage is not kept a second time once the case is triaged', async () => {
    // With Wednesday 4 March a holiday, the acknowledgement is due on Tuesday 10 March either way.
    const holiday = withHolidays('2026-03-04');
    const deploy = deployOf(holiday, baseline);
    at(deploy, '2026-03-02T09:00:00Z');
    await applyProfileChange(deploy.old);
    await open(deploy, '2026-03-02T10:00:00Z');
    at(deploy, '2026-03-03T08:00:00Z');
    await deploy.pass('record');
    await act(deploy, deploy.old, '2026-03-03T09:00:00Z', triage);
    at(deploy, '2026-03-03T09:30:00Z');
    await deploy.pass('apply');
    expect(await recalculations(deploy)).toEqual(['triage 2026-03-10 -> 2026-03-10 kept']);
    expect(await reads(deploy, baseline)).toBe('stage1-acknowledgement 2026-03-10');
  });
});

describe('a stage 2 request recorded between the passes (no letter gives its date)', () => {
  // Wednesday 8 April 2026 a bank holiday or not: a stage 2 request on Thursday 2 April is acknowledged by Monday
  // 13 April (5 working days after Good Friday and Easter Monday), or Tuesday 14 April with the holiday.
  const holiday = withHolidays('2026-04-08');

  async function escalatedBetweenPasses(from: ProviderProfile, to: ProviderProfile, by: 'old' | 'updated') {
    const deploy = await acknowledgedCase(from, to);
    await act(deploy, deploy.old, '2026-03-10T09:00:00Z', {
      type: 'response-issued',
      stage: 1,
      letter: stageResponse(from, 1),
    });
    at(deploy, '2026-04-02T08:00:00Z');
    await deploy.pass('record');
    await act(deploy, deploy[by], '2026-04-02T09:00:00Z', {
      type: 'escalation-requested',
      reason: 'Unhappy',
    });
    // What the resident's page showed, folded by the function that recorded the request.
    const shown = await reads(deploy, by === 'old' ? from : to);
    at(deploy, '2026-04-02T09:30:00Z');
    await deploy.pass('apply');
    return { deploy, shown };
  }

  it('by an updated function: nothing moved for the resident, so nothing is recorded or sent (both ways)', async () => {
    for (const [from, to, date] of [
      [baseline, holiday, '2026-04-14'],
      [holiday, baseline, '2026-04-13'],
    ] as const) {
      const { deploy, shown } = await escalatedBetweenPasses(from, to, 'updated');
      expect(shown).toBe(`stage2-acknowledgement ${date}`);
      expect(await reads(deploy, to)).toBe(`stage2-acknowledgement ${date}`);
      expect(await recalculations(deploy)).toEqual([]);
      expect(movedLetters(deploy)).toEqual([]);
    }
  });

  it('by a function not yet updated: compared from the date it showed, as before', async () => {
    const { deploy, shown } = await escalatedBetweenPasses(baseline, holiday, 'old');
    expect(shown).toBe('stage2-acknowledgement 2026-04-13');
    expect(await reads(deploy, holiday)).toBe('stage2-acknowledgement 2026-04-14');
    expect(await recalculations(deploy)).toEqual(['stage2-acknowledgement 2026-04-13 -> 2026-04-14 later']);
    expect(movedLetters(deploy)).toEqual([['Monday 13 April 2026', 'Tuesday 14 April 2026']]);
  });
});

describe('a deploy rolled back after its record pass', () => {
  // 11 and 20 March holidays in the deploy's profile. Received on Monday 2 March and acknowledged on Tuesday 3
  // March by a function already updated: 10 working days end on Wednesday 18 March with them, 17 March without.
  const holidays = withHolidays('2026-03-11', '2026-03-20');

  async function acknowledgedByAnUpdatedFunction() {
    const deploy = deployOf(baseline, holidays);
    at(deploy, '2026-03-02T09:00:00Z');
    await applyProfileChange(deploy.old);
    await open(deploy, '2026-03-02T10:00:00Z');
    at(deploy, '2026-03-03T08:50:00Z');
    expect((await deploy.pass('record')).outcome).toBe('recorded');
    await act(deploy, deploy.updated, '2026-03-03T09:00:00Z', triage);
    await act(deploy, deploy.updated, '2026-03-03T09:05:00Z', acknowledge);
    expect(await reads(deploy, holidays)).toBe('stage1-response 2026-03-18');
    return deploy;
  }
  /** CloudFormation's rollback request for the record resource: the old profile's fingerprint. */
  const rollbackRequest = (functions: AppDependencies) =>
    checkProfileAtDeploy(functions, { pass: 'record', profileFingerprint: profileFingerprint(baseline) });

  it('asked while send-digest still runs the new profile: the date the letter gave is kept under the old one', async () => {
    const deploy = await acknowledgedByAnUpdatedFunction();
    at(deploy, '2026-03-03T09:10:00Z');
    expect(await rollbackRequest(deploy.updated)).toMatchObject({
      outcome: 'rolled-back',
      changes: [
        { step: 'stage1-response', oldDueDate: '2026-03-18', newDueDate: '2026-03-18', direction: 'kept' },
      ],
    });
    // Every function runs the old profile again: without the record it would read Tuesday 17 March.
    expect(await reads(deploy, baseline)).toBe('stage1-response 2026-03-18');
    expect(await recalculations(deploy)).toEqual(['stage1-response 2026-03-18 -> 2026-03-18 kept']);
    expect(movedLetters(deploy)).toEqual([]);
    // The next daily run finds nothing more and, the deploy long over, clears the mark.
    at(deploy, '2026-03-04T08:00:00Z');
    expect(await applyProfileChange(deploy.old)).toMatchObject({ outcome: 'rolled-back', changes: [] });
    expect((await deploy.repository.getAppliedProfile())?.deployPending).toBeUndefined();
    expect((await applyProfileChange(deploy.old)).outcome).toBe('unchanged');
  });

  it('asked once send-digest runs the old profile again, with another function still on the new one', async () => {
    const deploy = await acknowledgedByAnUpdatedFunction();
    at(deploy, '2026-03-03T09:10:00Z');
    expect(await rollbackRequest(deploy.old)).toMatchObject({
      outcome: 'rolled-back',
      changes: [{ oldDueDate: '2026-03-18', newDueDate: '2026-03-18', direction: 'kept' }],
    });
    // A function not yet rolled back grants 5 working days: its notice says Thursday 26 March (20 March a holiday).
    await act(deploy, deploy.updated, '2026-03-03T09:20:00Z', extendFiveDays);
    expect(await reads(deploy, holidays)).toBe('stage1-response 2026-03-26');
    // The mark stayed: the next daily run compares that step too, then clears it.
    at(deploy, '2026-03-04T08:00:00Z');
    expect((await applyProfileChange(deploy.old)).changes).toMatchObject([
      { oldDueDate: '2026-03-26', newDueDate: '2026-03-26', direction: 'kept' },
    ]);
    expect(await reads(deploy, baseline)).toBe('stage1-response 2026-03-26');
    expect(movedLetters(deploy)).toEqual([]);
    expect((await deploy.repository.getAppliedProfile())?.deployPending).toBeUndefined();
  });
});

describe('a deploy rolled back after its apply pass (a resource after it failed)', () => {
  // As above: the deploy adds 11 and 20 March; acknowledged by an updated function, due Wednesday 18 March with
  // them, Tuesday 17 March without.
  const holidays = withHolidays('2026-03-11', '2026-03-20');

  async function appliedThenAcknowledged() {
    const deploy = deployOf(baseline, holidays);
    at(deploy, '2026-03-02T09:00:00Z');
    await applyProfileChange(deploy.old);
    await open(deploy, '2026-03-02T10:00:00Z');
    at(deploy, '2026-03-03T08:50:00Z');
    await deploy.pass('record');
    at(deploy, '2026-03-03T09:00:00Z');
    expect((await deploy.pass('apply')).outcome).toBe('applied');
    await act(deploy, deploy.updated, '2026-03-03T09:05:00Z', triage);
    await act(deploy, deploy.updated, '2026-03-03T09:10:00Z', acknowledge);
    expect(await reads(deploy, holidays)).toBe('stage1-response 2026-03-18');
    return deploy;
  }
  /** CloudFormation's rollback requests: the old profile's fingerprint, the apply resource's first. */
  const rollbackRequest = (functions: AppDependencies, pass: 'record' | 'apply') =>
    checkProfileAtDeploy(functions, { pass, profileFingerprint: profileFingerprint(baseline) });
  const keptAt18 = [
    { step: 'stage1-response', oldDueDate: '2026-03-18', newDueDate: '2026-03-18', direction: 'kept' },
  ];

  it('served by the new code: compared back to the profile the apply pass replaced, which is stored again', async () => {
    const deploy = await appliedThenAcknowledged();
    at(deploy, '2026-03-03T09:20:00Z');
    expect(await rollbackRequest(deploy.updated, 'apply')).toMatchObject({
      outcome: 'rolled-back',
      changes: keptAt18,
    });
    expect((await deploy.repository.getAppliedProfile())?.fingerprint).toBe(profileFingerprint(baseline));
    expect(await rollbackRequest(deploy.updated, 'record')).toMatchObject({
      outcome: 'rolled-back',
      changes: [],
    });
    // Every function runs the old profile again: without the record it would read Tuesday 17 March, a day
    // earlier than the letter said, until the next daily run.
    expect(await reads(deploy, baseline)).toBe('stage1-response 2026-03-18');
    // A function still on the new profile during the rollback: the next daily run compares it too, then clears
    // the mark.
    await act(deploy, deploy.updated, '2026-03-03T09:25:00Z', extendFiveDays);
    at(deploy, '2026-03-04T08:00:00Z');
    expect((await applyProfileChange(deploy.old)).changes).toMatchObject([
      { oldDueDate: '2026-03-26', newDueDate: '2026-03-26', direction: 'kept' },
    ]);
    expect((await deploy.repository.getAppliedProfile())?.deployPending).toBeUndefined();
    expect((await applyProfileChange(deploy.old)).outcome).toBe('unchanged');
    expect(await recalculations(deploy)).toEqual([
      'stage1-response 2026-03-18 -> 2026-03-18 kept',
      'stage1-response 2026-03-26 -> 2026-03-26 kept',
    ]);
    expect(movedLetters(deploy)).toEqual([]);
  });

  it('the same request delivered twice at once (Lambda delivers at least once): both answer, nothing twice', async () => {
    const deploy = await appliedThenAcknowledged();
    at(deploy, '2026-03-03T09:20:00Z');
    const answers = await Promise.all([
      outcome(rollbackRequest(deploy.updated, 'apply')),
      outcome(rollbackRequest(deploy.updated, 'apply')),
    ]);
    // Neither may answer FAILED: during a rollback that leaves the stack UPDATE_ROLLBACK_FAILED.
    expect(
      answers.map((answer) => (answer.status === 'rejected' ? String(answer.reason) : 'answered')),
    ).toEqual(['answered', 'answered']);
    expect((await deploy.repository.getAppliedProfile())?.fingerprint).toBe(profileFingerprint(baseline));
    expect(await reads(deploy, baseline)).toBe('stage1-response 2026-03-18');
    expect(await recalculations(deploy)).toEqual(['stage1-response 2026-03-18 -> 2026-03-18 kept']);
    expect(movedLetters(deploy)).toEqual([]);
  });

  it('served by the old code (send-digest rolled back first): compared back and the old profile stored', async () => {
    const deploy = await appliedThenAcknowledged();
    at(deploy, '2026-03-03T09:20:00Z');
    expect(await rollbackRequest(deploy.old, 'apply')).toMatchObject({
      outcome: 'applied',
      changes: keptAt18,
    });
    expect(await rollbackRequest(deploy.old, 'record')).toMatchObject({ outcome: 'unchanged' });
    expect((await deploy.repository.getAppliedProfile())?.fingerprint).toBe(profileFingerprint(baseline));
    expect(await reads(deploy, baseline)).toBe('stage1-response 2026-03-18');
    expect(await recalculations(deploy)).toEqual(['stage1-response 2026-03-18 -> 2026-03-18 kept']);
    expect(movedLetters(deploy)).toEqual([]);
  });
});

describe('a second deploy, of another profile, after a deploy rolled back after its record pass', () => {
  // The rolled-back deploy added 11 and 20 March; the next one adds 29 December, which moves no case here.
  const rolledBack = withHolidays('2026-03-11', '2026-03-20');
  const next = withHolidays('2026-12-29');

  it('compares back what a function still on the rolled-back profile dated before recording its own change', async () => {
    const deploy = deployOf(baseline, rolledBack);
    at(deploy, '2026-03-02T09:00:00Z');
    await applyProfileChange(deploy.old);
    await open(deploy, '2026-03-02T10:00:00Z');
    at(deploy, '2026-03-03T07:00:00Z');
    await deploy.pass('record');
    at(deploy, '2026-03-03T07:10:00Z');
    const rollback = { pass: 'record', profileFingerprint: profileFingerprint(baseline) } as const;
    expect((await checkProfileAtDeploy(deploy.updated, rollback)).outcome).toBe('rolled-back');
    // A function not yet rolled back acknowledges the case: its letter says Wednesday 18 March (17 without).
    await act(deploy, deploy.updated, '2026-03-03T07:12:00Z', triage);
    await act(deploy, deploy.updated, '2026-03-03T07:15:00Z', acknowledge);
    expect(await reads(deploy, rolledBack)).toBe('stage1-response 2026-03-18');

    // Before the next daily run the mark still names the rolled-back profile when the next deploy's record pass comes.
    const nextFunctions: AppDependencies = { ...deploy.old, context: caseContext(next) };
    const nextPass = (pass: 'record' | 'apply') =>
      checkProfileAtDeploy(nextFunctions, { pass, profileFingerprint: profileFingerprint(next) });
    at(deploy, '2026-03-03T07:30:00Z');
    expect(await nextPass('record')).toMatchObject({
      outcome: 'recorded',
      changes: [{ oldDueDate: '2026-03-18', newDueDate: '2026-03-18', direction: 'kept' }],
    });
    expect((await deploy.repository.getAppliedProfile())?.deployPending?.fingerprint).toBe(
      profileFingerprint(next),
    );
    at(deploy, '2026-03-03T07:40:00Z');
    expect((await nextPass('apply')).outcome).toBe('applied');
    // Without the record it would read Tuesday 17 March, a day earlier than the letter said, for good.
    expect(await reads(deploy, next)).toBe('stage1-response 2026-03-18');
    at(deploy, '2026-03-04T08:00:00Z');
    expect(await applyProfileChange(nextFunctions)).toMatchObject({ outcome: 'unchanged' });
    expect(await reads(deploy, next)).toBe('stage1-response 2026-03-18');
    expect(await recalculations(deploy)).toEqual(['stage1-response 2026-03-18 -> 2026-03-18 kept']);
    expect(movedLetters(deploy)).toEqual([]);
  });
});

describe('a daily run and a deploy pass on the same case at once (the later writer computes again)', () => {
  // With Wednesday 11 March a holiday the response is due on Thursday 19 March instead of Wednesday 18 March.
  const holiday = withHolidays('2026-03-11');
  const daily = (functions: AppDependencies) => applyProfileChange(functions);
  const oneRecordOneLetter = async (deploy: Deploy) => {
    expect(await recalculations(deploy)).toEqual(['stage1-response 2026-03-18 -> 2026-03-19 later']);
    expect(movedLetters(deploy)).toEqual([['Wednesday 18 March 2026', 'Thursday 19 March 2026']]);
  };

  it('a daily run on the new code, started before the record pass, appends after it: nothing twice', async () => {
    const deploy = await acknowledgedCase(baseline, holiday);
    at(deploy, '2026-03-05T08:00:00Z');
    // The daily run has read the log and computed the change; the record pass runs in full before its append.
    const race = interleave(deploy.repository, 'appendEvent', () => deploy.pass('record'));
    const dailyRun = await outcome(daily({ ...deploy.updated, repository: race.wrapped }));
    expect(race.settled()).toMatchObject({ status: 'fulfilled', value: { outcome: 'recorded' } });
    await oneRecordOneLetter(deploy);
    // It read the profile before the record pass marked it, so it may not store it: it fails, for the next run.
    expect(dailyRun).toMatchObject({ status: 'rejected', reason: { name: 'ConflictError' } });
    expect((await deploy.repository.getAppliedProfile())?.deployPending?.fingerprint).toBe(
      profileFingerprint(holiday),
    );
    at(deploy, '2026-03-05T08:10:00Z');
    expect(await deploy.pass('apply')).toMatchObject({ outcome: 'applied', changes: [], lettersSent: 0 });
    await oneRecordOneLetter(deploy);
  });

  it('the record pass paused at its append while a daily run on the new code runs in full: nothing twice', async () => {
    const deploy = await acknowledgedCase(baseline, holiday);
    at(deploy, '2026-03-05T08:00:00Z');
    const race = interleave(deploy.repository, 'appendEvent', () => daily(deploy.updated));
    const record = await checkProfileAtDeploy(
      { ...deploy.updated, repository: race.wrapped },
      { pass: 'record', profileFingerprint: profileFingerprint(holiday) },
    );
    // The daily run found the mark, so it recorded the case and sent its letter but left the profile unstored.
    expect(race.settled()).toMatchObject({ status: 'fulfilled', value: { outcome: 'recorded' } });
    expect(record).toMatchObject({ outcome: 'recorded', changes: [], lettersSent: 0 });
    await oneRecordOneLetter(deploy);
    at(deploy, '2026-03-05T08:10:00Z');
    expect((await deploy.pass('apply')).outcome).toBe('applied');
    await oneRecordOneLetter(deploy);
  });

  it('an extension granted while the record pass was about to append: it records the date given since', async () => {
    const holidays = withHolidays('2026-03-11', '2026-03-20');
    const deploy = await acknowledgedCase(baseline, holidays);
    at(deploy, '2026-03-05T08:00:00Z');
    // Not yet updated, a function grants 5 working days from 18 March: its notice says Wednesday 25 March.
    const race = interleave(deploy.repository, 'appendEvent', () =>
      act(deploy, deploy.old, '2026-03-05T08:00:00Z', extendFiveDays),
    );
    await checkProfileAtDeploy(
      { ...deploy.updated, repository: race.wrapped },
      { pass: 'record', profileFingerprint: profileFingerprint(holidays) },
    );
    expect(race.settled()?.status).toBe('fulfilled');
    expect(await recalculations(deploy)).toEqual(['stage1-response 2026-03-25 -> 2026-03-27 later']);
    expect(movedLetters(deploy)).toEqual([['Wednesday 25 March 2026', 'Friday 27 March 2026']]);
  });
});

/** Functions whose run stops for good at its first send (its invocation ended): `reached` once it has. */
function stopsAtSend(functions: AppDependencies) {
  let reached: () => void = () => {};
  return {
    reached: new Promise<void>((resolve) => {
      reached = resolve;
    }),
    deps: {
      ...functions,
      mailer: {
        send: () => {
          reached();
          return new Promise<never>(() => {});
        },
      },
    },
  };
}

describe('a letter two runs both find owed is sent once (each claims it before sending)', () => {
  // With Wednesday 11 March a holiday the response is due on Thursday 19 March instead of Wednesday 18 March.
  const holiday = withHolidays('2026-03-11');
  const record = (functions: AppDependencies) =>
    checkProfileAtDeploy(functions, { pass: 'record', profileFingerprint: profileFingerprint(holiday) });
  const oneLetter = [['Wednesday 18 March 2026', 'Thursday 19 March 2026']];

  it('the same record pass run twice at once, both past the event and at the send: one letter', async () => {
    const deploy = await acknowledgedCase(baseline, holiday);
    at(deploy, '2026-03-05T08:00:00Z');
    // The first run recorded the case and is sending its letter when Lambda's second delivery runs in full.
    const race = interleave(deploy.mailer, 'send', () => record(deploy.updated));
    const first = await record({ ...deploy.updated, mailer: race.wrapped });
    expect(race.settled()).toMatchObject({
      status: 'fulfilled',
      value: { outcome: 'recorded', lettersSent: 0 },
    });
    expect(first).toMatchObject({ outcome: 'recorded', lettersSent: 1 });
    expect(await recalculations(deploy)).toEqual(['stage1-response 2026-03-18 -> 2026-03-19 later']);
    expect(movedLetters(deploy)).toEqual(oneLetter);
  });

  it('a daily run reaching the case while the record pass sends its letter: one letter', async () => {
    const deploy = await acknowledgedCase(baseline, holiday);
    at(deploy, '2026-03-05T08:00:00Z');
    const race = interleave(deploy.mailer, 'send', () => applyProfileChange(deploy.updated));
    await record({ ...deploy.updated, mailer: race.wrapped });
    expect(race.settled()).toMatchObject({
      status: 'fulfilled',
      value: { outcome: 'recorded', lettersSent: 0 },
    });
    expect(movedLetters(deploy)).toEqual(oneLetter);
  });

  it("a workflow step finding the pass's claim is tried again and then finds the letter sent", async () => {
    const deploy = await acknowledgedCase(baseline, holiday);
    at(deploy, '2026-03-05T08:00:00Z');
    const race = interleave(deploy.mailer, 'send', () => sendLettersAndLocate(deploy.updated, 'case-1'));
    await record({ ...deploy.updated, mailer: race.wrapped });
    // LetterHeldError: the ASL retries the step (for longer than any run's claim holds).
    expect(race.settled()).toMatchObject({ status: 'rejected', reason: { name: 'LetterHeldError' } });
    await sendLettersAndLocate(deploy.updated, 'case-1');
    expect(movedLetters(deploy)).toEqual(oneLetter);
  });

  it('a run that stopped after its claim, before the send, with no invocation given (locally): a later run sends it once the claim expires', async () => {
    const deploy = await acknowledgedCase(baseline, holiday);
    at(deploy, '2026-03-05T08:00:00Z');
    // The invocation ends between the claim and the send: here it never gets past the send.
    const stopped = stopsAtSend(deploy.updated);
    void record(stopped.deps);
    await stopped.reached;
    // Lambda runs it again a minute later: the claim may still be a live run's, so the letter is left.
    at(deploy, '2026-03-05T08:01:00Z');
    expect(await record(deploy.updated)).toMatchObject({ outcome: 'recorded', lettersSent: 0 });
    expect(movedLetters(deploy)).toEqual([]);
    // Not yet past Lambda's longest invocation and the margin: held still.
    at(deploy, '2026-03-05T08:15:09Z');
    expect(await record(deploy.updated)).toMatchObject({ lettersSent: 0 });
    // Past it no run can still hold it: the apply pass sends it.
    at(deploy, '2026-03-05T08:15:10Z');
    expect(await deploy.pass('apply')).toMatchObject({ outcome: 'applied', lettersSent: 1 });
    expect(movedLetters(deploy)).toEqual(oneLetter);
    at(deploy, '2026-03-05T08:40:00Z');
    expect(await deploy.pass('apply')).toMatchObject({ lettersSent: 0 });
    expect(movedLetters(deploy)).toEqual(oneLetter);
  });

  it('a workflow step that stopped after its claim: the step tried again takes over its own claim at once', async () => {
    const deploy = await acknowledgedCase(baseline, holiday);
    at(deploy, '2026-03-05T08:00:00Z');
    await recordEvent(deploy.updated, 'case-1', (_state, time) => ({
      type: 'deadlines-recalculated',
      at: time,
      by: { kind: 'system', id: 'profile-change' },
      step: 'stage1-response',
      oldDueDate: '2026-03-18',
      newDueDate: '2026-03-19',
      direction: 'later',
      reason: 'Announced bank holiday',
      profileFingerprint: profileFingerprint(holiday),
    }));
    // Its function timed out between the claim and the send; the ASL tries the step again.
    const stopped = stopsAtSend(deploy.updated);
    void sendLettersAndLocate(stopped.deps, 'case-1');
    await stopped.reached;
    at(deploy, '2026-03-05T08:00:05Z');
    await sendLettersAndLocate(deploy.updated, 'case-1');
    expect(movedLetters(deploy)).toEqual(oneLetter);
  });

  /** A pass's functions whose invocation has `leftMs` to run when it claims, and which stop at the send. */
  const stoppedPass = (deploy: Deploy, leftMs: number) =>
    stopsAtSend({ ...deploy.updated, invocation: { remainingMs: () => leftMs } });

  it("a pass whose invocation ended between its claim and the send: Lambda's retry a minute later takes the claim over and sends it, once", async () => {
    const deploy = await acknowledgedCase(baseline, holiday);
    at(deploy, '2026-03-05T08:00:00Z');
    // 45 s left when it claimed: the claim holds until 08:00:55 (its end and a 10 s margin).
    const stopped = stoppedPass(deploy, 45_000);
    void record(stopped.deps);
    await stopped.reached;
    at(deploy, '2026-03-05T08:01:00Z');
    expect(await record(deploy.updated)).toMatchObject({ outcome: 'recorded', lettersSent: 1 });
    expect(movedLetters(deploy)).toEqual(oneLetter);
    at(deploy, '2026-03-05T08:05:00Z');
    expect(await deploy.pass('apply')).toMatchObject({ outcome: 'applied', lettersSent: 0 });
    expect(movedLetters(deploy)).toEqual(oneLetter);
  });

  it('a pass that stopped after its claim and was not run again: the apply pass after its end sends the letter, and the next daily run has nothing to send', async () => {
    const deploy = await acknowledgedCase(baseline, holiday);
    at(deploy, '2026-03-05T08:00:00Z');
    // 3 minutes left: the claim holds until 08:03:10.
    const stopped = stoppedPass(deploy, 3 * 60_000);
    void record(stopped.deps);
    await stopped.reached;
    at(deploy, '2026-03-05T08:03:09Z');
    expect(await record(deploy.updated)).toMatchObject({ lettersSent: 0 });
    at(deploy, '2026-03-05T08:05:00Z');
    expect(await deploy.pass('apply')).toMatchObject({ outcome: 'applied', lettersSent: 1 });
    expect(movedLetters(deploy)).toEqual(oneLetter);
    at(deploy, '2026-03-06T08:00:00Z');
    expect(await applyProfileChange(deploy.updated)).toMatchObject({ outcome: 'unchanged', lettersSent: 0 });
    expect(lettersOwed(await deploy.repository.loadEvents('case-1'))).toEqual([]);
    expect(movedLetters(deploy)).toEqual(oneLetter);
  });

  it("a workflow step meeting a stopped pass's claim gets LetterHeldError until the claim expires, then sends the letter once", async () => {
    const deploy = await acknowledgedCase(baseline, holiday);
    at(deploy, '2026-03-05T08:00:00Z');
    // 5 minutes left: the claim holds until 08:05:10.
    const stopped = stoppedPass(deploy, 5 * 60_000);
    void record(stopped.deps);
    await stopped.reached;
    for (const instant of ['2026-03-05T08:00:30Z', '2026-03-05T08:05:09Z']) {
      at(deploy, instant);
      await expect(sendLettersAndLocate(deploy.updated, 'case-1')).rejects.toMatchObject({
        name: 'LetterHeldError',
        code: 'LETTER_HELD',
      });
    }
    expect(movedLetters(deploy)).toEqual([]);
    at(deploy, '2026-03-05T08:05:10Z');
    await sendLettersAndLocate(deploy.updated, 'case-1');
    at(deploy, '2026-03-05T08:06:10Z');
    await sendLettersAndLocate(deploy.updated, 'case-1');
    expect(movedLetters(deploy)).toEqual(oneLetter);
  });

  it("a run's claim holds no longer than Lambda's longest invocation and the margin, whatever the invocation says", async () => {
    const deploy = await acknowledgedCase(baseline, holiday);
    at(deploy, '2026-03-05T08:00:00Z');
    const stopped = stoppedPass(deploy, 60 * 60_000);
    void record(stopped.deps);
    await stopped.reached;
    at(deploy, new Date(Date.parse('2026-03-05T08:00:00Z') + LETTER_CLAIM_MS.run).toISOString());
    expect(await deploy.pass('apply')).toMatchObject({ outcome: 'applied', lettersSent: 1 });
    expect(movedLetters(deploy)).toEqual(oneLetter);
  });
});
