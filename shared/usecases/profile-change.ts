import { type Actor, OPEN_STATUSES } from '../domain/case.ts';
import { lettersOwed } from '../domain/correspondence.ts';
import { type DeadlineChange, deadlineChange, describeProfileChange } from '../domain/deadline-changes.ts';
import { ConflictError, DomainError } from '../domain/errors.ts';
import { type ProviderProfile, profileFingerprint } from '../policy/profile.ts';
import type { AppliedProfile } from '../ports/case-repository.ts';
import { recordEvent } from './case-log.ts';
import type { AppDependencies } from './dependencies.ts';
import { inFlight } from './in-flight.ts';
import { sendOwedLetters } from './notify.ts';

/**
 * Longer than a deploy can take from its record pass's mark to its apply pass storing the profile: CloudFormation
 * waits up to an hour for each pass (`ServiceTimeout`; its three invocations take up to 48 minutes), and an hour is
 * left for the other functions' update between them (ADR 0016). A mark younger than this may be a deploy still going
 * forward; an older one is a deploy that stopped or rolled back.
 */
const DEPLOY_PASSES_APART_MS = 3 * 60 * 60 * 1000;

/**
 * Cases a pass works on at once. Each waits mostly on DynamoDB and SES, so a few in flight multiply the rate
 * until the function's CPU or the letters' pace (PacedMailer in send-digest) is the limit; more would only queue
 * (docs/operations.md, "How long the passes take").
 */
export const CASES_IN_FLIGHT = 12;

/** Who records a profile change's recalculated dates. */
export const PROFILE_CHANGE_ACTOR: Actor = { kind: 'system', id: 'profile-change' };

export interface ProfileChangeReport {
  /**
   * `first`: no profile was stored yet (a new table, or one from before this check): this one is stored and
   * nothing is recalculated. `unchanged`: the same fingerprint. `applied`: the profile changed and every open
   * case whose date moves now records it. `recorded`: the same, but the profile is not stored as applied yet
   * (the pass before a deploy updates the functions, or a daily run while that deploy is under way; the pass
   * after it stores it). `skipped`: a deploy check
   * asked for another profile than the one this code carries (a rollback), so nothing was done. `rolled-back`: a
   * deploy rolled back after its record pass, and the cases a function running its profile dated meanwhile were
   * compared back to the stored profile (`recordRollback`).
   */
  outcome: 'first' | 'unchanged' | 'applied' | 'recorded' | 'unfinished' | 'skipped' | 'rolled-back';
  fingerprint: string;
  /** What changed, in the words the events and letters give (applied only). */
  reason?: string;
  /** The dates recorded by this run (a run started again after a stop lists only what it recorded itself). */
  changes: DeadlineChange[];
  /** Resident letters sent for dates moved later. */
  lettersSent: number;
}

/**
 * Records what a changed provider profile does to open cases, once: each open case whose pending due date moves
 * gets a `deadlines-recalculated` event (old and new date, why), and the resident is sent the `due-date-moved`
 * letter where the date moved later (none where it is kept). Runs when the local runtime starts; in AWS at deploy,
 * before the functions get the new profile (not stored) and after (stored), and at the start of the daily run. The applied profile's fingerprint is
 * stored only once every case is done, so a run stopped part-way is finished by the next one; a case already
 * recorded for this fingerprint is not recorded again, only its letter sent if it is still owed.
 */
export async function applyProfileChange(
  deps: AppDependencies,
  /**
   * A deploy's pass (`checkProfileAtDeploy`); none for the local start and the daily run. `record` records the
   * cases and sends the letters but leaves the stored profile as it was, marked as pending this one, so `apply`
   * still compares with the old one and records the cases that moved to another step meanwhile. `stop`: asked
   * before each case of the change; once it says so no more cases are started, nothing is stored, and the
   * outcome is `unfinished` (an invocation running out of time: run again, it skips the cases recorded).
   */
  { pass, stop }: { pass?: 'record' | 'apply'; stop?: () => boolean } = {},
): Promise<ProfileChangeReport> {
  const { profile } = deps.context;
  const fingerprint = profileFingerprint(profile);
  const stored = await deps.repository.getAppliedProfile();
  // Read once: the instant stored, recorded and compared with the deploy's mark is the same one.
  const now = deps.clock.now();
  const appliedAt = now.toISOString();
  const report: ProfileChangeReport = { outcome: 'unchanged', fingerprint, changes: [], lettersSent: 0 };
  if (stored?.fingerprint === fingerprint) {
    // Still marked for another profile: a deploy to it rolled back after its record pass, when a rollback's
    // request asks (`pass`) or the mark is older than any deploy. A daily run or local start before then may be an old
    // function's during a deploy still under way, which must leave it to the apply pass.
    const rolledBack = stored.deployPending && markedProfile(stored.deployPending);
    const markAge = now.getTime() - Date.parse(stored.deployPending?.since ?? '');
    if (!rolledBack || (pass === undefined && !(markAge >= DEPLOY_PASSES_APART_MS))) return report;
    return recordRollback(deps, stored, rolledBack.profile, profile, now);
  }
  // A daily run the schedule fires between a deploy's two passes (a deploy spanning 08:00) must not store the
  // profile: the apply pass would find it unchanged and never compare a case an old function dated meanwhile.
  // A pending mark older than any deploy (one stopped after its record pass) no longer holds it back.
  const pending = stored?.deployPending;
  const deployUnderWay =
    pending?.fingerprint === fingerprint &&
    now.getTime() - Date.parse(pending.since) < DEPLOY_PASSES_APART_MS;
  const storeApplied = pass === 'apply' || (pass === undefined && !deployUnderWay);
  if (!stored) {
    if (storeApplied)
      await deps.repository.saveAppliedProfile({ fingerprint, profile, appliedAt }, undefined);
    return { ...report, outcome: 'first' };
  }
  // Marked for a third profile: a deploy to it rolled back after its record pass (CloudFormation runs one update
  // of a stack at a time, so it is over), and a function still on that profile may have dated a step after the
  // rollback's request. Compared back first, as the first daily run after the mark's hour would have: the mark
  // this run writes or the profile it stores replaces it.
  const rolledBack = pending?.fingerprint !== fingerprint && pending && markedProfile(pending);
  if (rolledBack) {
    const back = await recordChanges(deps, rolledBack.profile, stored.profile, appliedAt);
    report.changes.push(...back.changes);
    report.lettersSent += back.lettersSent;
  }
  if (pass === 'record') {
    await keepAppliedProfile(
      deps,
      { ...stored, deployPending: { fingerprint, since: appliedAt, profile } },
      stored,
      (now) => now?.deployPending?.fingerprint === fingerprint,
    );
  }
  const reason = describeProfileChange(stored.profile, profile);
  const recorded = await recordChanges(deps, stored.profile, profile, appliedAt, stop);
  report.changes.push(...recorded.changes);
  report.lettersSent += recorded.lettersSent;
  // Stopped short of its time: nothing is stored, and the pass run again skips the cases recorded.
  if (!recorded.finished) return { ...report, outcome: 'unfinished', reason };
  if (!storeApplied) return { ...report, outcome: 'recorded', reason };
  // The profile replaced is kept: a rollback after the apply pass, asked of this code, compares back to it.
  const previous = { fingerprint: stored.fingerprint, profile: stored.profile };
  await keepAppliedProfile(
    deps,
    { fingerprint, profile, appliedAt, previous },
    stored,
    (now) => now?.fingerprint === fingerprint,
  );
  return { ...report, outcome: 'applied', reason };
}

/**
 * Stores the applied profile over the version read. A conflict is the same request run twice at once (Lambda
 * delivers an event at least once, and CloudFormation's rollback must never see FAILED from it): accepted when
 * what is stored now is what this run came to store (`stored`), which compared every case too.
 */
async function keepAppliedProfile(
  deps: AppDependencies,
  next: AppliedProfile,
  read: AppliedProfile | undefined,
  stored: (now: AppliedProfile | undefined) => boolean,
): Promise<void> {
  try {
    await deps.repository.saveAppliedProfile(next, read);
  } catch (error) {
    if (!(error instanceof ConflictError) || !stored(await deps.repository.getAppliedProfile())) throw error;
  }
}

/**
 * Records, on every open case, what the change from one profile to another moves (`deadlineChange`), and sends
 * the letters owed for it.
 */
async function recordChanges(
  deps: AppDependencies,
  from: ProviderProfile,
  to: ProviderProfile,
  /** Now, from the caller's Clock. */
  at: string,
  /** Asked before each case: once it says so, no more are started (`finished` false). */
  stop?: () => boolean,
): Promise<Pick<ProfileChangeReport, 'changes' | 'lettersSent'> & { finished: boolean }> {
  const recorded: Pick<ProfileChangeReport, 'changes' | 'lettersSent'> = { changes: [], lettersSent: 0 };
  const reason = describeProfileChange(from, to);
  const fingerprint = profileFingerprint(to);
  const caseIds: string[] = [];
  for (const status of OPEN_STATUSES) {
    for (const { caseId } of await deps.repository.listByStatus(status, Number.POSITIVE_INFINITY)) {
      caseIds.push(caseId);
    }
  }
  // Several cases at once: each is recorded by its own conditional writes (recordCase), so a case is recorded
  // once however many runs reach it.
  const { finished } = await inFlight(
    caseIds,
    CASES_IN_FLIGHT,
    async (caseId) => {
      const { change, lettersSent } = await recordCase(deps, caseId, from, to, at, reason, fingerprint);
      if (change) recorded.changes.push(change);
      recorded.lettersSent += lettersSent;
    },
    stop,
  );
  return { ...recorded, finished };
}

/** Thrown by recordCase's event builder when the log has moved on since the change was computed from it. */
class LogMovedOn extends Error {}

/** How many times a case's change is computed again from a log that moved on before it is given up on. */
const CASE_ATTEMPTS = 5;

/**
 * One case: its change recorded, and the letter owed for it sent. Another writer may append first: a staff
 * action, or another run comparing the same profiles (a daily run during a deploy's record pass, either order).
 * The change is then computed again from the log as it now is, so a change the other run recorded is not
 * recorded twice (nor its letter sent twice), and one about a date given since is recorded about that date.
 */
async function recordCase(
  deps: AppDependencies,
  caseId: string,
  from: ProviderProfile,
  to: ProviderProfile,
  at: string,
  reason: string,
  fingerprint: string,
): Promise<{ change?: DeadlineChange; lettersSent: number }> {
  for (let attempt = 1; ; attempt++) {
    const events = await deps.repository.loadEvents(caseId);
    // A run stopped between a case's event and its letter sends the letter now.
    let owesLetter = lettersOwed(events).some((letter) => letter.template === 'due-date-moved');
    // None where this profile's change is recorded after the date given (a run started again, a deploy's apply
    // pass after its record pass, or another run that won the race); a date an old function gave since is
    // compared again.
    const change = deadlineChange(caseId, events, from, to, at);
    if (change) {
      try {
        // Appended only after these very events: one that came since may be the same change recorded by another
        // run, or a new date; either way the change is computed again.
        await recordEvent(deps, caseId, (state, time) => {
          if (state.seq !== events.length) throw new LogMovedOn();
          return {
            type: 'deadlines-recalculated',
            at: time,
            by: PROFILE_CHANGE_ACTOR,
            step: change.step,
            oldDueDate: change.oldDueDate,
            newDueDate: change.newDueDate,
            direction: change.direction,
            reason,
            profileFingerprint: fingerprint,
          };
        });
      } catch (error) {
        if (error instanceof LogMovedOn) {
          if (attempt < CASE_ATTEMPTS) continue;
          throw new ConflictError(
            `Case ${caseId} kept changing while its profile change was recorded; the next run finishes it`,
          );
        }
        // Refused: a staff action moved the case past the step meanwhile, and its next step is dated under the
        // new profile. Lost races past every retry fail the run, to be finished by the next.
        if (!(error instanceof DomainError) || error instanceof ConflictError) throw error;
        deps.telemetry?.warn('Profile change not recorded on a case that moved on', { caseId }, error);
        return { lettersSent: 0 };
      }
      owesLetter ||= change.direction === 'later';
    }
    const lettersSent = owesLetter ? await sendOwedLetters(deps, caseId, 'run') : 0;
    return { ...(change && { change }), lettersSent };
  }
}

/** The profile a deploy's record pass marked the stored one pending, if the mark carries it intact. */
function markedProfile(mark: NonNullable<AppliedProfile['deployPending']>) {
  return mark.profile && profileFingerprint(mark.profile) === mark.fingerprint
    ? { fingerprint: mark.fingerprint, profile: mark.profile }
    : undefined;
}

/**
 * A deploy that rolled back after its record pass: functions already running its profile may have dated steps
 * (their letters give that profile's dates), which the profile stored, in force again, would read earlier. Those
 * are compared from the deploy's profile back to the stored one (`kept`, or `later` with a letter); the rest were
 * dated under the stored profile, or recorded by the record pass, and are left. CloudFormation does not document
 * in what order it rolls resources back, so functions may still run the deploy's profile for a while after the
 * rollback's request: the mark stays until it is older than any deploy, and the first daily run after that
 * compares again (recording nothing twice) and clears it.
 */
async function recordRollback(
  deps: AppDependencies,
  stored: AppliedProfile,
  from: ProviderProfile,
  to: ProviderProfile,
  now: Date,
): Promise<ProfileChangeReport> {
  const recorded = await recordChanges(deps, from, to, now.toISOString());
  const since = stored.deployPending ? Date.parse(stored.deployPending.since) : 0;
  if (now.getTime() - since >= DEPLOY_PASSES_APART_MS) {
    const { deployPending: _mark, ...unmarked } = stored;
    await keepAppliedProfile(
      deps,
      unmarked,
      stored,
      (now) => now?.fingerprint === stored.fingerprint && !now.deployPending,
    );
  }
  return {
    outcome: 'rolled-back',
    fingerprint: profileFingerprint(to),
    reason: describeProfileChange(from, to),
    ...recorded,
  };
}

/**
 * What a deploy asks of the profile check (infra/constructs/daily-digest.ts): `record` runs before the functions
 * get the new profile, `apply` after every one has it; each for the profile the stack was synthesised with.
 */
export interface DeployProfileCheck {
  pass: 'record' | 'apply';
  profileFingerprint: string;
}

/**
 * The profile check a deploy runs. `record` records the moved dates and sends the letters while the functions
 * still fold cases under the old profile: the recorded dates pin what both profiles read. `apply` records what
 * moved on meanwhile and stores the profile as applied. A check for another profile than the one this code
 * carries (CloudFormation rolling back while this function is still the new one) does nothing.
 */
export async function checkProfileAtDeploy(
  deps: AppDependencies,
  check: DeployProfileCheck,
  { stop }: { stop?: () => boolean } = {},
): Promise<ProfileChangeReport> {
  const fingerprint = profileFingerprint(deps.context.profile);
  if (check.profileFingerprint !== fingerprint) {
    // A rollback's request while this function still carries the deploy's profile: the stored profile is the one
    // asked for, marked pending this one.
    const stored = await deps.repository.getAppliedProfile();
    if (
      stored?.fingerprint === check.profileFingerprint &&
      stored.deployPending?.fingerprint === fingerprint
    ) {
      return recordRollback(deps, stored, deps.context.profile, stored.profile, deps.clock.now());
    }
    // A rollback's request after the apply pass, while this function still carries the deploy's profile (stored,
    // unmarked, having replaced the one asked for): compared back to that one, which is stored again, marked as
    // pending this one, so that functions still on this profile during the rollback are compared back again by
    // the first daily run once the mark is older than any deploy (as after a rollback after the record pass).
    const previous = stored?.previous;
    if (
      stored?.fingerprint === fingerprint &&
      !stored.deployPending &&
      previous?.fingerprint === check.profileFingerprint &&
      profileFingerprint(previous.profile) === previous.fingerprint
    ) {
      const now = deps.clock.now();
      const recorded = await recordChanges(deps, stored.profile, previous.profile, now.toISOString());
      await keepAppliedProfile(
        deps,
        {
          ...previous,
          appliedAt: now.toISOString(),
          deployPending: { fingerprint, since: now.toISOString(), profile: stored.profile },
        },
        stored,
        (current) => current?.fingerprint === previous.fingerprint,
      );
      return {
        outcome: 'rolled-back',
        fingerprint: previous.fingerprint,
        reason: describeProfileChange(stored.profile, previous.profile),
        changes: recorded.changes,
        lettersSent: recorded.lettersSent,
      };
    }
    deps.telemetry?.warn('Profile check for another profile skipped', {
      asked: check.profileFingerprint,
      carried: fingerprint,
    });
    return { outcome: 'skipped', fingerprint, changes: [], lettersSent: 0 };
  }
  return applyProfileChange(deps, { pass: check.pass, stop });
}
