import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { PACED_LETTERS_PER_SECOND, PacedMailer } from '#shared/adapters/paced-mailer.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { checkProfileAtDeploy } from '#shared/usecases/profile-change.ts';
import { dailyRun } from '#shared/usecases/workflow.ts';
import { customResource, isCustomResourceRequest, runAgainLater } from '../lib/custom-resource.ts';
import { scheduledJob } from '../lib/middleware.ts';

/**
 * Both of send-digest's runs work on several cases at once (the daily run's profile check and a deploy's passes,
 * shared/usecases/profile-change.ts), so their letters are paced below SES's sending rate here, in one place, and
 * a throttled one is sent again after a wait. Given the invocation (none locally), a letter's claim holds until
 * its end (shared/usecases/notify.ts, LETTER_CLAIM_MS), so Lambda's retry of a run that stopped sends it.
 */
export const withPacedLetters = (deps: AppDependencies, context?: Context): AppDependencies => ({
  ...deps,
  mailer: new PacedMailer(deps.mailer, { perSecond: PACED_LETTERS_PER_SECOND }),
  ...(context && { invocation: { remainingMs: () => context.getRemainingTimeInMillis() } }),
});

/**
 * The daily run: resends every workflow callback still owed, then sends the working-morning digest of new
 * tasks. In AWS an EventBridge Scheduler schedule invokes it at 08:00 London time Monday to Friday (the digest
 * skips bank holidays and closure days itself); locally the virtual clock's daily tick calls this same export.
 */
export const runDaily = (deps: AppDependencies, context?: Context) =>
  dailyRun(withPacedLetters(deps, context));
const daily = scheduledJob(runDaily);

/**
 * A pass takes no new case once less than this is left of the invocation: the cases in flight finish (a
 * throttled letter may wait about a minute) and the answer is not needed, since the pass is run again.
 */
const STOP_WITH_MS_LEFT = 90_000;

/** The custom resources' properties (infra/constructs/daily-digest.ts). */
const DeployProfileCheck = () =>
  z.object({
    pass: z.enum(['record', 'apply']),
    profileFingerprint: z.string().check(z.minLength(1)),
  });

/**
 * The profile check at deploy: two CloudFormation custom resources invoke this same function, one before the
 * other functions are updated and one after (shared/usecases/profile-change.ts). It answers with counts only.
 */
const deployCheck = customResource(
  DeployProfileCheck,
  async (deps, check, context) => {
    const report = await checkProfileAtDeploy(withPacedLetters(deps, context), check, {
      stop: () => context.getRemainingTimeInMillis() < STOP_WITH_MS_LEFT,
    });
    if (report.outcome === 'unfinished') {
      // Lambda runs the invocation again; the cases recorded are skipped, and the run that finishes answers.
      throw runAgainLater(
        `The profile check's ${check.pass} pass stopped short of the function's timeout with open cases left (${report.changes.length} recorded by this run); it continues when Lambda runs it again`,
      );
    }
    return {
      outcome: report.outcome,
      casesRecorded: String(report.changes.length),
      lettersSent: String(report.lettersSent),
    };
  },
  'The changed provider profile was not recorded on every open case, so the deploy stops here (the old functions' +
    ' are kept). What was recorded stays and nothing is recorded twice: deploy again to finish it' +
    ' (docs/operations.md, "Changing the provider profile")',
);

export const handler = async (event: unknown, context: Context) =>
  isCustomResourceRequest(event) ? await deployCheck(event, context) : await daily(event, context);
